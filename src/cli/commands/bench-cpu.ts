// `psr bench-cpu`: GFLOP/s of the reference TypeScript matmul vs the WebAssembly SIMD kernels
// (copy-in mode and arena-resident mode) at the tiny model's shapes — forward, backward dinp,
// backward dweight — plus attention and cross-entropy timings; with --ort also onnxruntime-web's
// wasm MatMul (one thread) on the same products in the same run. With --decode instead: decode
// tokens/s of the tiny model with reference vs wasm cached attention (../bench-decode.ts). Prints JSON. Not a test.
import type { Command } from '../command.ts';
import { UsageError } from '../../lib/errors.ts';
import * as ref from '../../lib/ref/index.ts';
import * as wasm from '../../lib/cpu/wasm-kernels.ts';
import { WasmArena } from '../../lib/cpu/wasm-arena.ts';
import { benchDecode } from '../bench-decode.ts';
import { benchThreads } from '../bench/threads-bench.ts';
import { benchOnnxDecoder } from '../bench/onnx-decoder-bench.ts';
import { bestOf } from '../../lib/bench/best-of.ts';
import { benchData } from '../../lib/bench/matmul-bench.ts';

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const gflops = (flop: number, ms: number) => round(flop / ms / 1e6);

type MatmulOp = 'forward' | 'backward dinp' | 'backward dweight';

interface MatmulRow {
  op: MatmulOp;
  N: number;
  C: number;
  OC: number;
  /** The same product as a plain GEMM: (M,K)·(K,Nc). */
  gemm: { M: number; K: number; Nc: number };
  gflops: { ref: number | null; wasm: number; wasmResident: number; ort?: number };
  ratio: { wasmOverRef: number | null; wasmOverOrt?: number; wasmResidentOverOrt?: number };
}

async function benchMatmul(N: number, C: number, OC: number, minMs: number, withRef: boolean, withOrt: boolean): Promise<MatmulRow[]> {
  const inp = benchData(N * C, 1); // (N,C)
  const weight = benchData(OC * C, 2); // (OC,C)
  const bias = benchData(OC, 3); // (OC)
  const dout = benchData(N * OC, 4); // (N,OC)
  const out = new Float32Array(N * OC); // (N,OC)
  const dinp = new Float32Array(N * C); // (N,C)
  const dweight = new Float32Array(OC * C); // (OC,C)
  // the same arrays resident in a fixed wasm memory (zero-copy path)
  const floats = 2 * N * C + 2 * OC * C + OC + 2 * N * OC;
  const arena = new WasmArena((floats + OC * C) * 4 + (1 << 20));
  const put = (a: Float32Array) => {
    const v = arena.f32(a.length);
    v.set(a);
    return v;
  };
  const [aInp, aW, aBias, aDout] = [put(inp), put(weight), put(bias), put(dout)];
  const [aOut, aDinp, aDw] = [arena.f32(N * OC), arena.f32(N * C), arena.f32(OC * C)];
  const k = arena.kernels;
  const flop = 2 * N * C * OC;
  const ops: { op: MatmulOp; gemm: MatmulRow['gemm']; refFn: () => void; wasmFn: () => void; resFn: () => void }[] = [
    {
      op: 'forward',
      gemm: { M: N, K: C, Nc: OC },
      refFn: () => ref.matmulForward(out, inp, weight, bias, N, C, OC),
      wasmFn: () => wasm.matmulForward(out, inp, weight, bias, N, C, OC),
      resFn: () => wasm.matmulForward(aOut, aInp, aW, aBias, N, C, OC, k),
    },
    {
      op: 'backward dinp',
      gemm: { M: N, K: OC, Nc: C },
      refFn: () => ref.matmulBackward(dinp, null, null, dout, inp, weight, N, C, OC),
      wasmFn: () => wasm.matmulBackward(dinp, null, null, dout, inp, weight, N, C, OC),
      resFn: () => wasm.matmulBackward(aDinp, null, null, aDout, aInp, aW, N, C, OC, k),
    },
    {
      op: 'backward dweight',
      gemm: { M: OC, K: N, Nc: C },
      refFn: () => ref.matmulBackward(null, dweight, null, dout, inp, weight, N, C, OC),
      wasmFn: () => wasm.matmulBackward(null, dweight, null, dout, inp, weight, N, C, OC),
      resFn: () => wasm.matmulBackward(null, aDw, null, aDout, aInp, aW, N, C, OC, k),
    },
  ];
  const rows: MatmulRow[] = [];
  for (const o of ops) {
    const refG = withRef ? gflops(flop, (await bestOf(o.refFn, minMs)).bestMs) : null;
    const wasmG = gflops(flop, (await bestOf(o.wasmFn, minMs)).bestMs);
    const resG = gflops(flop, (await bestOf(o.resFn, minMs)).bestMs);
    const row: MatmulRow = {
      op: o.op, N, C, OC, gemm: o.gemm,
      gflops: { ref: refG, wasm: wasmG, wasmResident: resG },
      ratio: { wasmOverRef: refG === null ? null : round(wasmG / refG, 1) },
    };
    if (withOrt) {
      const { createOrtMatmul } = await import('../onnx-matmul.ts');
      const { M, K, Nc } = o.gemm;
      const session = await createOrtMatmul(M, K, Nc);
      const a = benchData(M * K, 5), b = benchData(K * Nc, 6);
      try {
        const ortG = gflops(flop, (await bestOf(() => session.run(a, b), minMs)).bestMs);
        row.gflops.ort = ortG;
        row.ratio.wasmOverOrt = round(wasmG / ortG);
        row.ratio.wasmResidentOverOrt = round(resG / ortG);
      } finally {
        await session.release();
      }
    }
    rows.push(row);
  }
  return rows;
}

