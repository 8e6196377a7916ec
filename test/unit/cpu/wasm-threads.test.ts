// Kernel threads (src/lib/cpu/threads): every threaded op gives bit-identical results on 1, 2 and
// 3 threads (each thread owns a band of output rows or columns; nothing is summed in a
// thread-dependent order), and so does a short training run; bands cover their range exactly;
// a failing thread and bad thread counts give named errors. Real worker_threads over one shared
// WebAssembly memory. minWorkPerBand is lowered to 1 so these small shapes split.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { WasmBackend } from '../../../src/lib/backend/wasm-backend.ts';
import { spawnNodeThread } from '../../../src/lib/cpu/threads/spawn-node.ts';
import { bands, bandCount } from '../../../src/lib/cpu/threads/split.ts';
import { KernelThreads } from '../../../src/lib/cpu/threads/pool.ts';
import * as wasm from '../../../src/lib/cpu/wasm-kernels.ts';
import type { WasmKernels } from '../../../src/lib/cpu/wasm-runtime.ts';
import { defineConfig } from '../../../src/lib/model/config.ts';
import { initWeights } from '../../../src/lib/model/weights.ts';
import { fillNormal } from '../../../src/lib/model/random-init.ts';
import { ModelParams } from '../../../src/lib/model/params.ts';
import { Workspace } from '../../../src/lib/model/transformer.ts';
import { nextTokenTargets, packBatch } from '../../../src/lib/model/batch.ts';
import { sftStep } from '../../../src/lib/train/objectives.ts';
import { AdamW } from '../../../src/lib/train/optimizer.ts';
import { seededRng } from '../model/helpers.ts';
import { randn, rng } from './helpers.ts';

const COUNTS = [1, 2, 3] as const;
const ARENA = 64 * 1024 * 1024;
const backends = new Map<number, WasmBackend>();

beforeAll(async () => {
  for (const n of COUNTS) {
    const be = await WasmBackend.create(ARENA, { threads: n, spawn: spawnNodeThread });
    be.arena.kernels.minWorkPerBand = 1;
    backends.set(n, be);
  }
}, 60_000);

afterAll(() => {
  for (const be of backends.values()) be.stopThreads();
});

/** Run `op` on every thread count with fresh copies of `inputs`; return its outputs per count. */
function onEveryCount(op: (k: WasmKernels, a: Float32Array[]) => void, inputs: Float32Array[]): Float32Array[][] {
  return COUNTS.map((n) => {
    const be = backends.get(n) as WasmBackend;
    be.arena.reset();
    const arrays = inputs.map((x) => {
      const a = be.arena.f32(x.length);
      a.set(x);
      return a;
    });
    const before = be.arena.kernels.splitOps;
    op(be.arena.kernels, arrays);
    if (n > 1) expect(be.arena.kernels.splitOps, `the op really split across ${n} threads`).toBeGreaterThan(before);
    return arrays.map((a) => Float32Array.from(a));
  });
}

function expectSameOnEveryCount(results: Float32Array[][]): void {
  for (let c = 1; c < results.length; c++) {
    results[c].forEach((a, i) => {
      const same = a.every((v, j) => Object.is(v, results[0][i][j]));
      expect(same, `array ${i} on ${COUNTS[c]} threads differs from 1 thread`).toBe(true);
    });
  }
}

describe('kernel threads: started', () => {
  it('report their count', () => {
    expect(COUNTS.map((n) => backends.get(n)?.threads)).toEqual([1, 2, 3]);
  });
});

