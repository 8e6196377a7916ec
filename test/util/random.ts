// Seeded random inputs for tests: mulberry32 uniform generator, normal / uniform / integer
// arrays and 0/1 masks. Same seed, same arrays, on every machine.

/** Deterministic uniform [0,1) generator (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** (n) Normal(0, scale²) samples (Box–Muller). */
export function randn(rand: () => number, n: number, scale = 1): Float32Array {
  const out = new Float32Array(n); // (n)
  for (let i = 0; i < n; i++) {
    const u = Math.max(rand(), 1e-12);
    out[i] = scale * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  }
  return out;
}

/** (n) uniform samples in [lo, hi). */
export function randu(rand: () => number, n: number, lo: number, hi: number): Float32Array {
  const out = new Float32Array(n); // (n)
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * rand();
  return out;
}

/** (n) integers uniform in [0, max). */
export function randint(rand: () => number, n: number, max: number): Int32Array {
  const out = new Int32Array(n); // (n)
  for (let i = 0; i < n; i++) out[i] = Math.floor(rand() * max);
  return out;
}

/** (n) 0/1 mask with P(1) = p. */
export function randmask(rand: () => number, n: number, p: number): Uint32Array {
  const out = new Uint32Array(n); // (n)
  for (let i = 0; i < n; i++) out[i] = rand() < p ? 1 : 0;
  return out;
}
