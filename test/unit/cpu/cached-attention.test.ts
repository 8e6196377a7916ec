// wasm cached attention (src/lib/cpu/cached-attention.ts) against the CPU reference
// (src/lib/ref/cached-attention.ts): head sizes and cache lengths off the 4-lane grid, grouped-query
// layouts, one and several queries per row, padded queries (qPos −1), positions past the cache,
// invalid slots (left padding, holes, a query that sees none), Uint8/Uint32 masks, Uint32 positions,
// NaN in slots the reference never reads, and zero-copy arena operands.
import { describe, expect, it } from 'vitest';
import * as ref from '../../../src/lib/ref/cached-attention.ts';
import * as wasm from '../../../src/lib/cpu/cached-attention.ts';
import { WasmArena } from '../../../src/lib/cpu/wasm-arena.ts';
import { ShapeError } from '../../../src/lib/errors.ts';
import { expectClose } from '../../util/compare.ts';
import { dotTol, randn, rng } from './helpers.ts';

type Case = [Tq: number, S: number, NH: number, NKV: number, HS: number];
const cases: Case[] = [
  [1, 7, 1, 1, 5],
  [5, 7, 2, 1, 6],
  [1, 33, 4, 2, 32],
  [5, 33, 4, 4, 5],
  [1, 300, 4, 2, 32],
  [5, 300, 4, 1, 6],
  [5, 33, 2, 2, 32],
  [1, 300, 1, 1, 6],
];

interface Inputs {
  q: Float32Array; // (B,Tq,NH,HS)
  k: Float32Array; // (B,S,NKV,HS)
  v: Float32Array; // (B,S,NKV,HS)
  valid: Uint32Array; // (B,S)
  pos: Int32Array; // (B,Tq)
}

/**
 * B = 4 rows: 0 decodes at the end of a full cache; 1 is left-padded by 3 with holes, its last
 * queries padded (−1); 2 has its first query at slot 1 with slots 0..1 invalid (sees no key) and a
 * position past the cache; 3 is all padding. Slots never read by the reference hold NaN.
 */
function inputs(B: number, Tq: number, S: number, NH: number, NKV: number, HS: number, seed: number): Inputs {
  const r = rng(seed);
  const q = randn(r, B * Tq * NH * HS, 1.5);
  const k = randn(r, B * S * NKV * HS, 1.5);
  const v = randn(r, B * S * NKV * HS);
  const valid = new Uint32Array(B * S);
  const pos = new Int32Array(B * Tq).fill(-1);
  for (let t = 0; t < Tq; t++) pos[0 * Tq + t] = Math.max(0, S - Tq + t);
  for (let s = 0; s < S; s++) valid[0 * S + s] = 1;
  const n1 = Math.max(1, Tq - 2); // row 1: Tq − 2 real queries, then padding
  for (let t = 0; t < n1; t++) pos[1 * Tq + t] = Math.min(S - 1, 3 + Math.floor(((S - 4) * (t + 1)) / (n1 + 1)));
  for (let s = 3; s < S; s++) valid[1 * S + s] = r() < 0.8 ? 1 : 0;
  if (B > 2) {
    for (let t = 0; t < Tq; t++) pos[2 * Tq + t] = t === 0 ? 1 : t === Tq - 1 ? S + 5 : Math.floor(r() * S);
    for (let s = 2; s < S; s++) valid[2 * S + s] = 1;
  }
  // slots past the last position or invalid are never read by the reference: poison them
  const D = NKV * HS;
  for (let b = 0; b < B; b++) {
    let maxPos = -1;
    for (let t = 0; t < Tq; t++) maxPos = Math.max(maxPos, pos[b * Tq + t]);
    for (let s = 0; s < S; s++) {
      if (s <= maxPos && valid[b * S + s] === 1) continue;
      k.fill(NaN, (b * S + s) * D, (b * S + s + 1) * D);
      v.fill(NaN, (b * S + s) * D, (b * S + s + 1) * D);
    }
  }
  return { q, k, v, valid, pos };
}

