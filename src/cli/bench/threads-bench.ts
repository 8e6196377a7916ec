// The kernel threads' benchmark (`psr bench-cpu --threads N`, and the wasm.threads section of
// `npm run bench`): at the shipped model's training shapes, our wasm matmuls (forward, dinp,
// dweight) on 1 thread and on N threads, measured alternately in one run; the same products on
// onnxruntime-web's wasm backend with N threads (a child process: ORT fixes its thread count once
// per process); and whole-model tokens/s — a full AdamW step and a LoRA step on 8 × 256, decode of 6 and 32 rows —
// on 1 and N threads. Figures and ratios, never pass/fail.
import { execFile } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { availableParallelism, cpus } from 'node:os';
import * as wasm from '../../lib/cpu/wasm-kernels.ts';
import { WasmBackend } from '../../lib/backend/wasm-backend.ts';
import { spawnNodeThread } from '../../lib/cpu/threads/spawn-node.ts';
import { benchData } from '../../lib/bench/bench-data.ts';
import { benchDecode, benchTrainStep, benchWeights, FULL_MODEL_SIZES, type ModelBenchSizes } from '../../lib/bench/model-bench.ts';
import { tinyModelConfig } from '../../lib/model/tiny.ts';
import type { ThreadsReport } from '../../lib/bench/report.ts';
import { shapeName, trainingShapes, type ThreadsShape } from './threads-shapes.ts';

export type { ThreadsReport };

const round = (x: number, d = 3) => (Number.isFinite(x) ? Number(x.toPrecision(d)) : x);
const ARENA = 768 * 1024 * 1024;

/** Best time of each of two functions, measured alternately (so both see the same machine state). */
async function bestOfPair(a: () => unknown, b: () => unknown, minMs: number): Promise<[number, number]> {
  a();
  b();
  let bestA = Infinity, bestB = Infinity, rounds = 0;
  const start = performance.now();
  while (rounds < 5 || performance.now() - start < minMs) {
    let t = performance.now();
    a();
    bestA = Math.min(bestA, performance.now() - t);
    t = performance.now();
    b();
    bestB = Math.min(bestB, performance.now() - t);
    rounds++;
  }
  return [bestA, bestB];
}

interface Operands {
  be: WasmBackend;
  run: () => void;
}

/** One product's arrays resident in `be`'s arena, and the call that computes it. */
function operands(be: WasmBackend, s: ThreadsShape): Operands {
  const { N, C, OC } = s;
  const a = be.arena;
  a.reset();
  const put = (n: number, seed: number) => {
    const v = a.f32(n);
    v.set(benchData(n, seed));
    return v;
  };
  const inp = put(N * C, 1), w = put(OC * C, 2), dout = put(N * OC, 3);
  const out = a.f32(N * OC), dinp = a.f32(N * C), dw = a.f32(OC * C);
  const k = a.kernels;
  const run =
    s.op === 'forward' ? () => wasm.matmulForward(out, inp, w, null, N, C, OC, k)
      : s.op === 'dinp' ? () => wasm.matmulBackward(dinp, null, null, dout, inp, w, N, C, OC, k)
        : () => wasm.matmulBackward(null, dw, null, dout, inp, w, N, C, OC, k);
  return { be, run };
}

/** onnxruntime-web wasm with `threads` threads on these products, in a child process. */
function ortInChild(shapes: ThreadsShape[], threads: number, minMs: number): Promise<Record<string, number>> {
  const child = fileURLToPath(new URL('./ort-threads-child.ts', import.meta.url));
  // only tsx's loader (ORT's own threads inherit these flags and load plain .mjs files)
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const args = ['--import', tsx, child, JSON.stringify({ shapes, threads, minMs })];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 1 << 20, timeout: 600_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`onnxruntime-web child failed: ${stderr.trim().split('\n').pop() ?? err.message}`));
      else resolve(JSON.parse(stdout) as Record<string, number>);
    });
  });
}

const geomean = (xs: number[]) => (xs.length ? Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length) : NaN);

