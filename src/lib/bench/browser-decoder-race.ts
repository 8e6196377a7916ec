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
import { benchWeights } from './model-bench.ts';
import { decoderRaceSizes, ortRaceSizes, oursRaceFigures, raceFigures, raceOrtDecoder, raceRatio } from './ort-decoder-race.ts';
import type { OnnxDecoderReport } from './report.ts';

export async function browserDecoderRace(ort: Ort, gpu: GpuContext, config: ModelConfig, quick: boolean, wasmBytes: number): Promise<OnnxDecoderReport> {
  const sizes = decoderRaceSizes(quick);
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
      report.ours[ep] = await oursRaceFigures(be, config, weights, sizes);
    } finally {
      be.flush();
    }
    try {
      report.ort[ep] = raceFigures(await raceOrtDecoder(ort, bytes, config, ep, ortRaceSizes(sizes)));
      report.ratio[ep] = raceRatio(report.ours[ep], report.ort[ep]);
    } catch (e) {
      errors.push(`${ep}: ${(e as Error).message}`);
    }
  }
  if (errors.length > 0) report.ort_error = errors.join('; ');
  return report;
}