async function benchAttention(B: number, T: number, NH: number, NKV: number, HS: number, minMs: number, withRef: boolean) {
  const q = benchData(B * T * NH * HS, 7); // (B,T,NH,HS)
  const kk = benchData(B * T * NKV * HS, 8); // (B,T,NKV,HS)
  const v = benchData(B * T * NKV * HS, 9); // (B,T,NKV,HS)
  const dout = benchData(B * T * NH * HS, 10); // (B,T,NH,HS)
  const out = new Float32Array(q.length); // (B,T,NH,HS)
  const att = new Float32Array(B * NH * T * T); // (B,NH,T,T)
  const valid = new Uint32Array(B * T).fill(1); // (B,T)
  const dq = new Float32Array(q.length), dk = new Float32Array(kk.length), dv = new Float32Array(v.length);
  const ms = async (fn: () => void) => round((await bestOf(fn, minMs)).bestMs);
  const fwd = { wasm: await ms(() => wasm.attentionForward(out, att, q, kk, v, valid, B, T, NH, NKV, HS)), ref: null as number | null };
  const bwd = { wasm: await ms(() => wasm.attentionBackward(dq, dk, dv, dout, q, kk, v, att, B, T, NH, NKV, HS)), ref: null as number | null };
  if (withRef) {
    fwd.ref = await ms(() => ref.attentionForward(out, att, q, kk, v, valid, B, T, NH, NKV, HS));
    bwd.ref = await ms(() => ref.attentionBackward(dq, dk, dv, dout, q, kk, v, att, B, T, NH, NKV, HS));
  }
  return {
    shape: { B, T, NH, NKV, HS },
    ms: { forward: fwd, backward: bwd },
    speedup: withRef ? { forward: round(fwd.ref! / fwd.wasm, 1), backward: round(bwd.ref! / bwd.wasm, 1) } : null,
  };
}

async function benchCrossEntropy(N: number, V: number, minMs: number, withRef: boolean) {
  const logits = benchData(N * V, 11); // (N,V)
  const targets = Int32Array.from({ length: N }, (_, n) => (n * 7) % V); // (N)
  const losses = new Float32Array(N), lse = new Float32Array(N), dlogits = new Float32Array(N * V);
  const ms = async (fn: () => void) => round((await bestOf(fn, minMs)).bestMs);
  const fwd = { wasm: await ms(() => wasm.crossEntropyForward(losses, lse, logits, targets, null, N, V)), ref: null as number | null };
  const bwd = { wasm: await ms(() => wasm.crossEntropyBackward(dlogits, logits, lse, targets, null, N, V)), ref: null as number | null };
  if (withRef) {
    fwd.ref = await ms(() => ref.crossEntropyForward(losses, lse, logits, targets, null, N, V));
    bwd.ref = await ms(() => ref.crossEntropyBackward(dlogits, logits, lse, targets, null, N, V));
  }
  return {
    shape: { N, V },
    ms: { forward: fwd, backward: bwd },
    speedup: withRef ? { forward: round(fwd.ref! / fwd.wasm, 1), backward: round(bwd.ref! / bwd.wasm, 1) } : null,
  };
}

