// attention (causal + key padding, GQA): T=1 returns v, probabilities are causal and sum to
// 1, GQA equals MHA with duplicated kv heads, queries without a valid key give zeros and
// zero gradient, and dq/dk/dv match central finite differences (B=2,T=5,NH=4,NKV=2,HS=6).
import { describe, expect, it } from 'vitest';
import { attentionBackward, attentionForward } from '../../../src/lib/ref/attention.ts';
import { ShapeError } from '../../../src/lib/errors.ts';
import { expectClose } from '../../util/compare.ts';
import { dotLoss, FD_TOL, fdGrad, randn, rng, runTwice, twice } from './fd.ts';

const B = 2, T = 5, NH = 4, NKV = 2, HS = 6;
// row 0: a padding key in the middle and at the end; row 1: left-padded (queries 0,1 see no key)
const keyValid = new Uint8Array([1, 1, 0, 1, 0, 0, 0, 1, 1, 1]); // (B,T)

function setup(seed: number) {
  const r = rng(seed);
  return {
    q: randn(r, B * T * NH * HS), // (B,T,NH,HS)
    k: randn(r, B * T * NKV * HS), // (B,T,NKV,HS)
    v: randn(r, B * T * NKV * HS), // (B,T,NKV,HS)
    R: randn(r, B * T * NH * HS), // (B,T,NH,HS) probe
    out: new Float32Array(B * T * NH * HS), // (B,T,NH,HS)
    att: new Float32Array(B * NH * T * T), // (B,NH,T,T)
  };
}