describe('kernel threads: every threaded op is bit-identical on 1, 2 and 3 threads', () => {
  const r = rng(11);
  it.each([3, 7, 37])('matmulForward and matmulBackward at N = %i (dot and GEMM paths)', (N) => {
    const C = 20, OC = 26; // OC not a multiple of 4 or 8: tails in the last band
    const res = onEveryCount(
      (k, [out, inp, w, b, dout, dinp, dw, db]) => {
        wasm.matmulForward(out, inp, w, b, N, C, OC, k);
        wasm.matmulBackward(dinp, dw, db, dout, inp, w, N, C, OC, k);
      },
      [new Float32Array(N * OC), randn(r, N * C), randn(r, OC * C), randn(r, OC), randn(r, N * OC), randn(r, N * C), randn(r, OC * C), randn(r, OC)],
    );
    expectSameOnEveryCount(res);
    expect(res[0][0].some((v) => v !== 0)).toBe(true);
  });

  it('attentionForward and attentionBackward (5 sequences, grouped heads, padding)', () => {
    const B = 5, T = 9, NH = 4, NKV = 2, HS = 6;
    const valid = new Uint8Array(B * T).map((_, i) => (i % T < T - (i / T | 0) % 3 ? 1 : 0));
    const res = onEveryCount(
      (k, [out, att, q, kk, v, dq, dk, dv, dout]) => {
        wasm.attentionForward(out, att, q, kk, v, valid, B, T, NH, NKV, HS, k);
        wasm.attentionBackward(dq, dk, dv, dout, q, kk, v, att, B, T, NH, NKV, HS, k);
      },
      [
        new Float32Array(B * T * NH * HS), new Float32Array(B * NH * T * T), randn(r, B * T * NH * HS), randn(r, B * T * NKV * HS),
        randn(r, B * T * NKV * HS), randn(r, B * T * NH * HS), randn(r, B * T * NKV * HS), randn(r, B * T * NKV * HS), randn(r, B * T * NH * HS),
      ],
    );
    expectSameOnEveryCount(res);
  });

  it('cachedAttentionForward (6 decode rows over a cache)', () => {
    const B = 6, Tq = 2, S = 12, NH = 4, NKV = 2, HS = 8;
    const valid = new Uint8Array(B * S).map((_, i) => (i % S < 5 + (i / S | 0) ? 1 : 0));
    const qPos = Int32Array.from({ length: B * Tq }, (_, i) => 4 + ((i / Tq) | 0) + (i % Tq));
    const res = onEveryCount(
      (k, [out, q, kc, vc]) => wasm.cachedAttentionForward(out, q, kc, vc, valid, qPos, B, Tq, S, NH, NKV, HS, k),
      [new Float32Array(B * Tq * NH * HS), randn(r, B * Tq * NH * HS), randn(r, B * S * NKV * HS), randn(r, B * S * NKV * HS)],
    );
    expectSameOnEveryCount(res);
  });

  it('crossEntropy and seqLogprob, forward and backward', () => {
    const B = 3, T = 7, N = B * T, V = 29;
    const targets = Int32Array.from({ length: N }, (_, i) => (i * 7) % V);
    const span = new Uint8Array(N).map((_, i) => (i % T > 2 ? 1 : 0));
    const losses: number[][] = [];
    const res = onEveryCount(
      (k, [lossRows, lse, logits, weights, dlogits, seq, lse2, dseq, dlogits2]) => {
        losses.push([wasm.crossEntropyForward(lossRows, lse, logits, targets, weights, N, V, k)]);
        wasm.crossEntropyBackward(dlogits, logits, lse, targets, weights, N, V, 0.5, k);
        wasm.seqLogprobForward(seq, lse2, logits, targets, span, B, T, V, k);
        wasm.seqLogprobBackward(dlogits2, dseq, logits, lse2, targets, span, B, T, V, k);
      },
      [
        new Float32Array(N), new Float32Array(N), randn(r, N * V, 2), new Float32Array(N).map((_, i) => (i % 4 === 0 ? 0 : 1)),
        randn(r, N * V), new Float32Array(B), new Float32Array(N), randn(r, B), randn(r, N * V),
      ],
    );
    expectSameOnEveryCount(res);
    expect(losses[1]).toEqual(losses[0]);
    expect(losses[2]).toEqual(losses[0]);
  });
});

