// embedding: lookup picks rows by token; backward scatters (with repeated tokens summed),
// checked by finite differences, plus out-of-vocabulary ids rejected.
import { describe, expect, it } from 'vitest';
import { embeddingBackward, embeddingForward } from '../../../src/lib/ref/embedding.ts';
import { ShapeError } from '../../../src/lib/errors.ts';
import { expectClose } from '../../util/compare.ts';
import { dotLoss, FD_TOL, fdGrad, randn, rng, runTwice, twice } from './fd.ts';

describe('embedding reference', () => {
  const N = 5, C = 3, V = 7;
  const tokens = new Int32Array([4, 0, 4, 6, 2]); // (N) token 4 repeats

  it('copies the wte row of each token', () => {
    const wte = randn(rng(1), V * C); // (V,C)
    const out = new Float32Array(N * C); // (N,C)
    embeddingForward(out, tokens, wte, N, C, V);
    for (let n = 0; n < N; n++) {
      expectClose(out.subarray(n * C, n * C + C), wte.subarray(tokens[n] * C, tokens[n] * C + C), {
        atol: 0, rtol: 0, label: `row ${n}`,
      });
    }
  });

  it('backward matches finite differences, sums repeated tokens and accumulates', () => {
    const r = rng(2);
    const wte = randn(r, V * C); // (V,C)
    const R = randn(r, N * C); // (N,C)
    const out = new Float32Array(N * C); // (N,C)
    const loss = () => {
      embeddingForward(out, tokens, wte, N, C, V);
      return dotLoss(out, R);
    };
    const dwte = new Float32Array(V * C); // (V,C)
    const { first, second } = runTwice(() => embeddingBackward(dwte, R, tokens, N, C, V), [dwte]);
    expectClose(first[0], fdGrad(loss, wte), { ...FD_TOL, label: 'embedding dwte' });
    expectClose(first[0].subarray(4 * C, 5 * C), [0, 1, 2].map((c) => R[c] + R[2 * C + c]), {
      atol: 1e-6, rtol: 0, label: 'token 4 = rows 0 + 2',
    });
    expectClose(first[0].subarray(C, 2 * C), [0, 0, 0], { atol: 0, rtol: 0, label: 'unused token 1' });
    expectClose(second[0], twice(first[0]), { atol: 1e-6, rtol: 1e-6, label: 'accumulate' });
  });

  it('rejects a token id outside the vocabulary', () => {
    const out = new Float32Array(N * C); // (N,C)
    const bad = new Int32Array([0, 1, 7, 2, 3]); // (N)
    expect(() => embeddingForward(out, bad, new Float32Array(V * C), N, C, V)).toThrow(ShapeError);
    expect(() => embeddingForward(out, bad, new Float32Array(V * C), N, C, V)).toThrow(/tokens\[2\] = 7/);
  });
});
