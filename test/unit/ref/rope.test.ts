// rope (HF rotate_half): identity at position 0, norm preservation, the HS=2 plane rotation,
// pairing of channel i with i+HS/2, relative-position invariance of q·k, FD backward.
import { describe, expect, it } from 'vitest';
import { ropeBackward, ropeForward } from '../../../src/lib/ref/rope.ts';
import { ShapeError } from '../../../src/lib/errors.ts';
import { expectClose } from '../../util/compare.ts';
import { dotLoss, FD_TOL, fdGrad, randn, rng, runTwice, twice } from './fd.ts';

const norm = (x: Float32Array) => Math.sqrt(x.reduce((s, v) => s + v * v, 0));

describe('rope reference', () => {
  it('is the identity at position 0 and preserves every head norm elsewhere', () => {
    const N = 3, NH = 2, HS = 6;
    const inp = randn(rng(1), N * NH * HS); // (N,NH,HS)
    const out = new Float32Array(N * NH * HS); // (N,NH,HS)
    ropeForward(out, inp, new Int32Array(N), N, NH, HS, 10000);
    expectClose(out, inp, { atol: 0, rtol: 0, label: 'position 0' });
    ropeForward(out, inp, new Int32Array([1, 7, 250]), N, NH, HS, 10000);
    for (let j = 0; j < N * NH; j++) {
      const a = inp.subarray(j * HS, j * HS + HS);
      const b = out.subarray(j * HS, j * HS + HS);
      expect(norm(b)).toBeCloseTo(norm(a), 5);
    }
    expect(norm(out.subarray(HS, 2 * HS).map((v, i) => v - inp[HS + i]))).toBeGreaterThan(1e-3);
  });

  it('rotates the (x0, x1) plane by pos radians when HS = 2, and pairs i with i+HS/2', () => {
    const out = new Float32Array(2); // (N=1,NH=1,HS=2)
    ropeForward(out, new Float32Array([1, 0]), new Int32Array([2]), 1, 1, 2, 10000);
    expectClose(out, [Math.cos(2), Math.sin(2)], { atol: 1e-7, rtol: 0, label: 'unit vector at pos 2' });
    // HS = 4: channel 0 pairs with channel 2 (freq 1), channel 1 with channel 3 (freq theta^-1/2)
    const out4 = new Float32Array(4); // (1,1,4)
    ropeForward(out4, new Float32Array([1, 0, 0, 0]), new Int32Array([1]), 1, 1, 4, 100);
    expectClose(out4, [Math.cos(1), 0, Math.sin(1), 0], { atol: 1e-7, rtol: 0, label: 'rotate_half pairing' });
    ropeForward(out4, new Float32Array([0, 1, 0, 0]), new Int32Array([1]), 1, 1, 4, 100);
    expectClose(out4, [0, Math.cos(0.1), 0, Math.sin(0.1)], { atol: 1e-7, rtol: 0, label: 'second pair freq 100^-0.5' });
  });

  it('makes q·k depend only on the position difference', () => {
    const HS = 8;
    const r = rng(2);
    const q = randn(r, HS); // (1,1,HS)
    const k = randn(r, HS); // (1,1,HS)
    const dotAt = (pq: number, pk: number) => {
      const rq = new Float32Array(HS); // (HS)
      const rk = new Float32Array(HS); // (HS)
      ropeForward(rq, q, new Int32Array([pq]), 1, 1, HS, 10000);
      ropeForward(rk, k, new Int32Array([pk]), 1, 1, HS, 10000);
      return dotLoss(rq, rk);
    };
    expect(dotAt(5, 2)).toBeCloseTo(dotAt(13, 10), 4);
    expect(dotAt(5, 2)).not.toBeCloseTo(dotAt(5, 4), 2);
  });

  it('backward (rotation by −angle) matches central finite differences and accumulates', () => {
    const N = 3, NH = 3, HS = 6;
    const r = rng(3);
    const inp = randn(r, N * NH * HS); // (N,NH,HS)
    const R = randn(r, N * NH * HS); // (N,NH,HS)
    const positions = new Int32Array([0, 3, 11]); // (N)
    const out = new Float32Array(N * NH * HS); // (N,NH,HS)
    const loss = () => {
      ropeForward(out, inp, positions, N, NH, HS, 10000);
      return dotLoss(out, R);
    };
    const dinp = new Float32Array(N * NH * HS); // (N,NH,HS)
    const { first, second } = runTwice(() => ropeBackward(dinp, R, positions, N, NH, HS, 10000), [dinp]);
    expectClose(first[0], fdGrad(loss, inp), { ...FD_TOL, label: 'rope dinp' });
    expectClose(second[0], twice(first[0]), { atol: 1e-6, rtol: 1e-6, label: 'accumulate' });
  });

  it('works in place and rejects an odd head size', () => {
    const x = randn(rng(4), 12); // (N=2,NH=1,HS=6)
    const ref = new Float32Array(12); // (2,1,6)
    ropeForward(ref, x, new Int32Array([3, 4]), 2, 1, 6, 500);
    ropeForward(x, x, new Int32Array([3, 4]), 2, 1, 6, 500);
    expectClose(x, ref, { atol: 0, rtol: 0, label: 'in place' });
    expect(() => ropeForward(new Float32Array(5), new Float32Array(5), new Int32Array(1), 1, 1, 5, 1e4)).toThrow(ShapeError);
  });
});
