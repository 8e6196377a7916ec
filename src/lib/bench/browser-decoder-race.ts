// The decoder race on the bench page: the bench model on our backends and, exported to ONNX, on
// onnxruntime-web in the same tab, same run — WebAssembly (ours and ORT's on one thread) and WebGPU
// (ours and ORT's WebGPU backend on the engine's device). Prefill of one prompt, decode of 1 and 6
// rows after a shared prefix; tokens/s and ours / ORT. (In Node, `npm run bench` races ORT's wasm
// backend on 1 and N threads instead: src/cli/bench/onnx-decoder-bench.ts.)
import type { GpuContext } from '../gpu/context.ts';
import type { ModelConfig } from '../model/config.ts';
import { createBackend } from '../backend/choice.ts';
import { exportDecoderOnnx } from '../onnx/export-decoder.ts';
import type { Ort } from '../onnx/ort-decoder.ts';
import { configureOrtWebGpu } from './ort-webgpu.ts';
import { benchDecode, benchPrefill, benchWeights, FULL_MODEL_SIZES, type ModelBenchSizes } from './model-bench.ts';
import { raceOrtDecoder } from './ort-decoder-race.ts';
import type { OnnxDecoderReport } from './report.ts';

const round = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(4)) : x);
const ROWS = [1, 6];

export async function browserDecoderRace(ort: Ort, gpu: GpuContext, config: ModelConfig, quick: boolean, wasmBytes: number): Promise<OnnxDecoderReport> {
  const sizes: ModelBenchSizes = quick
    ? { ...FULL_MODEL_SIZES, prefillTokens: 64, decodePrefix: 32, decodeSteps: 4, samples: 1 }
    : { ...FULL_MODEL_SIZES, prefillTokens: 256, decodePrefix: 128, decodeSteps: 16, samples: 3 };
  const weights = benchWeights(config);
  const bytes = exportDecoderOnnx(config, weights, { description: 'bench' });
  const report: OnnxDecoderReport = {
    threads: 1, prefill_tokens: sizes.prefillTokens, decode_prefix: sizes.decodePrefix, decode_steps: sizes.decodeSteps,
    ours: {}, ort: {}, ort_int8: {}, ratio: {},
    note: 'tokens/s in this tab; wasm: our WebAssembly backend and onnxruntime-web\'s wasm backend, one thread each; webgpu: our WGSL kernels and onnxruntime-web\'s WebGPU backend on the same device; the same weights, exported by src/lib/onnx; ratio = ours / ORT',
  };
  configureOrtWebGpu(ort, gpu.device, () => {}); // one wasm thread, and ORT's WebGPU on our device
  const errors: string[] = [];
  for (const ep of ['wasm', 'webgpu'] as const) {
    const be = await createBackend(ep, gpu, wasmBytes);
    try {
      const decode: Record<string, number> = {};
      const prefill = (await benchPrefill(be, config, weights, sizes)).tokens_per_s;
      for (const rows of ROWS) decode[`decode_rows${rows}`] = round((await benchDecode(be, config, weights, { ...sizes, decodeRows: rows })).tokens_per_s);
      report.ours[ep] = { prefill: round(prefill), ...decode };
    } finally {
      be.flush();
    }
    try {
      const theirs = await raceOrtDecoder(ort, bytes, config, ep, { prefill: sizes.prefillTokens, prefix: sizes.decodePrefix, steps: sizes.decodeSteps, rows: ROWS, samples: sizes.samples });
      report.ort[ep] = { prefill: round(theirs.prefill), ...Object.fromEntries(Object.entries(theirs.decode).map(([k, v]) => [`decode_${k}`, round(v)])) };
      const ours = report.ours[ep];
      report.ratio[ep] = Object.fromEntries(Object.keys(ours).map((k) => [k, round(ours[k] / report.ort[ep][k])]));
    } catch (e) {
      errors.push(`${ep}: ${(e as Error).message}`);
    }
  }
  if (errors.length > 0) report.ort_error = errors.join('; ');
  return report;
}
