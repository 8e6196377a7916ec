// Step-DPO loss: log 2 and closed-form gradients when policy == reference, rewards, margins
// and accuracy on a hand example, stability for large margins, FD gradients.
import { describe, expect, it } from 'vitest';
import { dpoBackward, dpoForward } from '../../../src/lib/train/dpo-loss.ts';
import { ShapeError } from '../../../src/lib/errors.ts';
import { expectClose } from '../../util/compare.ts';
import { FD_TOL, fdGrad, randn, rng } from '../ref/fd.ts';

describe('DPO reference', () => {
  it('gives loss log 2 and gradients ∓beta/(2P) when policy == reference', () => {
    const P = 3, beta = 0.4;
    const r = rng(1);
    const pc = randn(r, P, 5); // (P)
    const pr = randn(r, P, 5); // (P)
    const res = dpoForward(pc, pr, pc, pr, beta);
    expect(res.loss).toBeCloseTo(Math.LN2, 7);
    expectClose(res.losses, new Float32Array(P).fill(Math.LN2), { atol: 1e-7, rtol: 0, label: 'losses' });
    expect(res.accuracy).toBe(0);
    expectClose(res.margins, new Float32Array(P), { atol: 0, rtol: 0, label: 'margins' });
    const dpc = new Float32Array(P); // (P)
    const dpr = new Float32Array(P); // (P)
    dpoBackward(dpc, dpr, pc, pr, pc, pr, beta);
    expectClose(dpc, new Float32Array(P).fill(-beta / (2 * P)), { atol: 1e-8, rtol: 1e-6, label: 'dpc' });
    expectClose(dpr, new Float32Array(P).fill(beta / (2 * P)), { atol: 1e-8, rtol: 1e-6, label: 'dpr' });
  });

  it('reports rewards, margins and accuracy on a hand example', () => {
    const beta = 0.5;
    // pair 0: chosen up by 2, rejected down by 2 → z = 0.5·4 = 2 ; pair 1: the reverse → z = −2
    const res = dpoForward(
      new Float32Array([-8, -12]), new Float32Array([-12, -8]),
      new Float32Array([-10, -10]), new Float32Array([-10, -10]), beta,
    );
    expectClose(res.chosenRewards, [1, -1], { atol: 1e-7, rtol: 0, label: 'chosen rewards' });
    expectClose(res.rejectedRewards, [-1, 1], { atol: 1e-7, rtol: 0, label: 'rejected rewards' });
    expectClose(res.margins, [2, -2], { atol: 1e-7, rtol: 0, label: 'margins' });
    expect(res.accuracy).toBe(0.5);
    const softplus = (x: number) => Math.log(1 + Math.exp(x));
    expect(res.loss).toBeCloseTo((softplus(-2) + softplus(2)) / 2, 6);
  });

  it('stays finite for huge margins', () => {
    const res = dpoForward(new Float32Array([1e4, -1e4]), new Float32Array([-1e4, 1e4]), new Float32Array(2), new Float32Array(2), 1);
    expectClose(res.losses, [0, 2e4], { atol: 1e-3, rtol: 1e-6, label: 'softplus extremes' });
  });

  it('backward matches central finite differences (P=5) with dloss', () => {
    const P = 5, beta = 0.3, dloss = 2.5;
    const r = rng(2);
    const pc = randn(r, P, 3); // (P)
    const pr = randn(r, P, 3); // (P)
    const rc = randn(r, P, 3); // (P)
    const rr = randn(r, P, 3); // (P)
    const loss = () => dloss * dpoForward(pc, pr, rc, rr, beta).loss;
    const dpc = new Float32Array(P); // (P)
    const dpr = new Float32Array(P); // (P)
    dpoBackward(dpc, dpr, pc, pr, rc, rr, beta, dloss);
    expectClose(dpc, fdGrad(loss, pc), { ...FD_TOL, label: 'dpo dpc' });
    expectClose(dpr, fdGrad(loss, pr), { ...FD_TOL, label: 'dpo dpr' });
  });

  it('rejects zero pairs and mismatched lengths', () => {
    const e = new Float32Array(0);
    expect(() => dpoForward(e, e, e, e, 0.1)).toThrow(ShapeError);
    expect(() => dpoForward(new Float32Array(2), new Float32Array(2), new Float32Array(3), new Float32Array(2), 0.1))
      .toThrow(/refChosen has length 3, expected 2/);
  });
});
