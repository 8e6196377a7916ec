// The decoder race (`psr bench-cpu --onnx-decoder`, and onnx_decoder in `npm run bench`): the bench
// model — the shipped model's shape with seeded random weights — on our WebAssembly backend (1 and N
// kernel threads) and, exported to ONNX, on onnxruntime-web's wasm backend (1 and N threads; each in
// a child process, as ORT fixes its thread count once per process): prefill of one 256-token prompt
// and decode of 1 and 6 rows after a 128-token prefix (16 steps, logits read every step).
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { WasmBackend } from '../../lib/backend/wasm-backend.ts';
import { spawnNodeThread } from '../../lib/cpu/threads/spawn-node.ts';
import { benchDecode, benchPrefill, benchWeights, FULL_MODEL_SIZES, type ModelBenchSizes } from '../../lib/bench/model-bench.ts';
import { tinyModelConfig } from '../../lib/model/tiny.ts';
import type { OnnxDecoderReport } from '../../lib/bench/report.ts';

export type { OnnxDecoderReport };

const round = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(4)) : x);
const ROWS = [1, 6];

function ortChild(args: object): Promise<{ prefill: number; decode: Record<string, number> }> {
  const child = fileURLToPath(new URL('./ort-decoder-child.ts', import.meta.url));
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', tsx, child, JSON.stringify(args)], { maxBuffer: 1 << 20, timeout: 600_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`onnxruntime-web child failed: ${stderr.trim().split('\n').pop() ?? err.message}`));
      else resolve(JSON.parse(stdout) as { prefill: number; decode: Record<string, number> });
    });
  });
}

export async function benchOnnxDecoder(opts: { threads?: number; quick: boolean; log?: (line: string) => void }): Promise<OnnxDecoderReport> {
  const log = opts.log ?? (() => {});
  const n = opts.threads ?? availableParallelism();
  const sizes: ModelBenchSizes = opts.quick
    ? { ...FULL_MODEL_SIZES, prefillTokens: 64, decodePrefix: 32, decodeSteps: 4, samples: 1 }
    : { ...FULL_MODEL_SIZES, prefillTokens: 256, decodePrefix: 128, decodeSteps: 16, samples: 3 };
  const config = tinyModelConfig(198, { bos: 1, eos: 2, pad: 0 });
  const weights = benchWeights(config);
  const report: OnnxDecoderReport = {
    threads: n, prefill_tokens: sizes.prefillTokens, decode_prefix: sizes.decodePrefix, decode_steps: sizes.decodeSteps,
    ours: {}, ort: {}, ort_int8: {}, ratio: {},
    note: 'tokens/s; ours: WasmBackend (Decoder.prefill / fork / append); ORT: the same weights exported by src/lib/onnx, onnxruntime-web wasm, rows fed as a batch, past/present key-value tensors; ratio = ours / ORT f32 at the same thread count; ort_int8: the --quant int8 export (int8 linears behind DequantizeLinear)',
  };
  for (const t of [...new Set([1, n])]) {
    const be = await WasmBackend.create(512 * 1024 * 1024, { threads: t, spawn: spawnNodeThread });
    try {
      const prefill = (await benchPrefill(be, config, weights, sizes)).tokens_per_s;
      const decode: Record<string, number> = {};
      for (const rows of ROWS) decode[`rows${rows}`] = (await benchDecode(be, config, weights, { ...sizes, decodeRows: rows })).tokens_per_s;
      report.ours[`threads${t}`] = { prefill: round(prefill), ...Object.fromEntries(Object.entries(decode).map(([k, v]) => [`decode_${k}`, round(v)])) };
    } finally {
      be.stopThreads();
    }
    try {
      const common = { threads: t, prefill: sizes.prefillTokens, prefix: sizes.decodePrefix, steps: sizes.decodeSteps, rows: ROWS, samples: sizes.samples };
      const figures = (o: { prefill: number; decode: Record<string, number> }) => ({ prefill: round(o.prefill), ...Object.fromEntries(Object.entries(o.decode).map(([k, v]) => [`decode_${k}`, round(v)])) });
      report.ort[`threads${t}`] = figures(await ortChild({ ...common, quant: 'none' }));
      report.ort_int8[`threads${t}`] = figures(await ortChild({ ...common, quant: 'int8' }));
      const ours = report.ours[`threads${t}`];
      report.ratio[`threads${t}`] = Object.fromEntries(Object.keys(ours).map((k) => [k, round(ours[k] / report.ort[`threads${t}`][k])]));
    } catch (e) {
      report.ort_error = (e as Error).message;
    }
    log(`${t} thread(s): ours ${JSON.stringify(report.ours[`threads${t}`])}; ORT f32 ${JSON.stringify(report.ort[`threads${t}`] ?? null)}; ORT int8 ${JSON.stringify(report.ort_int8[`threads${t}`] ?? null)}`);
  }
  return report;
}
