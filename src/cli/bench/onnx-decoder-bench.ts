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
import { benchWeights } from '../../lib/bench/model-bench.ts';
import { decoderRaceSizes, ortRaceSizes, oursRaceFigures, raceFigures, raceRatio, type OrtRaceFigures } from '../../lib/bench/ort-decoder-race.ts';
import { tinyModelConfig } from '../../lib/model/tiny.ts';
import type { OnnxDecoderReport } from '../../lib/bench/report.ts';

export type { OnnxDecoderReport };

function ortChild(args: object): Promise<OrtRaceFigures> {
  const child = fileURLToPath(new URL('./ort-decoder-child.ts', import.meta.url));
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', tsx, child, JSON.stringify(args)], { maxBuffer: 1 << 20, timeout: 600_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`onnxruntime-web child failed: ${stderr.trim().split('\n').pop() ?? err.message}`));
      else resolve(JSON.parse(stdout) as OrtRaceFigures);
    });
  });
}

export async function benchOnnxDecoder(opts: { threads?: number; quick: boolean; log?: (line: string) => void }): Promise<OnnxDecoderReport> {
  const log = opts.log ?? (() => {});
  const n = opts.threads ?? availableParallelism();
  const sizes = decoderRaceSizes(opts.quick);
  const config = tinyModelConfig(198, { bos: 1, eos: 2, pad: 0 });
  const weights = benchWeights(config);
  const report: OnnxDecoderReport = {
    threads: n, prefill_tokens: sizes.prefillTokens, decode_prefix: sizes.decodePrefix, decode_steps: sizes.decodeSteps,
    ours: {}, ort: {}, ort_int8: {}, ort_q4: {}, ort_faster_quant: {}, ort_q4_over_int8: {}, ratio: {},
    note: 'tokens/s; ours: WasmBackend (Decoder.prefill / fork / append); ORT: the same weights exported by src/lib/onnx, onnxruntime-web wasm, rows fed as a batch, past/present key-value tensors; ratio = ours / ORT f32 at the same thread count; ort_int8: the --quant int8 export (int8 linears behind DequantizeLinear); ort_q4: the --quant q4 export (MatMulNBits); ort_faster_quant / ort_q4_over_int8: which quantized export ORT runs faster, per figure',
  };
  for (const t of [...new Set([1, n])]) {
    const be = await WasmBackend.create(512 * 1024 * 1024, { threads: t, spawn: spawnNodeThread });
    try {
      report.ours[`threads${t}`] = await oursRaceFigures(be, config, weights, sizes);
    } finally {
      be.stopThreads();
    }
    try {
      const common = { threads: t, ...ortRaceSizes(sizes) };
      report.ort[`threads${t}`] = raceFigures(await ortChild({ ...common, quant: 'none' }));
      report.ort_int8[`threads${t}`] = raceFigures(await ortChild({ ...common, quant: 'int8' }));
      const q4 = raceFigures(await ortChild({ ...common, quant: 'q4' }));
      report.ort_q4![`threads${t}`] = q4;
      const over = raceRatio(q4, report.ort_int8[`threads${t}`]);
      report.ort_q4_over_int8![`threads${t}`] = over;
      // From the figures themselves: the rounded ratio reads 1 when the two differ by less than its last digit.
      const int8 = report.ort_int8[`threads${t}`];
      report.ort_faster_quant![`threads${t}`] = Object.fromEntries(Object.keys(over).map((k) => [k, q4[k] > int8[k] ? 'q4' : 'int8']));
      report.ratio[`threads${t}`] = raceRatio(report.ours[`threads${t}`], report.ort[`threads${t}`]);
    } catch (e) {
      report.ort_error = (e as Error).message;
    }
    log(`${t} thread(s): ours ${JSON.stringify(report.ours[`threads${t}`])}; ORT f32 ${JSON.stringify(report.ort[`threads${t}`] ?? null)}; ORT int8 ${JSON.stringify(report.ort_int8[`threads${t}`] ?? null)}; ORT q4 ${JSON.stringify(report.ort_q4?.[`threads${t}`] ?? null)}`);
  }
  return report;
}