describe('attention reference', () => {
  it('returns v (of the shared kv head) when T = 1', () => {
    const r = rng(1);
    const q = randn(r, B * NH * HS); // (B,1,NH,HS)
    const k = randn(r, B * NKV * HS); // (B,1,NKV,HS)
    const v = randn(r, B * NKV * HS); // (B,1,NKV,HS)
    const out = new Float32Array(B * NH * HS); // (B,1,NH,HS)
    attentionForward(out, new Float32Array(B * NH), q, k, v, new Uint8Array([1, 1]), B, 1, NH, NKV, HS);
    const expected = new Float32Array(B * NH * HS); // (B,1,NH,HS)
    for (let b = 0; b < B; b++)
      for (let h = 0; h < NH; h++)
        expected.set(v.subarray((b * NKV + Math.floor(h / 2)) * HS, (b * NKV + Math.floor(h / 2) + 1) * HS), (b * NH + h) * HS);
    expectClose(out, expected, { atol: 1e-6, rtol: 1e-6, label: 'T=1 out' });
  });

  it('saves causal, masked probabilities that sum to 1 per attending query', () => {
    const { q, k, v, out, att } = setup(2);
    attentionForward(out, att, q, k, v, keyValid, B, T, NH, NKV, HS);
    for (let b = 0; b < B; b++)
      for (let h = 0; h < NH; h++)
        for (let t = 0; t < T; t++) {
          const row = att.subarray(((b * NH + h) * T + t) * T, ((b * NH + h) * T + t + 1) * T);
          let anyValid = false;
          for (let s = 0; s < T; s++) {
            const allowed = s <= t && keyValid[b * T + s] === 1;
            anyValid ||= allowed;
            if (!allowed) expect(row[s]).toBe(0);
            else expect(row[s]).toBeGreaterThan(0);
          }
          expect(row.reduce((a, x) => a + x, 0)).toBeCloseTo(anyValid ? 1 : 0, 6);
        }
  });

  it('gives zeros for a query with no valid key (left padding)', () => {
    const { q, k, v, out, att } = setup(3);
    attentionForward(out, att, q, k, v, keyValid, B, T, NH, NKV, HS);
    const padded = out.subarray((1 * T + 0) * NH * HS, (1 * T + 2) * NH * HS); // b=1, t=0..1
    expectClose(padded, new Float32Array(padded.length), { atol: 0, rtol: 0, label: 'padding queries' });
    const dq = new Float32Array(q.length); // (B,T,NH,HS)
    attentionBackward(dq, new Float32Array(k.length), new Float32Array(v.length), randn(rng(9), out.length), q, k, v, att, B, T, NH, NKV, HS);
    const dqPad = dq.subarray(T * NH * HS, (T + 2) * NH * HS);
    expectClose(dqPad, new Float32Array(dqPad.length), { atol: 0, rtol: 0, label: 'padding dq' });
  });

  it('with NKV < NH equals multi-head attention over duplicated kv heads', () => {
    const { q, k, v, out, att } = setup(4);
    attentionForward(out, att, q, k, v, keyValid, B, T, NH, NKV, HS);
    const k2 = new Float32Array(B * T * NH * HS); // (B,T,NH,HS)
    const v2 = new Float32Array(B * T * NH * HS); // (B,T,NH,HS)
    for (let bt = 0; bt < B * T; bt++)
      for (let h = 0; h < NH; h++) {
        const src = (bt * NKV + Math.floor(h / (NH / NKV))) * HS;
        k2.set(k.subarray(src, src + HS), (bt * NH + h) * HS);
        v2.set(v.subarray(src, src + HS), (bt * NH + h) * HS);
      }
    const out2 = new Float32Array(out.length); // (B,T,NH,HS)
    attentionForward(out2, new Float32Array(att.length), q, k2, v2, keyValid, B, T, NH, NH, HS);
    expectClose(out, out2, { atol: 1e-6, rtol: 1e-6, label: 'GQA vs MHA' });
  });

  it('stays finite with very large scores (stable softmax)', () => {
    const { q, k, v, out, att } = setup(5);
    for (let i = 0; i < q.length; i++) q[i] *= 1e4;
    attentionForward(out, att, q, k, v, keyValid, B, T, NH, NKV, HS);
    expect(out.every(Number.isFinite)).toBe(true);
    expect(att.every(Number.isFinite)).toBe(true);
  });

  it('backward matches central finite differences for q, k, v and accumulates', () => {
    const { q, k, v, R, out, att } = setup(6);
    const loss = () => {
      attentionForward(out, att, q, k, v, keyValid, B, T, NH, NKV, HS);
      return dotLoss(out, R);
    };
    loss();
    const savedAtt = att.slice();
    const dq = new Float32Array(q.length); // (B,T,NH,HS)
    const dk = new Float32Array(k.length); // (B,T,NKV,HS)
    const dv = new Float32Array(v.length); // (B,T,NKV,HS)
    const { first, second } = runTwice(
      () => attentionBackward(dq, dk, dv, R, q, k, v, savedAtt, B, T, NH, NKV, HS),
      [dq, dk, dv],
    );
    expectClose(first[0], fdGrad(loss, q), { ...FD_TOL, label: 'attention dq' });
    expectClose(first[1], fdGrad(loss, k), { ...FD_TOL, label: 'attention dk' });
    expectClose(first[2], fdGrad(loss, v), { ...FD_TOL, label: 'attention dv' });
    for (let i = 0; i < 3; i++) expectClose(second[i], twice(first[i]), { atol: 1e-6, rtol: 1e-6, label: `accumulate ${i}` });
    // padded keys get no gradient
    const dkPadKey = first[1].subarray((0 * T + 2) * NKV * HS, (0 * T + 3) * NKV * HS);
    expectClose(dkPadKey, new Float32Array(dkPadKey.length), { atol: 0, rtol: 0, label: 'dk of a padding key' });
  });

  it('rejects NH not divisible by NKV', () => {
    const n = T * 3 * HS;
    expect(() =>
      attentionForward(new Float32Array(n), new Float32Array(3 * T * T), new Float32Array(n),
        new Float32Array(T * 2 * HS), new Float32Array(T * 2 * HS), new Uint8Array(T).fill(1), 1, T, 3, 2, HS),
    ).toThrow(/NH = 3 is not a multiple of NKV = 2/);
    expect(() =>
      attentionForward(new Float32Array(1), new Float32Array(1), new Float32Array(1),
        new Float32Array(1), new Float32Array(1), new Uint8Array(1), 1, 1, 1, 1, 2),
    ).toThrow(ShapeError);
  });
});
