// wasm attention (src/lib/cpu/attention.ts) against the CPU reference: out and att, then dq, dk,
// dv accumulated into non-zero gradients, over grouped-query head layouts, head sizes off the
// 4-lane grid, sequence lengths off the 16-row block grid, and key-padding masks including rows
// that see no valid key (left padding) and a fully padded sequence.
import { describe, expect, it } from 'vitest';
import * as ref from '../../../src/lib/ref/attention.ts';
import * as wasm from '../../../src/lib/cpu/attention.ts';
import { ShapeError } from '../../../src/lib/errors.ts';
import { expectClose } from '../../util/compare.ts';
import { clone, dotTol, randn, rng } from './helpers.ts';

type Case = [B: number, T: number, NH: number, NKV: number, HS: number];
const cases: Case[] = [
  [1, 1, 1, 1, 4],
  [1, 3, 2, 1, 5],
  [2, 17, 4, 2, 8],
  [2, 33, 2, 2, 2],
  [1, 40, 4, 1, 16],
  [3, 20, 3, 3, 13],
];

/** Mixed padding: batch 0 all valid, batch 1 left-padded by 2, batch 2 fully padded. */
function mask(B: number, T: number, wide: boolean): Uint8Array | Uint32Array {
  const m = wide ? new Uint32Array(B * T) : new Uint8Array(B * T); // (B,T)
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) m[b * T + t] = b === 0 ? 1 : b === 1 ? (t >= 2 ? 1 : 0) : 0;
  }
  return m;
}

describe('wasm attention vs reference', () => {
  it.each(cases)('forward and backward B=%i T=%i NH=%i NKV=%i HS=%i', (B, T, NH, NKV, HS) => {
    const r = rng(B * 1000 + T * 10 + HS);
    const nq = B * T * NH * HS;
    const nkv = B * T * NKV * HS;
    const q = randn(r, nq); // (B,T,NH,HS)
    const k = randn(r, nkv); // (B,T,NKV,HS)
    const v = randn(r, nkv); // (B,T,NKV,HS)
    const dout = randn(r, nq); // (B,T,NH,HS)
    for (const wide of [false, true]) {
      const keyValid = mask(B, T, wide);
      const rOut = new Float32Array(nq); // (B,T,NH,HS)
      const rAtt = new Float32Array(B * NH * T * T); // (B,NH,T,T)
      const wOut = new Float32Array(nq).fill(NaN);
      const wAtt = new Float32Array(B * NH * T * T).fill(NaN);
      ref.attentionForward(rOut, rAtt, q, k, v, keyValid, B, T, NH, NKV, HS);
      wasm.attentionForward(wOut, wAtt, q, k, v, keyValid, B, T, NH, NKV, HS);
      expectClose(wAtt, rAtt, { atol: 1e-6, rtol: 1e-5, label: 'att' });
      expectClose(wOut, rOut, { ...dotTol(T), label: 'out' });
      // masked and future entries are exactly zero, as in the reference
      for (let i = 0; i < rAtt.length; i++) if (rAtt[i] === 0) expect(wAtt[i]).toBe(0);

      const g0 = [randn(r, nq), randn(r, nkv), randn(r, nkv)]; // prior dq, dk, dv
      const rg = g0.map(clone);
      const wg = g0.map(clone);
      ref.attentionBackward(rg[0], rg[1], rg[2], dout, q, k, v, rAtt, B, T, NH, NKV, HS);
      wasm.attentionBackward(wg[0], wg[1], wg[2], dout, q, k, v, rAtt, B, T, NH, NKV, HS);
      const K = T * HS * (NH / NKV);
      expectClose(wg[0], rg[0], { ...dotTol(K), label: 'dq' });
      expectClose(wg[1], rg[1], { ...dotTol(K), label: 'dk' });
      expectClose(wg[2], rg[2], { ...dotTol(K), label: 'dv' });
    }
  });

  it('gives the reference softmax for large score ranges (polynomial exp, no overflow)', () => {
    const B = 1, T = 9, NH = 1, NKV = 1, HS = 4;
    const r = rng(5);
    const q = randn(r, T * HS, 30); // scores up to ~±1000
    const k = randn(r, T * HS, 30);
    const v = randn(r, T * HS);
    const keyValid = new Uint8Array(T).fill(1);
    const rOut = new Float32Array(T * HS), rAtt = new Float32Array(T * T);
    const wOut = new Float32Array(T * HS), wAtt = new Float32Array(T * T);
    ref.attentionForward(rOut, rAtt, q, k, v, keyValid, B, T, NH, NKV, HS);
    wasm.attentionForward(wOut, wAtt, q, k, v, keyValid, B, T, NH, NKV, HS);
    expectClose(wAtt, rAtt, { atol: 1e-6, rtol: 1e-5, label: 'att, wide scores' });
    expectClose(wOut, rOut, { atol: 1e-5, rtol: 1e-5, label: 'out, wide scores' });
  });

  it('rejects NH not a multiple of NKV like the reference', () => {
    const z = new Float32Array(0);
    expect(() => wasm.attentionForward(z, z, z, z, z, new Uint8Array(0), 1, 1, 3, 2, 4)).toThrow(ShapeError);
  });
});
