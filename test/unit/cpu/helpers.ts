// Shared helpers for the wasm-kernel parity tests: seeded random data and the tolerance for
// f32-accumulated wasm results against the f64-accumulated reference, scaled to the dot length.
import { randn, rng } from '../ref/fd.ts';

export { randn, rng };

/** atol + rtol·|expected| for sums of `K` products of O(1) values accumulated in f32. */
export function dotTol(K: number): { atol: number; rtol: number } {
  const s = Math.sqrt(Math.max(1, K));
  return { atol: 1e-5 * s, rtol: 1e-5 * s };
}

/** A copy of `a` (to compare "before" and "after" of accumulated gradients). */
export function clone(a: Float32Array): Float32Array {
  return Float32Array.from(a);
}
