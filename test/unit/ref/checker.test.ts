// The checkers themselves: expectClose reports the first mismatches and the max difference,
// and the finite-difference check rejects a deliberately broken gradient (negative control).
import { describe, expect, it } from 'vitest';
import { matmulBackward, matmulForward } from '../../../src/lib/ref/matmul.ts';
import { ropeForward } from '../../../src/lib/ref/rope.ts';
import { compareClose, expectClose } from '../../util/compare.ts';
import { dotLoss, FD_TOL, fdGrad, randn, rng } from './fd.ts';

describe('expectClose', () => {
  it('passes within atol + rtol·|expected| and fails outside it', () => {
    expect(() => expectClose([1, 100.5], [1.0005, 100], { atol: 1e-3, rtol: 1e-2, label: 'ok' })).not.toThrow();
    expect(() => expectClose([1.01], [1], { atol: 1e-3, rtol: 1e-3, label: 'bad' })).toThrow(/bad: 1 of 1 elements/);
  });

  it('lists at most 8 mismatches with index, actual, expected, diff, and the max differences', () => {
    const actual = Array.from({ length: 20 }, (_, i) => i + 1);
    const expected = Array.from({ length: 20 }, (_, i) => (i === 0 ? 1 : i === 13 ? 18 : i)); // [0] matches
    let msg = '';
    try {
      expectClose(actual, expected, { atol: 0.5, rtol: 0, label: 'many' });
    } catch (err) {
      msg = (err as Error).message;
    }
    expect(msg).toMatch(/many: 19 of 20 elements differ/);
    expect(msg.match(/\n {2}\[\d+\] actual/g)?.length).toBe(8);
    expect(msg).toContain('[1] actual 2 expected 1 diff 1.000e+0');
    expect(msg).not.toContain('[0] actual');
    expect(msg).not.toContain('[13] actual'); // only the first 8 are listed
    expect(msg).toMatch(/max abs diff 4\.000e\+0, max rel diff 1\.000e\+0/);
  });

  it('fails on NaN and on a length mismatch', () => {
    expect(() => expectClose([NaN], [0], { atol: 1, rtol: 1, label: 'nan' })).toThrow(/nan: 1 of 1/);
    expect(compareClose([NaN, 0], [0, 0], { atol: 1, rtol: 0 }).maxAbs).toBeNaN();
    expect(() => expectClose([1, 2], [1], { atol: 1, rtol: 1, label: 'len' })).toThrow(/length 2 but expected length 1/);
  });
});

describe('finite-difference check (negative controls)', () => {
  const N = 3, C = 5, OC = 7;
  const r = rng(11);
  const inp = randn(r, N * C); // (N,C)
  const weight = randn(r, OC * C); // (OC,C)
  const R = randn(r, N * OC); // (N,OC)
  const out = new Float32Array(N * OC); // (N,OC)
  const loss = () => {
    matmulForward(out, inp, weight, null, N, C, OC);
    return dotLoss(out, R);
  };

  it('accepts the true gradient but rejects it with one element perturbed by 5%', () => {
    const dweight = new Float32Array(OC * C); // (OC,C)
    matmulBackward(null, dweight, null, R, inp, weight, N, C, OC);
    const fd = fdGrad(loss, weight);
    expect(() => expectClose(dweight, fd, { ...FD_TOL, label: 'true' })).not.toThrow();
    let big = 0;
    for (let i = 1; i < dweight.length; i++) if (Math.abs(dweight[i]) > Math.abs(dweight[big])) big = i;
    const broken = dweight.slice();
    broken[big] *= 1.05;
    expect(() => expectClose(broken, fd, { ...FD_TOL, label: 'perturbed' })).toThrow(new RegExp(`\\[${big}\\] actual`));
  });

  it('rejects a sign bug (rope backward using the forward rotation instead of its transpose)', () => {
    const NR = 2, NH = 2, HS = 6;
    const x = randn(r, NR * NH * HS); // (N,NH,HS)
    const Rr = randn(r, NR * NH * HS); // (N,NH,HS)
    const pos = new Int32Array([2, 5]); // (N)
    const o = new Float32Array(x.length); // (N,NH,HS)
    const l = () => {
      ropeForward(o, x, pos, NR, NH, HS, 10000);
      return dotLoss(o, Rr);
    };
    const wrong = new Float32Array(x.length); // (N,NH,HS): R·dout instead of Rᵀ·dout
    ropeForward(wrong, Rr, pos, NR, NH, HS, 10000);
    expect(() => expectClose(wrong, fdGrad(l, x), { ...FD_TOL, label: 'wrong rope grad' })).toThrow(/wrong rope grad/);
  });
});
