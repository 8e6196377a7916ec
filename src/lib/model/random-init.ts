// Random initialisers for weights, on top of any uniform source with nextFloat() ∈ [0, 1)
// (structurally compatible with the project's seeded PRNG): normal via Box–Muller, uniform in a range.

/** Anything that yields uniform floats in [0, 1). */
export interface UniformSource {
  nextFloat(): number;
}

/** Fill `out` with N(0, std²) samples (Box–Muller, both outputs used). Returns `out`. */
export function fillNormal(out: Float32Array, std: number, rng: UniformSource): Float32Array {
  for (let i = 0; i < out.length; i += 2) {
    const u1 = 1 - rng.nextFloat(); // (0, 1]: log is finite
    const u2 = rng.nextFloat();
    const r = Math.sqrt(-2 * Math.log(u1)) * std;
    out[i] = r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

/** Fill `out` with U(-bound, bound) samples. Returns `out`. */
export function fillUniform(out: Float32Array, bound: number, rng: UniformSource): Float32Array {
  for (let i = 0; i < out.length; i++) out[i] = (2 * rng.nextFloat() - 1) * bound;
  return out;
}