describe('kernel threads: the row-wise reference ops (SwiGLU, RMSNorm, RoPE) split by rows', () => {
  it('give the same bits on 1, 2 and 3 threads, and RMSNorm with a weight gradient stays whole', async () => {
    const r = rng(21);
    const N = 11, I = 12, C = 16, NH = 2, HS = 8;
    const inputs = { gate: randn(r, N * I), up: randn(r, N * I), dout: randn(r, N * I), x: randn(r, N * C), w: randn(r, C), dn: randn(r, N * C), q: randn(r, N * NH * HS), dq: randn(r, N * NH * HS) };
    const pos = Int32Array.from({ length: N }, (_, i) => 3 + 2 * i);
    const results: Float32Array[][] = [];
    for (const n of COUNTS) {
      const be = backends.get(n) as WasmBackend;
      be.arena.reset();
      const t = (a: Float32Array, label: string) => be.fromF32(a, label);
      const out = be.zeros(N * I, 'out'), dg = t(inputs.dout, 'dg'), du = t(inputs.up, 'du');
      const norm = be.zeros(N * C, 'norm'), rstd = be.zeros(N, 'rstd'), dx = be.zeros(N * C, 'dx'), dx2 = be.zeros(N * C, 'dx2'), dw = be.zeros(C, 'dw');
      const rot = be.zeros(N * NH * HS, 'rot'), drot = t(inputs.dq, 'drot');
      const positions = be.fromInts(pos, 'pos');
      const before = be.arena.kernels.splitOps;
      be.swigluForward(out, t(inputs.gate, 'g'), t(inputs.up, 'u'), N, I);
      be.swigluBackward(dg, du, t(inputs.dout, 'd'), t(inputs.gate, 'g2'), t(inputs.up, 'u2'), N, I);
      be.rmsnormForward(norm, rstd, t(inputs.x, 'x'), t(inputs.w, 'w'), N, C, 1e-5);
      be.rmsnormBackward(dx, null, t(inputs.dn, 'dn'), t(inputs.x, 'x2'), t(inputs.w, 'w2'), rstd, N, C);
      be.rmsnormBackward(dx2, dw, t(inputs.dn, 'dn2'), t(inputs.x, 'x3'), t(inputs.w, 'w3'), rstd, N, C);
      be.ropeForward(rot, t(inputs.q, 'q'), positions, N, NH, HS, 10000);
      be.ropeBackward(drot, t(inputs.dq, 'dq'), positions, N, NH, HS, 10000);
      // six of the seven split (not the RMSNorm backward with a weight gradient)
      if (n > 1) expect(be.arena.kernels.splitOps - before).toBe(6);
      results.push(await Promise.all([out, dg, du, norm, rstd, dx, dx2, dw, rot, drot].map((x) => be.read(x))));
    }
    for (const res of results.slice(1)) res.forEach((a, i) => expect(Array.from(a), `output ${i}`).toEqual(Array.from(results[0][i])));
  });
});

