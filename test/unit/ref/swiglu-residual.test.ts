// swiglu and residual: closed-form values (silu(0)=0, silu large = x), FD gradients, accumulation.
import { describe, expect, it } from 'vitest';
import { residualBackward, residualForward } from '../../../src/lib/ref/residual.ts';
import { swigluBackward, swigluForward } from '../../../src/lib/ref/swiglu.ts';
import { expectClose } from '../../util/compare.ts';
import { dotLoss, FD_TOL, fdGrad, randn, rng, runTwice, twice } from './fd.ts';

describe('swiglu reference', () => {
  it('computes silu(gate)·up on hand values', () => {
    const gate = new Float32Array([0, 1, -1, 30, -30]); // (N=1,I=5)
    const up = new Float32Array([5, 2, 2, 0.5, 1]); // (1,5)
    const out = new Float32Array(5); // (1,5)
    swigluForward(out, gate, up, 1, 5);
    const silu = (x: number) => x / (1 + Math.exp(-x));
    expectClose(out, [0, 2 * silu(1), 2 * silu(-1), 15, 0], { atol: 1e-6, rtol: 1e-6, label: 'swiglu hand' });
  });

  it('backward matches central finite differences (N=3, I=7) and accumulates', () => {
    const N = 3, I = 7;
    const r = rng(1);
    const gate = randn(r, N * I, 2); // (N,I)
    const up = randn(r, N * I); // (N,I)
    const R = randn(r, N * I); // (N,I)
    const out = new Float32Array(N * I); // (N,I)
    const loss = () => {
      swigluForward(out, gate, up, N, I);
      return dotLoss(out, R);
    };
    const dgate = new Float32Array(N * I); // (N,I)
    const dup = new Float32Array(N * I); // (N,I)
    const { first, second } = runTwice(() => swigluBackward(dgate, dup, R, gate, up, N, I), [dgate, dup]);
    expectClose(first[0], fdGrad(loss, gate), { ...FD_TOL, label: 'swiglu dgate' });
    expectClose(first[1], fdGrad(loss, up), { ...FD_TOL, label: 'swiglu dup' });
    expectClose(second[0], twice(first[0]), { atol: 1e-6, rtol: 1e-6, label: 'accumulate dgate' });
    expectClose(second[1], twice(first[1]), { atol: 1e-6, rtol: 1e-6, label: 'accumulate dup' });
  });
});

describe('residual reference', () => {
  it('adds, and its backward matches finite differences for both inputs', () => {
    const n = 11;
    const r = rng(2);
    const a = randn(r, n); // (n)
    const b = randn(r, n); // (n)
    const R = randn(r, n); // (n)
    const out = new Float32Array(n); // (n)
    residualForward(out, a, b, n);
    expectClose(out, [...a].map((x, i) => Math.fround(x + b[i])), { atol: 0, rtol: 0, label: 'a + b' });
    const loss = () => {
      residualForward(out, a, b, n);
      return dotLoss(out, R);
    };
    const da = new Float32Array(n); // (n)
    const db = new Float32Array(n); // (n)
    const { first, second } = runTwice(() => residualBackward(da, db, R, n), [da, db]);
    expectClose(first[0], fdGrad(loss, a), { ...FD_TOL, label: 'residual da' });
    expectClose(first[1], fdGrad(loss, b), { ...FD_TOL, label: 'residual db' });
    expectClose(second[1], twice(first[1]), { atol: 1e-6, rtol: 1e-6, label: 'accumulate db' });
    const dbOnly = new Float32Array(n); // (n)
    residualBackward(null, dbOnly, R, n);
    expect([...dbOnly]).toEqual([...R]);
  });
});
