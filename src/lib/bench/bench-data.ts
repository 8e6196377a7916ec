// Seeded benchmark inputs, light enough for the benchmark child processes (they load only this and the rng).
import { createRng } from '../math/rng.ts';

/** Deterministic values in [-1, 1) (an LCG: benchmarks need no statistical quality). */
export function benchData(n: number, seed: number): Float32Array {
  const a = new Float32Array(n); // (n)
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 31 - 1;
  }
  return a;
}

/** Seeded token ids in [first, V): avoids the special tokens at the start of the vocabulary. */
export function benchTokens(n: number, V: number, seed: number): number[] {
  const rng = createRng(seed);
  const first = Math.min(16, V - 1);
  return Array.from({ length: n }, () => rng.int(first, V - 1));
}
