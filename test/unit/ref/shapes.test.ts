// Argument validation: every op family throws a ShapeError naming the argument, its length
// and the expected length (or the bad size), so the caller knows what to fix.
import { describe, expect, it } from 'vitest';
import * as ref from '../../../src/lib/ref/index.ts';
import { ShapeError } from '../../../src/lib/errors.ts';

const f = (n: number) => new Float32Array(n);

describe('reference op argument checks', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['embeddingForward', () => ref.embeddingForward(f(6), new Int32Array(2), f(10), 2, 3, 4), /wte has length 10, expected 12 \(V,C\)/],
    ['embeddingBackward', () => ref.embeddingBackward(f(12), f(5), new Int32Array(2), 2, 3, 4), /dout has length 5, expected 6/],
    ['rmsnormForward', () => ref.rmsnormForward(f(6), f(3), f(6), f(3), 2, 3, 1e-5), /rstd has length 3, expected 2/],
    ['rmsnormBackward', () => ref.rmsnormBackward(null, f(2), f(6), f(6), f(3), f(2), 2, 3), /dweight has length 2, expected 3/],
    ['matmulForward', () => ref.matmulForward(f(8), f(6), f(12), f(3), 2, 3, 4), /bias has length 3, expected 4/],
    ['matmulBackward', () => ref.matmulBackward(f(6), null, null, f(8), f(6), f(11), 2, 3, 4), /weight has length 11, expected 12/],
    ['matmulForward sizes', () => ref.matmulForward(f(0), f(0), f(0), null, 0, 3, 4), /size N = 0 is not a positive integer/],
    ['ropeBackward', () => ref.ropeBackward(f(8), f(8), new Int32Array(3), 2, 1, 4, 1e4), /positions has length 3, expected 2/],
    ['attentionBackward', () => ref.attentionBackward(f(4), f(4), f(4), f(4), f(4), f(4), f(4), f(3), 1, 2, 1, 1, 2), /att has length 3, expected 4/],
    ['swigluForward', () => ref.swigluForward(f(6), f(6), f(5), 2, 3), /up has length 5, expected 6/],
    ['residualForward', () => ref.residualForward(f(4), f(4), f(3), 4), /b has length 3, expected 4/],
    ['crossEntropyForward', () => ref.crossEntropyForward(f(2), f(2), f(6), new Int32Array(2), f(3), 2, 3), /weights has length 3, expected 2/],
    ['seqLogprobForward', () => ref.seqLogprobForward(f(2), f(4), f(12), new Int32Array(4), new Uint8Array(3), 2, 2, 3), /spanMask has length 3, expected 4/],
    ['seqLogprobBackward', () => ref.seqLogprobBackward(f(12), f(1), f(12), f(4), new Int32Array(4), new Uint8Array(4), 2, 2, 3), /dseqLogp has length 1, expected 2/],
  ];
  for (const [name, call, message] of cases) {
    it(`${name} names the wrong argument`, () => {
      expect(call).toThrow(ShapeError);
      expect(call).toThrow(message);
    });
  }
});
