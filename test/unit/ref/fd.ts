// Finite-difference helpers for the CPU reference tests (the seeded RNG and random arrays are
// re-exported from test/util/random.ts): the scalar probe loss L = Σ out·R, and central differences on Float32 inputs that divide
// by the step actually taken after f32 rounding.

export { randn, rng } from '../../util/random.ts';

/** Σ out·R in float64: the scalar loss whose gradient w.r.t. out is R. */
export function dotLoss(out: ArrayLike<number>, R: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < out.length; i++) s += out[i] * R[i];
  return s;
}

/**
 * Central differences of `loss()` w.r.t. every element of `x` (perturbed in place, then
 * restored): (L(x+h) − L(x−h)) / (x₊ − x₋), with x± rounded to f32 as the forward sees them.
 */
export function fdGrad(loss: () => number, x: Float32Array, h = 1e-2): Float64Array {
  const g = new Float64Array(x.length); // same shape as x
  for (let i = 0; i < x.length; i++) {
    const orig = x[i];
    x[i] = orig + h;
    const xp = x[i];
    const lp = loss();
    x[i] = orig - h;
    const xm = x[i];
    const lm = loss();
    x[i] = orig;
    g[i] = (lp - lm) / (xp - xm);
  }
  return g;
}

/** FD vs analytic tolerance: observed FD error with h = 1e-2 in f32 is < 1e-4 on these shapes;
 *  this leaves ~5× headroom for float noise and still rejects a 5% error in one element. */
export const FD_TOL = { atol: 5e-4, rtol: 5e-3 } as const;

/**
 * Backward functions accumulate: run `backward` once into zeroed `grads`, snapshot, run it
 * again and return the snapshots plus the doubled arrays (callers check doubled ≈ 2·first).
 */
export function runTwice(backward: () => void, grads: Float32Array[]): { first: Float32Array[]; second: Float32Array[] } {
  for (const g of grads) g.fill(0);
  backward();
  const first = grads.map((g) => g.slice());
  backward();
  return { first, second: grads.map((g) => g.slice()) };
}

/** 2·x, for comparing a second accumulation against the first. */
export function twice(x: Float32Array): Float32Array {
  return x.map((v) => 2 * v);
}