describe('wasm cachedAttentionForward vs reference', () => {
  it.each(cases)('Tq=%i S=%i NH=%i NKV=%i HS=%i', (Tq, S, NH, NKV, HS) => {
    const B = 4;
    const { q, k, v, valid, pos } = inputs(B, Tq, S, NH, NKV, HS, Tq * 1000 + S * 10 + HS);
    const expected = new Float32Array(B * Tq * NH * HS); // (B,Tq,NH,HS)
    ref.cachedAttentionForward(expected, q, k, v, valid, pos, B, Tq, S, NH, NKV, HS);
    expect(expected.every(Number.isFinite)).toBe(true);
    for (const valid8 of [false, true]) {
      const mask = valid8 ? Uint8Array.from(valid) : valid;
      const out = new Float32Array(expected.length).fill(NaN); // every element must be written
      wasm.cachedAttentionForward(out, q, k, v, mask, pos, B, Tq, S, NH, NKV, HS);
      expectClose(out, expected, { ...dotTol(HS), label: `out (${valid8 ? 'Uint8' : 'Uint32'} mask)` });
    }
    // padded queries, a query with no valid key and an all-padding row give exact zeros
    const out = new Float32Array(expected.length);
    wasm.cachedAttentionForward(out, q, k, v, valid, pos, B, Tq, S, NH, NKV, HS);
    const row = NH * HS;
    for (let n = 0; n < B * Tq; n++) {
      if (pos[n] < 0 || n === 2 * Tq) expect(Array.from(out.subarray(n * row, (n + 1) * row)).every((x) => x === 0)).toBe(true);
    }
  });

  it('reads Uint32 positions like the reference (0xFFFFFFFF sees every slot)', () => {
    const [B, Tq, S, NH, NKV, HS] = [2, 3, 9, 2, 1, 7];
    const r = rng(11);
    const q = randn(r, B * Tq * NH * HS), k = randn(r, B * S * NKV * HS), v = randn(r, B * S * NKV * HS);
    const valid = Uint32Array.from({ length: B * S }, (_, i) => (i % 5 === 4 ? 0 : 1));
    const pos = Uint32Array.from([0, 4, 0xffffffff, 8, 2, 3]);
    const expected = new Float32Array(B * Tq * NH * HS);
    const out = new Float32Array(expected.length).fill(NaN);
    ref.cachedAttentionForward(expected, q, k, v, valid, pos, B, Tq, S, NH, NKV, HS);
    wasm.cachedAttentionForward(out, q, k, v, valid, pos, B, Tq, S, NH, NKV, HS);
    expectClose(out, expected, { ...dotTol(HS), label: 'out, Uint32 qPos' });
  });

  it('keeps the softmax stable for wide score ranges', () => {
    const [B, Tq, S, NH, NKV, HS] = [1, 2, 11, 1, 1, 4];
    const r = rng(5);
    const q = randn(r, B * Tq * NH * HS, 30); // scores up to ~±1000
    const k = randn(r, B * S * NKV * HS, 30);
    const v = randn(r, B * S * NKV * HS);
    const valid = new Uint8Array(S).fill(1);
    const pos = Int32Array.from([6, 10]);
    const expected = new Float32Array(B * Tq * NH * HS), out = new Float32Array(expected.length);
    ref.cachedAttentionForward(expected, q, k, v, valid, pos, B, Tq, S, NH, NKV, HS);
    wasm.cachedAttentionForward(out, q, k, v, valid, pos, B, Tq, S, NH, NKV, HS);
    expectClose(out, expected, { atol: 1e-5, rtol: 1e-5, label: 'out, wide scores' });
  });

  it('runs in place on arena arrays (zero copy) and gives the same result', () => {
    const [B, Tq, S, NH, NKV, HS] = [4, 1, 33, 4, 2, 32];
    const x = inputs(B, Tq, S, NH, NKV, HS, 77);
    const expected = new Float32Array(B * Tq * NH * HS);
    ref.cachedAttentionForward(expected, x.q, x.k, x.v, x.valid, x.pos, B, Tq, S, NH, NKV, HS);
    const arena = new WasmArena(4 << 20);
    const put = <A extends Float32Array | Int32Array | Uint32Array>(a: A, make: (n: number) => A): A => {
      const view = make(a.length);
      view.set(a);
      return view;
    };
    const q = put(x.q, (n) => arena.f32(n)), k = put(x.k, (n) => arena.f32(n)), v = put(x.v, (n) => arena.f32(n));
    const valid = put(x.valid, (n) => arena.u32(n)), pos = put(x.pos, (n) => arena.i32(n));
    const out = arena.f32(expected.length).fill(NaN);
    wasm.cachedAttentionForward(out, q, k, v, valid, pos, B, Tq, S, NH, NKV, HS, arena.kernels);
    expect(out.buffer).toBe(arena.kernels.memory.buffer);
    expectClose(out, expected, { ...dotTol(HS), label: 'out, arena' });
  });

  it('rejects bad shapes like the reference', () => {
    const f = (n: number) => new Float32Array(n);
    expect(() => wasm.cachedAttentionForward(f(12), f(12), f(8), f(8), new Uint8Array(4), new Int32Array(1), 1, 1, 4, 3, 2, 4)).toThrow(ShapeError);
    expect(() => wasm.cachedAttentionForward(f(8), f(8), f(8), f(7), new Uint8Array(2), new Int32Array(1), 1, 1, 2, 2, 1, 4)).toThrow(/vCache has length 7/);
    expect(() => wasm.cachedAttentionForward(f(8), f(8), f(8), f(8), new Uint8Array(2), new Int32Array(2), 1, 1, 2, 2, 1, 4)).toThrow(/qPos has length 2/);
  });
});