export async function benchThreads(opts: { threads?: number; quick: boolean; ort: boolean; minMs?: number; log?: (line: string) => void }): Promise<ThreadsReport> {
  const log = opts.log ?? (() => {});
  const n = opts.threads ?? availableParallelism();
  const minMs = opts.minMs ?? (opts.quick ? 150 : 600);
  const one = new WasmBackend(ARENA);
  const many = await WasmBackend.create(ARENA, { threads: n, spawn: spawnNodeThread });
  try {
    const shapes = trainingShapes(opts.quick);
    const g1: Record<string, number> = {}, gn: Record<string, number> = {}, speedup: Record<string, number> = {}, eff: Record<string, number> = {};
    for (const s of shapes) {
      const key = shapeName(s);
      const flop = 2 * s.N * s.C * s.OC;
      const a = operands(one, s), b = operands(many, s);
      const [t1, tn] = await bestOfPair(a.run, b.run, minMs);
      g1[key] = round(flop / t1 / 1e6);
      gn[key] = round(flop / tn / 1e6);
      speedup[key] = round(t1 / tn);
      eff[key] = round(t1 / tn / n);
      log(`matmul ${key}: ${g1[key]} → ${gn[key]} GFLOP/s (${speedup[key]}×)`);
    }

    const report: ThreadsReport = {
      threads: many.threads, cores: availableParallelism(), cpu: cpus()[0]?.model ?? 'unknown',
      gflops_1: g1, gflops_n: gn, speedup, efficiency: eff,
      train: {} as ThreadsReport['train'], decode: {},
      geomean: { speedup: round(geomean(Object.values(speedup))) },
      note:
        `ours: src/lib/cpu WebAssembly SIMD on arena-resident arrays, 1 thread vs ${n} kernel threads, timed alternately (best of each); ` +
        `ORT: onnxruntime-web wasm MatMul, numThreads ${n}, in a child process; train: the shipped model's shape, random weights, f32.`,
    };
    if (opts.ort) {
      try {
        const ort = await ortInChild(shapes, n, minMs);
        report.ort_gflops_n = Object.fromEntries(Object.entries(ort).map(([k, v]) => [k, round(v)]));
        report.vs_ort = Object.fromEntries(Object.keys(gn).filter((k) => ort[k] > 0).map((k) => [k, round(gn[k] / ort[k])]));
        report.geomean.vs_ort = round(geomean(Object.values(report.vs_ort)));
        log(`onnxruntime-web wasm, ${n} threads: ours/ORT geomean ${report.geomean.vs_ort}`);
      } catch (e) {
        report.ort_error = (e as Error).message;
      }
    }

    // whole model: training steps and decode, 1 vs N threads
    const config = tinyModelConfig(198, { bos: 1, eos: 2, pad: 0 });
    const weights = benchWeights(config);
    const sizes: ModelBenchSizes = opts.quick
      ? { ...FULL_MODEL_SIZES, trainRows: 2, trainSeqLen: 64, samples: 1, decodePrefix: 32, decodeSteps: 4 }
      : { ...FULL_MODEL_SIZES, trainRows: 8, trainSeqLen: 256, samples: 2, decodePrefix: 128, decodeSteps: 16 };
    // alternately, several rounds, best of each: the whole-model figures see the same machine state
    const rounds = opts.quick ? 1 : 4;
    const best = async (measure: (be: WasmBackend) => Promise<number>): Promise<[number, number]> => {
      let b1 = 0, bn = 0;
      for (let r = 0; r < rounds; r++) {
        one.arena.reset();
        b1 = Math.max(b1, await measure(one));
        many.arena.reset();
        bn = Math.max(bn, await measure(many));
      }
      return [b1, bn];
    };
    for (const mode of ['full', 'lora'] as const) {
      const [t1, tn] = await best(async (be) => (await benchTrainStep(be, config, weights, mode, sizes)).tokens_per_s);
      report.train[mode] = { batch: `${sizes.trainRows}x${sizes.trainSeqLen}`, tokens_per_s_1: round(t1, 4), tokens_per_s_n: round(tn, 4), speedup: round(tn / t1) };
      log(`train ${mode}: ${report.train[mode].tokens_per_s_1} → ${report.train[mode].tokens_per_s_n} tokens/s`);
    }
    for (const rows of [6, 32]) {
      const z = { ...sizes, decodeRows: rows };
      const [d1, dn] = await best(async (be) => (await benchDecode(be, config, weights, z)).tokens_per_s);
      report.decode[`rows${rows}`] = { tokens_per_s_1: round(d1, 4), tokens_per_s_n: round(dn, 4), speedup: round(dn / d1) };
      log(`decode ${rows} rows: ${report.decode[`rows${rows}`].tokens_per_s_1} → ${report.decode[`rows${rows}`].tokens_per_s_n} tokens/s`);
    }
    return report;
  } finally {
    many.stopThreads();
  }
}
