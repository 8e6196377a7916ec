// wasm cross-entropy and sequence log-probs (src/lib/cpu/crossentropy.ts) against the reference:
// lse, per-row losses and the mean loss, gradients accumulated into non-zero dlogits, weights
// with zeros (target −1 allowed there), span masks (u8 and u32), vocab sizes off the 4-lane grid,
// large logits (stable log-sum-exp) and the error for an out-of-range target.
import { describe, expect, it } from 'vitest';
import * as ref from '../../../src/lib/ref/crossentropy.ts';
import * as wasm from '../../../src/lib/cpu/crossentropy.ts';
import { ShapeError } from '../../../src/lib/errors.ts';
import { expectClose } from '../../util/compare.ts';
import { clone, randn, rng } from './helpers.ts';

const TOL = { atol: 1e-5, rtol: 1e-5 };

function targetsFor(r: () => number, N: number, V: number): Int32Array {
  const t = new Int32Array(N); // (N)
  for (let n = 0; n < N; n++) t[n] = Math.floor(r() * V);
  return t;
}

describe('wasm cross-entropy vs reference', () => {
  it.each([[1, 1], [3, 7], [17, 13], [8, 300], [5, 513]])('N=%i V=%i forward and backward, with and without weights', (N, V) => {
    const r = rng(N * 100 + V);
    const logits = randn(r, N * V, 3); // (N,V)
    const targets = targetsFor(r, N, V);
    const weights = new Float32Array(N).map((_, n) => (n % 3 === 1 ? 0 : 0.5 + n)); // (N)
    for (let n = 0; n < N; n++) if (weights[n] === 0) targets[n] = -1; // never read
    for (const w of [null, weights]) {
      if (w === null) for (let n = 0; n < N; n++) if (targets[n] < 0) targets[n] = 0;
      const rl = new Float32Array(N), rlse = new Float32Array(N);
      const wl = new Float32Array(N).fill(NaN), wlse = new Float32Array(N).fill(NaN);
      const rloss = ref.crossEntropyForward(rl, rlse, logits, targets, w, N, V);
      const wloss = wasm.crossEntropyForward(wl, wlse, logits, targets, w, N, V);
      expectClose(wlse, rlse, { ...TOL, label: 'lse' });
      expectClose(wl, rl, { ...TOL, label: 'losses' });
      expectClose([wloss], [rloss], { ...TOL, label: 'loss' });
      const d0 = randn(r, N * V); // prior dlogits
      const rd = clone(d0), wd = clone(d0);
      ref.crossEntropyBackward(rd, logits, rlse, targets, w, N, V, 0.7);
      wasm.crossEntropyBackward(wd, logits, rlse, targets, w, N, V, 0.7);
      expectClose(wd, rd, { ...TOL, label: 'dlogits' });
    }
  });

  it('is stable for large logits', () => {
    const N = 2, V = 5;
    const logits = new Float32Array([1000, 999, -1000, 0, 998, -50, -51, -49, -52, -50]);
    const targets = new Int32Array([1, 2]);
    const rl = new Float32Array(N), rlse = new Float32Array(N), wl = new Float32Array(N), wlse = new Float32Array(N);
    ref.crossEntropyForward(rl, rlse, logits, targets, null, N, V);
    wasm.crossEntropyForward(wl, wlse, logits, targets, null, N, V);
    expectClose(wlse, rlse, { ...TOL, label: 'lse, large logits' });
    expectClose(wl, rl, { atol: 1e-4, rtol: 1e-5, label: 'losses, large logits' });
    expect(wl.every(Number.isFinite)).toBe(true);
  });

  it('leaves dlogits alone when all weights are zero, and rejects a bad scored target', () => {
    const N = 3, V = 4;
    const logits = randn(rng(1), N * V);
    const d = new Float32Array(N * V).fill(2);
    wasm.crossEntropyBackward(d, logits, new Float32Array(N), new Int32Array(N), new Float32Array(N), N, V);
    expect(Array.from(d)).toEqual(new Array(N * V).fill(2));
    const bad = () => wasm.crossEntropyForward(new Float32Array(N), new Float32Array(N), logits, new Int32Array([0, 4, 1]), null, N, V);
    expect(bad).toThrow(ShapeError);
    expect(bad).toThrow(/targets\[1\] = 4 is outside \[0, 4\)/);
  });
});

describe('wasm sequence log-prob vs reference', () => {
  it.each([[1, 1, 3], [2, 5, 7], [3, 17, 301]])('B=%i T=%i V=%i forward and backward with u8 and u32 span masks', (B, T, V) => {
    const N = B * T;
    const r = rng(B * 1000 + T * 10 + V);
    const logits = randn(r, N * V, 2); // (N,V)
    const targets = targetsFor(r, N, V);
    const dseq = randn(r, B); // (B)
    for (const wide of [false, true]) {
      const span = wide ? new Uint32Array(N) : new Uint8Array(N); // (N)
      for (let n = 0; n < N; n++) span[n] = n % T >= Math.floor(T / 3) ? 1 : 0;
      for (let n = 0; n < N; n++) if (span[n] === 0) targets[n] = -1;
      const rs = new Float32Array(B), rlse = new Float32Array(N);
      const ws = new Float32Array(B).fill(NaN), wlse = new Float32Array(N).fill(NaN);
      ref.seqLogprobForward(rs, rlse, logits, targets, span, B, T, V);
      wasm.seqLogprobForward(ws, wlse, logits, targets, span, B, T, V);
      expectClose(wlse, rlse, { ...TOL, label: 'lse' });
      expectClose(ws, rs, { atol: 1e-5 * T, rtol: 1e-5, label: 'seqLogp' });
      const d0 = randn(r, N * V);
      const rd = clone(d0), wd = clone(d0);
      ref.seqLogprobBackward(rd, dseq, logits, rlse, targets, span, B, T, V);
      wasm.seqLogprobBackward(wd, dseq, logits, rlse, targets, span, B, T, V);
      expectClose(wd, rd, { ...TOL, label: 'dlogits' });
    }
  });
});