describe('kernel threads: a short training run', () => {
  it('gives the same losses, gradients and weights on 1, 2 and 3 threads', async () => {
    const config = defineConfig({
      modelType: 'qwen2', hiddenSize: 32, intermediateSize: 48, numLayers: 2, numHeads: 4, numKvHeads: 2, vocabSize: 37, maxPositionEmbeddings: 64,
    });
    const rand = seededRng(5);
    const weights = initWeights(config, rand);
    for (const l of weights.layers) for (const key of ['qProj', 'kProj', 'vProj', 'oProj', 'gateProj', 'upProj', 'downProj'] as const) fillNormal(l[key], 0.2, rand);
    const seqs = Array.from({ length: 6 }, (_, b) => Array.from({ length: 10 + 2 * b }, (_, t) => (5 * b + 3 * t + 1) % 37));
    const batch = packBatch(seqs, 0, 21);
    const { targets, weights: w } = nextTokenTargets(batch, (_b, t) => (t > 1 ? 1 : 0));
    const runs: { losses: number[]; params: Float32Array[]; grads: Float32Array[] }[] = [];
    for (const n of COUNTS) {
      const be = backends.get(n) as WasmBackend;
      be.arena.reset();
      const p = ModelParams.create(be, config, weights, null, 'full');
      const ws = new Workspace(be, p, 6, 21);
      const opt = new AdamW(be, p.trainables, { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.01, maxGradNorm: 1 });
      const losses: number[] = [];
      for (let s = 0; s < 3; s++) {
        await p.zeroGrads();
        losses.push((await sftStep(ws, { batch, targets, weights: w }, true)).loss);
        await opt.update(1e-2);
      }
      const params = await Promise.all(p.trainables.map((t) => be.read(t.param)));
      const grads = await Promise.all(p.trainables.map((t) => be.read(t.grad)));
      runs.push({ losses, params, grads });
    }
    for (const run of runs.slice(1)) {
      expect(run.losses).toEqual(runs[0].losses);
      run.params.forEach((a, i) => expect(Array.from(a)).toEqual(Array.from(runs[0].params[i])));
      run.grads.forEach((a, i) => expect(Array.from(a)).toEqual(Array.from(runs[0].grads[i])));
    }
    expect(runs[0].losses[2]).toBeLessThan(runs[0].losses[0]);
  });
});

describe('kernel threads: bands', () => {
  it('cover [0, total) in order, start on multiples of align, and use at most `parts`', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 9 }), fc.constantFrom(1, 4, 8), (total, parts, align) => {
        const bs = bands(total, parts, align);
        expect(bs.length).toBeLessThanOrEqual(parts);
        expect(bs[0].start).toBe(0);
        expect(bs[bs.length - 1].end).toBe(total);
        bs.forEach((b, i) => {
          expect(b.end).toBeGreaterThan(b.start);
          expect(b.start % align).toBe(0);
          if (i > 0) expect(b.start).toBe(bs[i - 1].end);
        });
      }),
    );
  });

  it('stay one when the work is too small or there is one thread', () => {
    expect(bandCount({ threadCount: 4, minWorkPerBand: 1000 }, 2500, 100)).toBe(2);
    expect(bandCount({ threadCount: 4, minWorkPerBand: 1000 }, 999, 100)).toBe(1);
    expect(bandCount({ threadCount: 1, minWorkPerBand: 1 }, 1e9, 100)).toBe(1);
    expect(bandCount({ threadCount: 8, minWorkPerBand: 1 }, 1e9, 9, 4)).toBe(3);
  });
});

describe('kernel threads: errors', () => {
  it('a call that traps on another thread is a WasmThreadsError naming it, and the threads keep working', () => {
    const be = backends.get(2) as WasmBackend;
    const k = be.arena.kernels;
    const beyond = k.byteLength + 1024; // past the end of memory: the wasm access traps
    expect(() => k.parallel([{ fn: 'matmul.transpose', args: [64, 64, 1, 1, 1] }, { fn: 'matmul.transpose', args: [beyond, 64, 4, 4, 4] }]))
      .toThrow(expect.objectContaining({ name: 'WasmThreadsError', message: expect.stringContaining('matmul.transpose') }));
    // the pool is still usable
    const r = rng(3);
    const res = onEveryCount((kk, [out, inp, w]) => wasm.matmulForward(out, inp, w, null, 9, 8, 12, kk), [new Float32Array(9 * 12), randn(r, 72), randn(r, 96)]);
    expectSameOnEveryCount(res);
  });

  it('bad thread counts and a non-shared arena are refused with the remedy', async () => {
    const plain = new WasmBackend(8 * 1024 * 1024);
    await expect(KernelThreads.start(plain.arena.kernels, 0, spawnNodeThread)).rejects.toMatchObject({ name: 'WasmThreadsError', message: expect.stringContaining('1 to 64') });
    await expect(KernelThreads.start(plain.arena.kernels, 2, spawnNodeThread)).rejects.toMatchObject({ name: 'WasmThreadsError', message: expect.stringContaining('shared') });
  });
});
