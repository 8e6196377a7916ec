// The seeded PRNG: determinism, ranges, permutations, forks.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/lib/math/rng.ts';
import { seedArb } from './helpers.ts';

const draw = (seed: number, n: number) => {
  const r = createRng(seed);
  return Array.from({ length: n }, () => r.nextU32());
};

describe('createRng', () => {
  it('gives the same stream for the same seed and different streams for different seeds', () => {
    fc.assert(
      fc.property(seedArb, seedArb, (a, b) => {
        expect(draw(a, 16)).toEqual(draw(a, 16));
        if (a !== b) expect(draw(a, 16)).not.toEqual(draw(b, 16));
      }),
      { numRuns: 200 },
    );
  });

  it('keeps int(lo, hi) within bounds and nextFloat in [0, 1)', () => {
    fc.assert(
      fc.property(seedArb, fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 0, max: 5000 }), (s, lo, span) => {
        const r = createRng(s);
        for (let i = 0; i < 20; i++) {
          const x = r.int(lo, lo + span);
          expect(Number.isInteger(x) && x >= lo && x <= lo + span).toBe(true);
          const f = r.nextFloat();
          expect(f >= 0 && f < 1).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('is roughly uniform over a small range', () => {
    const r = createRng(123);
    const counts = new Array(6).fill(0);
    const n = 60_000;
    for (let i = 0; i < n; i++) counts[r.int(0, 5)]++;
    for (const c of counts) expect(Math.abs(c - n / 6)).toBeLessThan(n / 6 * 0.05);
  });

  it('shuffles into a permutation and picks members', () => {
    fc.assert(
      fc.property(seedArb, fc.array(fc.integer(), { minLength: 1, maxLength: 40 }), (s, xs) => {
        const r = createRng(s);
        const sh = r.shuffle(xs);
        expect([...sh].sort((a, b) => a - b)).toEqual([...xs].sort((a, b) => a - b));
        expect(xs).toContain(r.pick(xs));
      }),
    );
  });

  it('forks by label, independently of how much the parent has drawn', () => {
    const a = createRng(7);
    const b = createRng(7);
    for (let i = 0; i < 10; i++) b.nextU32();
    expect(a.fork('x').nextU32()).toBe(b.fork('x').nextU32());
    expect(a.fork('x').nextU32()).not.toBe(a.fork('y').nextU32());
    expect(createRng(8).fork('x').nextU32()).not.toBe(a.fork('x').nextU32());
  });

  it('rejects bad arguments with a clear error', () => {
    const r = createRng(1);
    expect(() => r.int(5, 4)).toThrow(/lo <= hi/);
    expect(() => r.pick([])).toThrow(/non-empty/);
    expect(() => createRng(Number.NaN)).toThrow(/finite/);
  });
});
