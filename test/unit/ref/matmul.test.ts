// matmul (linear layer, (OC,C) weights): a hand example, finite-difference gradients for
// inp, weight and bias, accumulation, null (frozen) gradients, and LoRA as two matmuls.
import { describe, expect, it } from 'vitest';
import { matmulBackward, matmulForward } from '../../../src/lib/ref/matmul.ts';
import { expectClose } from '../../util/compare.ts';
import { dotLoss, FD_TOL, fdGrad, randn, rng, runTwice, twice } from './fd.ts';

describe('matmul reference', () => {
  it('computes x·Wᵀ + b on a hand example', () => {
    const inp = new Float32Array([1, 2, 3, -1, 0, 2]); // (N=2, C=3)
    const weight = new Float32Array([1, 0, 1, 2, -1, 0.5]); // (OC=2, C=3)
    const bias = new Float32Array([0.5, -1]); // (OC)
    const out = new Float32Array(4); // (N,OC)
    matmulForward(out, inp, weight, bias, 2, 3, 2);
    // row0: 1+3+0.5, 2−2+1.5−1 ; row1: −1+2+0.5, −2+0+1−1
    expectClose(out, [4.5, 0.5, 1.5, -2], { atol: 1e-6, rtol: 0, label: 'matmul hand' });
    matmulForward(out, inp, weight, null, 2, 3, 2);
    expectClose(out, [4, 1.5, 1, -1], { atol: 1e-6, rtol: 0, label: 'matmul hand, no bias' });
  });

  // (6, 5, 9) also runs the 4-wide blocks of both backward products plus their tails
  it.each([[3, 5, 7], [6, 5, 9]])('backward matches central finite differences (N=%i, C=%i, OC=%i) and accumulates', (N, C, OC) => {
    const r = rng(N);
    const inp = randn(r, N * C); // (N,C)
    const weight = randn(r, OC * C, 0.5); // (OC,C)
    const bias = randn(r, OC); // (OC)
    const R = randn(r, N * OC); // (N,OC) probe
    const out = new Float32Array(N * OC); // (N,OC)
    const loss = () => {
      matmulForward(out, inp, weight, bias, N, C, OC);
      return dotLoss(out, R);
    };
    const dinp = new Float32Array(N * C); // (N,C)
    const dweight = new Float32Array(OC * C); // (OC,C)
    const dbias = new Float32Array(OC); // (OC)
    const { first, second } = runTwice(
      () => matmulBackward(dinp, dweight, dbias, R, inp, weight, N, C, OC),
      [dinp, dweight, dbias],
    );
    expectClose(first[0], fdGrad(loss, inp), { ...FD_TOL, label: 'matmul dinp' });
    expectClose(first[1], fdGrad(loss, weight), { ...FD_TOL, label: 'matmul dweight' });
    expectClose(first[2], fdGrad(loss, bias), { ...FD_TOL, label: 'matmul dbias' });
    for (let i = 0; i < 3; i++) expectClose(second[i], twice(first[i]), { atol: 1e-6, rtol: 1e-6, label: `accumulate ${i}` });
  });

  it('skips gradients passed as null (frozen weight) and leaves the others identical', () => {
    const N = 3, C = 5, OC = 7;
    const r = rng(2);
    const inp = randn(r, N * C); // (N,C)
    const weight = randn(r, OC * C); // (OC,C)
    const dout = randn(r, N * OC); // (N,OC)
    const full = new Float32Array(N * C); // (N,C)
    matmulBackward(full, new Float32Array(OC * C), new Float32Array(OC), dout, inp, weight, N, C, OC);
    const only = new Float32Array(N * C); // (N,C)
    matmulBackward(only, null, null, dout, inp, weight, N, C, OC);
    expectClose(only, full, { atol: 0, rtol: 0, label: 'dinp alone' });
    expect(Math.max(...only.map(Math.abs))).toBeGreaterThan(0);
  });

  it('expresses LoRA y = x·Wᵀ + s·(x·Aᵀ)·Bᵀ as the merged weight W + s·B·A', () => {
    const N = 3, C = 5, OC = 7, R = 2, s = 0.75;
    const r = rng(3);
    const x = randn(r, N * C); // (N,C)
    const W = randn(r, OC * C); // (OC,C)
    const A = randn(r, R * C); // (R,C)
    const Bm = randn(r, OC * R); // (OC,R)
    const y = new Float32Array(N * OC); // (N,OC)
    const h = new Float32Array(N * R); // (N,R)
    const delta = new Float32Array(N * OC); // (N,OC)
    matmulForward(y, x, W, null, N, C, OC);
    matmulForward(h, x, A, null, N, C, R);
    matmulForward(delta, h, Bm, null, N, R, OC);
    for (let i = 0; i < y.length; i++) y[i] += s * delta[i];
    const merged = new Float32Array(OC * C); // (OC,C) = W + s·B·A
    for (let o = 0; o < OC; o++)
      for (let c = 0; c < C; c++) {
        let acc = 0;
        for (let k = 0; k < R; k++) acc += Bm[o * R + k] * A[k * C + c];
        merged[o * C + c] = W[o * C + c] + s * acc;
      }
    const yMerged = new Float32Array(N * OC); // (N,OC)
    matmulForward(yMerged, x, merged, null, N, C, OC);
    expectClose(y, yMerged, { atol: 1e-5, rtol: 1e-5, label: 'LoRA vs merged' });
  });
});