function intFlag(flags: Record<string, string | boolean | undefined>, name: string, fallback: number, min: number, max: number): number {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer in ${min}..${max} (got ${raw}); e.g. --${name} ${fallback}.`);
  return n;
}

export const benchCpuCommand: Command = {
  name: 'bench-cpu',
  summary: 'Benchmark the WebAssembly SIMD CPU kernels against the TypeScript reference (and onnxruntime-web with --ort).',
  usage:
    'bench-cpu [--rows N] [--min-ms MS] [--ort] [--no-ref] | bench-cpu --decode [--decode-rows 6,32] [--prefix 250] [--steps 32]\n' +
    '       bench-cpu --threads N [--ort] [--quick]   (1 vs N kernel threads: matmuls at the training shapes, training and decode tokens/s; 0 = every core)\n' +
    '       bench-cpu --onnx-decoder [--threads N] [--quick]   (prefill and decode tokens/s: ours vs the ONNX export on onnxruntime-web wasm, 1 and N threads)',
  options: {
    rows: { type: 'string' },
    'min-ms': { type: 'string' },
    ort: { type: 'boolean' },
    'no-ref': { type: 'boolean' },
    decode: { type: 'boolean' },
    'decode-rows': { type: 'string' },
    prefix: { type: 'string' },
    steps: { type: 'string' },
    threads: { type: 'string' },
    quick: { type: 'boolean' },
    'onnx-decoder': { type: 'boolean' },
  },
  async run(flags, _positionals, io) {
    const N = intFlag(flags, 'rows', 2048, 1, 65536);
    const minMs = intFlag(flags, 'min-ms', 300, 0, 60_000);
    const withRef = flags['no-ref'] !== true;
    const withOrt = flags.ort === true;
    if (flags['onnx-decoder'] === true) {
      const requested = intFlag(flags, 'threads', 0, 0, 64);
      const report = await benchOnnxDecoder({ threads: requested === 0 ? undefined : requested, quick: flags.quick === true, log: (l) => io.err(l + '\n') });
      io.out(JSON.stringify({ node: process.version, onnx_decoder: report }, null, 2) + '\n');
      return 0;
    }
    if (flags.threads !== undefined) {
      const requested = intFlag(flags, 'threads', 0, 0, 64);
      const report = await benchThreads({ threads: requested === 0 ? undefined : requested, quick: flags.quick === true, ort: withOrt, log: (l) => io.err(l + '\n') });
      io.out(JSON.stringify({ node: process.version, wasm: { threads: report } }, null, 2) + '\n');
      return 0;
    }
    if (flags.decode === true) {
      // decode tokens/s of the tiny model, reference vs wasm cached attention (src/cli/bench-decode.ts)
      const rowsRaw = typeof flags['decode-rows'] === 'string' ? flags['decode-rows'] : '6,32';
      const rowsList = rowsRaw.split(',').map((x) => Number(x));
      if (rowsList.some((r) => !Number.isInteger(r) || r < 1 || r > 256)) {
        throw new UsageError(`--decode-rows must be comma-separated integers in 1..256 (got ${rowsRaw}); e.g. --decode-rows 6,32.`);
      }
      const prefix = intFlag(flags, 'prefix', 250, 1, 400);
      const steps = intFlag(flags, 'steps', 32, 1, 100);
      io.out(JSON.stringify({ node: process.version, decode: await benchDecode(rowsList, prefix, steps, minMs) }, null, 2) + '\n');
      return 0;
    }
    const matmul: MatmulRow[] = [];
    // the tiny model: C = 128, I = 352 (SwiGLU up/gate and down), V = 512 (LM head)
    for (const [C, OC] of [[128, 352], [352, 128], [128, 512]] as const) {
      matmul.push(...(await benchMatmul(N, C, OC, minMs, withRef, withOrt)));
    }
    const T = Math.min(256, N);
    const report = {
      node: process.version,
      timing: `best of ≥3 runs per cell, each cell ≥ ${minMs} ms; single thread; GFLOP/s = 2·N·C·OC / time`,
      modes: {
        ref: 'src/lib/ref TypeScript',
        wasm: 'src/lib/cpu WebAssembly SIMD, plain Float32Arrays copied in/out per call',
        wasmResident: 'same kernels on WasmArena arrays (zero copy)',
        ...(withOrt ? { ort: 'onnxruntime-web 1.30 wasm backend, numThreads 1, MatMul of the same (M,K)·(K,Nc) with pre-laid-out inputs' } : {}),
      },
      matmul,
      attention: await benchAttention(Math.max(1, Math.floor(N / T)), T, 4, 2, 32, minMs, withRef),
      crossEntropy: await benchCrossEntropy(N, 512, minMs, withRef),
    };
    io.out(JSON.stringify(report, null, 2) + '\n');
    return 0;
  },
};
