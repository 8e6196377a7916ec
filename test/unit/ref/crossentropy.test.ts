// Cross-entropy (weighted SFT loss) and span sequence log-probs: a hand-computed 3-token
// example, ignored rows, Σweights = 0, stability, and FD gradients for both backwards.
import { describe, expect, it } from 'vitest';
import {
  crossEntropyBackward, crossEntropyForward, seqLogprobBackward, seqLogprobForward,
} from '../../../src/lib/ref/crossentropy.ts';
import { ShapeError } from '../../../src/lib/errors.ts';
import { expectClose } from '../../util/compare.ts';
import { dotLoss, FD_TOL, fdGrad, randn, rng, runTwice, twice } from './fd.ts';

const LN2 = Math.log(2), LN3 = Math.log(3);

describe('cross-entropy reference', () => {
  // Rows (V=3): [0,0,0]→t1: −log(1/3) = ln3 ; [0,ln2,ln3]→t2: softmax = (1,2,3)/6, −log(1/2) = ln2 ;
  // [5,5,5]→t0 with weight 2: 2·ln3 ; a 4th row with weight 0 and target −1 is ignored.
  const logits = new Float32Array([0, 0, 0, 0, LN2, LN3, 5, 5, 5, 9, -9, 1]); // (N=4,V=3)
  const targets = new Int32Array([1, 2, 0, -1]); // (N)
  const weights = new Float32Array([1, 1, 2, 0]); // (N)

  it('equals the hand-computed loss (3 ln3 + ln2) / 4 for a 3-token example', () => {
    const losses = new Float32Array(4); // (N)
    const lse = new Float32Array(4); // (N)
    const loss = crossEntropyForward(losses, lse, logits, targets, weights, 4, 3);
    expect(loss).toBeCloseTo((3 * LN3 + LN2) / 4, 6);
    expectClose(losses, [LN3, LN2, 2 * LN3, 0], { atol: 1e-6, rtol: 1e-6, label: 'per-row losses' });
    expectClose(lse, [LN3, Math.log(6), 5 + LN3, Math.log(Math.exp(9) + Math.exp(-9) + Math.exp(1))], {
      atol: 1e-6, rtol: 1e-6, label: 'logsumexp (every row)',
    });
    // gradient of row 1: (w/Σw)·(softmax − onehot) = (1/4)·(1/6, 1/3, −1/2); row 3 untouched
    const dlogits = new Float32Array(12); // (N,V)
    crossEntropyBackward(dlogits, logits, lse, targets, weights, 4, 3);
    expectClose(dlogits.subarray(3, 6), [1 / 24, 1 / 12, -1 / 8], { atol: 1e-7, rtol: 1e-6, label: 'row 1 grad' });
    expectClose(dlogits.subarray(9, 12), [0, 0, 0], { atol: 0, rtol: 0, label: 'ignored row grad' });
  });

  it('weights = null means every row scored once; Σweights = 0 gives loss 0 and no gradient', () => {
    const l = new Float32Array(3); // (N)
    const lse = new Float32Array(3); // (N)
    const three = logits.subarray(0, 9); // (N=3,V)
    expect(crossEntropyForward(l, lse, three, targets.subarray(0, 3), null, 3, 3)).toBeCloseTo((2 * LN3 + LN2) / 3, 6);
    const zero = new Float32Array(3); // (N)
    expect(crossEntropyForward(l, lse, three, targets.subarray(0, 3), zero, 3, 3)).toBe(0);
    const d = new Float32Array(9); // (N,V)
    crossEntropyBackward(d, three, lse, targets.subarray(0, 3), zero, 3, 3);
    expect(d.every((x) => x === 0)).toBe(true);
  });

  it('is stable for huge logits and rejects an out-of-range target on a scored row', () => {
    const big = new Float32Array([1e4, 0, -1e4]); // (N=1,V=3)
    const l = new Float32Array(1); // (N)
    const lse = new Float32Array(1); // (N)
    expect(crossEntropyForward(l, lse, big, new Int32Array([1]), null, 1, 3)).toBeCloseTo(1e4, 3);
    expect(() => crossEntropyForward(l, lse, big, new Int32Array([3]), null, 1, 3)).toThrow(ShapeError);
  });

  it('backward matches central finite differences (N=5, V=7, mixed weights) and accumulates', () => {
    const N = 5, V = 7;
    const r = rng(1);
    const lg = randn(r, N * V, 2); // (N,V)
    const tg = new Int32Array([3, 0, -1, 6, 2]); // (N)
    const w = new Float32Array([1, 2.5, 0, 1, 0.5]); // (N)
    const losses = new Float32Array(N); // (N)
    const lse = new Float32Array(N); // (N)
    const dloss = 1.7;
    const loss = () => dloss * crossEntropyForward(losses, lse, lg, tg, w, N, V);
    loss();
    const dl = new Float32Array(N * V); // (N,V)
    const { first, second } = runTwice(() => crossEntropyBackward(dl, lg, lse, tg, w, N, V, dloss), [dl]);
    expectClose(first[0], fdGrad(loss, lg), { ...FD_TOL, label: 'CE dlogits' });
    expectClose(second[0], twice(first[0]), { atol: 1e-6, rtol: 1e-6, label: 'accumulate' });
  });
});

describe('sequence log-prob reference', () => {
  it('sums log-probs over the span only', () => {
    // B=1, T=3, V=3: span covers t=1,2: log(2/6) + log(1/3)
    const lg = new Float32Array([9, 9, 9, 0, LN2, LN3, 0, 0, 0]); // (N=3,V)
    const seq = new Float32Array(1); // (B)
    seqLogprobForward(seq, new Float32Array(3), lg, new Int32Array([-1, 1, 2]), new Uint8Array([0, 1, 1]), 1, 3, 3);
    expect(seq[0]).toBeCloseTo(Math.log(1 / 3) + Math.log(1 / 3), 6);
  });

  it('backward matches central finite differences (B=2, T=4, V=5) and accumulates', () => {
    const B = 2, T = 4, V = 5, N = B * T;
    const r = rng(2);
    const lg = randn(r, N * V, 2); // (N,V)
    const tg = new Int32Array([0, 4, 2, -1, 1, 1, 3, 0]); // (N)
    const mask = new Uint8Array([0, 1, 1, 0, 1, 1, 1, 1]); // (N)
    const R = randn(r, B); // (B) probe on seqLogp
    const seq = new Float32Array(B); // (B)
    const lse = new Float32Array(N); // (N)
    const loss = () => {
      seqLogprobForward(seq, lse, lg, tg, mask, B, T, V);
      return dotLoss(seq, R);
    };
    loss();
    const dl = new Float32Array(N * V); // (N,V)
    const { first, second } = runTwice(() => seqLogprobBackward(dl, R, lg, lse, tg, mask, B, T, V), [dl]);
    expectClose(first[0], fdGrad(loss, lg), { ...FD_TOL, label: 'seqLogprob dlogits' });
    expectClose(second[0], twice(first[0]), { atol: 1e-6, rtol: 1e-6, label: 'accumulate' });
    expect(first[0].subarray(0, V).every((x) => x === 0)).toBe(true); // masked row
  });
});
