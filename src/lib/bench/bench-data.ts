// Seeded benchmark inputs, with no other imports (the benchmark child processes load only this).

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
