// rmsnorm (HF Llama: weight after normalisation): constant rows, unit RMS of the output,
// finite-difference gradients for inp and weight, accumulation.
import { describe, expect, it } from 'vitest';
import { rmsnormBackward, rmsnormForward } from '../../../src/lib/ref/rmsnorm.ts';
import { expectClose } from '../../util/compare.ts';
import { dotLoss, FD_TOL, fdGrad, randn, rng, runTwice, twice } from './fd.ts';

describe('rmsnorm reference', () => {
  it('maps a constant row c to weight·c/sqrt(c²+eps)', () => {
    const C = 5, eps = 1e-5;
    const weight = new Float32Array([1, 2, -1, 0.5, 3]); // (C)
    const inp = new Float32Array([...Array(C).fill(-3), ...Array(C).fill(0)]); // (N=2,C) second row all zero
    const out = new Float32Array(2 * C); // (N,C)
    const rstd = new Float32Array(2); // (N)
    rmsnormForward(out, rstd, inp, weight, 2, C, eps);
    const k = -3 / Math.sqrt(9 + eps);
    expectClose(out, [...weight].map((w) => w * k).concat(Array(C).fill(0)), { atol: 1e-6, rtol: 1e-6, label: 'constant rows' });
    expectClose(rstd, [1 / Math.sqrt(9 + eps), 1 / Math.sqrt(eps)], { atol: 0, rtol: 1e-6, label: 'rstd' });
  });

  it('with unit weight gives rows of unit RMS', () => {
    const N = 3, C = 7;
    const inp = randn(rng(4), N * C, 3); // (N,C)
    const out = new Float32Array(N * C); // (N,C)
    rmsnormForward(out, new Float32Array(N), inp, new Float32Array(C).fill(1), N, C, 0);
    for (let n = 0; n < N; n++) {
      const ms = out.subarray(n * C, n * C + C).reduce((s, x) => s + x * x, 0) / C;
      expect(ms).toBeCloseTo(1, 5);
    }
  });

  it('backward matches central finite differences (N=3, C=5) and accumulates', () => {
    const N = 3, C = 5, eps = 1e-5;
    const r = rng(5);
    const inp = randn(r, N * C); // (N,C)
    const weight = randn(r, C); // (C)
    const R = randn(r, N * C); // (N,C)
    const out = new Float32Array(N * C); // (N,C)
    const rstd = new Float32Array(N); // (N)
    const loss = () => {
      rmsnormForward(out, rstd, inp, weight, N, C, eps);
      return dotLoss(out, R);
    };
    loss();
    const dinp = new Float32Array(N * C); // (N,C)
    const dweight = new Float32Array(C); // (C)
    const { first, second } = runTwice(
      () => rmsnormBackward(dinp, dweight, R, inp, weight, rstd, N, C),
      [dinp, dweight],
    );
    expectClose(first[0], fdGrad(loss, inp, 1e-2), { ...FD_TOL, label: 'rmsnorm dinp' });
    expectClose(first[1], fdGrad(loss, weight), { ...FD_TOL, label: 'rmsnorm dweight' });
    expectClose(second[0], twice(first[0]), { atol: 1e-6, rtol: 1e-6, label: 'accumulate dinp' });
    expectClose(second[1], twice(first[1]), { atol: 1e-6, rtol: 1e-6, label: 'accumulate dweight' });
  });
});
