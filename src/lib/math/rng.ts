// Small seeded PRNG (splitmix32 state step + a murmur3-style finaliser), pure 32-bit integer
// ops so Node and every browser produce the same stream from the same seed. Used by the
// problem generator, the datasets and (later) sampling. `fork(label)` derives an independent
// child stream from the parent's seed and a label, without consuming the parent's stream.

export interface Rng {
  /** The seed this stream was created from (after label mixing for forks). */
  readonly seed: number;
  /** Next uniformly distributed unsigned 32-bit integer. */
  nextU32(): number;
  /** Next float in [0, 1) with 32 bits of randomness. */
  nextFloat(): number;
  /** Uniform integer in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T;
  /** A new array with the items in a uniformly random order (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[];
  /** An independent stream derived from this stream's seed and `label` (same label → same stream). */
  fork(label: string | number): Rng;
}

/** FNV-1a over the UTF-16 code units of `text`, as an unsigned 32-bit integer. */
export function hash32(text: string, basis = 0x811c9dc5): number {
  let h = basis >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Murmur3 fmix32: a bijective avalanche of a 32-bit integer. */
function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Turn any finite number or string into a 32-bit seed. */
export function seedFrom(seed: number | string): number {
  if (typeof seed === 'string') return hash32(seed);
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}; pass an integer such as 42`);
  // Fold the high part in so seeds above 2^32 still differ.
  const lo = seed >>> 0;
  const hi = Math.floor(Math.abs(seed) / 4294967296) >>> 0;
  return (lo ^ mix32(hi + 0x9e3779b9)) >>> 0;
}

class SplitMix32 implements Rng {
  readonly seed: number;
  private state: number;

  constructor(seed: number) {
    this.seed = seed >>> 0;
    this.state = this.seed;
  }

  nextU32(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    return mix32(this.state);
  }

  nextFloat(): number {
    return this.nextU32() / 4294967296;
  }

  int(lo: number, hi: number): number {
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || hi < lo) {
      throw new RangeError(`int(lo, hi) needs integers with lo <= hi, got ${lo}, ${hi}`);
    }
    const span = hi - lo + 1;
    if (span > 4294967296) throw new RangeError(`int(lo, hi) range too wide (${span}); keep it within 2^32`);
    // Rejection sampling removes modulo bias.
    const limit = 4294967296 - (4294967296 % span);
    let x = this.nextU32();
    while (x >= limit) x = this.nextU32();
    return lo + (x % span);
  }

  chance(p: number): boolean {
    return this.nextFloat() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick() needs a non-empty array');
    return items[this.int(0, items.length - 1)];
  }

  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      const t = out[i];
      out[i] = out[j];
      out[j] = t;
    }
    return out;
  }

  fork(label: string | number): Rng {
    return new SplitMix32(mix32(hash32(String(label), this.seed ^ 0x811c9dc5) ^ 0x5bd1e995));
  }
}

/** A seeded stream; equal seeds give equal streams everywhere. */
export function createRng(seed: number | string): Rng {
  return new SplitMix32(seedFrom(seed));
}
