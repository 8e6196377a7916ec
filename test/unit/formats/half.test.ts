// f16 / bf16 conversions: known bit patterns (subnormals, inf, NaN, ties to even), an exhaustive
// f16 → f32 → f16 round trip, and a property check of round-to-nearest-even against neighbours.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  bf16ArrayToF32, bf16BitsToF32, f16ArrayToF32, f16BitsToF32, f16BitsToF32Bits, f32ArrayToBf16, f32ArrayToF16,
  f32BitsToBf16Bits, f32BitsToF16Bits, f32FromBits, f32ToBf16Bits, f32ToF16Bits,
} from '../../../src/lib/formats/half.ts';

const hex = (n: number): string => `0x${n.toString(16)}`;
/** it.each rows with hex renderings for readable test names. */
const rows = (cases: [number, number][]) => cases.map(([a, b]) => ({ a, b, ah: hex(a), bh: hex(b) }));

const isF16Nan = (h: number): boolean => (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;

describe('f32 → f16', () => {
  it.each(rows([
    [1, 0x3c00], [-2, 0xc000], [0.5, 0x3800], [0, 0x0000], [-0, 0x8000],
    [65504, 0x7bff], // largest finite
    [65519, 0x7bff], // below the tie: rounds down
    [65520, 0x7c00], // tie between 65504 (odd mantissa) and 2^16: even side is inf
    [1e6, 0x7c00], [Infinity, 0x7c00], [-Infinity, 0xfc00],
    [2 ** -14, 0x0400], // smallest normal
    [2 ** -24, 0x0001], // smallest subnormal
    [1023 * 2 ** -24, 0x03ff], // largest subnormal
    [2 ** -25, 0x0000], // tie between 0 and 2^-24: even is 0
    [3 * 2 ** -25, 0x0002], // tie between 1 and 2 (× 2^-24): even is 2
    [5 * 2 ** -25, 0x0002], // tie between 2 and 3: even is 2
    [2 ** -26, 0x0000], [-(2 ** -24), 0x8001],
    [1 + 2 ** -11, 0x3c00], // tie between 0x3c00 and 0x3c01: even
    [1 + 3 * 2 ** -11, 0x3c02], // tie between 0x3c01 and 0x3c02: even
    [1 + 2 ** -11 + 2 ** -20, 0x3c01], // just above the tie
    [0.1, 0x2e66], [1 / 3, 0x3555],
    [2047 * 2 ** -25, 0x0400], // rounds up out of the subnormal range into the smallest normal
  ] as [number, number][]))('$a → $bh', ({ a, b }) => {
    expect(hex(f32ToF16Bits(a))).toBe(hex(b));
  });

  it('just above half the smallest subnormal rounds up, not to zero', () => {
    expect(f32ToF16Bits(2 ** -25 * (1 + 2 ** -23))).toBe(0x0001);
  });

  it('keeps NaN as a quiet NaN, with sign', () => {
    expect(isF16Nan(f32ToF16Bits(NaN))).toBe(true);
    expect(f32BitsToF16Bits(0x7f800001) & 0x7e00).toBe(0x7e00); // signalling NaN gets the quiet bit
    expect(f32BitsToF16Bits(0xffc00000) & 0x8000).toBe(0x8000);
  });

  it('rounds every finite f32 to a nearest f16, ties to even (property)', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, noDefaultInfinity: true, min: Math.fround(-65519.99), max: Math.fround(65519.99) }), (x) => {
        const h = f32ToF16Bits(x);
        const err = Math.abs(x - f16BitsToF32(h));
        // Neighbours in magnitude (same sign); compare distances.
        for (const n of [h - 1, h + 1]) {
          if ((n & 0x8000) !== (h & 0x8000) || (n & 0x7fff) >= 0x7c00 || n < 0) continue;
          const e = Math.abs(x - f16BitsToF32(n));
          expect(e).toBeGreaterThanOrEqual(err);
          if (e === err) expect(h & 1).toBe(0);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('f16 → f32', () => {
  it.each(rows([
    [0x0001, 2 ** -24], [0x03ff, 1023 * 2 ** -24], [0x0400, 2 ** -14], [0x3c00, 1], [0x7bff, 65504],
    [0x7c00, Infinity], [0xfc00, -Infinity], [0xc000, -2],
  ] as [number, number][]))('$ah → $b', ({ a, b }) => {
    expect(f16BitsToF32(a)).toBe(b);
  });

  it('keeps -0 and NaN', () => {
    expect(Object.is(f16BitsToF32(0x8000), -0)).toBe(true);
    expect(Number.isNaN(f16BitsToF32(0x7e00))).toBe(true);
    expect(Number.isNaN(f16BitsToF32(0x7c01))).toBe(true);
  });

  it('round-trips all 65536 bit patterns through f32 (NaN stays NaN, quieted)', () => {
    let bad = 0;
    for (let h = 0; h < 0x10000; h++) {
      const back = f32BitsToF16Bits(f16BitsToF32Bits(h));
      const want = isF16Nan(h) ? h | 0x0200 : h;
      if (back !== want) bad++;
    }
    expect(bad).toBe(0);
  });

  it('array versions agree with the scalar ones and preserve NaN payload bits', () => {
    const bits = Uint16Array.from([0x0000, 0x8000, 0x0001, 0x3c00, 0x7c00, 0xfc00, 0x7e01, 0x3555]);
    const f = f16ArrayToF32(bits);
    expect([...f].slice(0, 6)).toEqual([0, -0, 2 ** -24, 1, Infinity, -Infinity]);
    expect([...f32ArrayToF16(f)]).toEqual([...bits]);
  });
});

describe('bf16', () => {
  it.each(rows([
    [0x3f800000, 0x3f80], // 1
    [0x3f808000, 0x3f80], // 1 + 2^-8: tie, even stays
    [0x3f818000, 0x3f82], // 1 + 3·2^-8: tie, even rounds up
    [0x3f808001, 0x3f81], // just above the tie
    [0x7f7fffff, 0x7f80], // max f32 rounds to inf
    [0x7f7f7fff, 0x7f7f],
    [0x7f800000, 0x7f80], [0xff800000, 0xff80], // ±inf
    [0x00000001, 0x0000], // f32 subnormal below half a bf16 ulp
    [0x00008000, 0x0000], // tie, even
    [0x00018000, 0x0002], // tie, even rounds up
    [0x00008001, 0x0001],
    [0x80000000, 0x8000], // -0
  ] as [number, number][]))('f32 bits $ah → $bh', ({ a, b }) => {
    expect(hex(f32BitsToBf16Bits(a))).toBe(hex(b));
  });

  it('keeps NaN quiet (a NaN whose payload sits in the low bits does not become inf)', () => {
    expect(f32BitsToBf16Bits(0x7f800001)).toBe(0x7fc0);
    expect(f32BitsToBf16Bits(0xffc00000)).toBe(0xffc0);
    expect(Number.isNaN(bf16BitsToF32(f32ToBf16Bits(NaN)))).toBe(true);
  });

  it('bf16 → f32 is exact, including subnormals', () => {
    expect(bf16BitsToF32(0x3f80)).toBe(1);
    expect(bf16BitsToF32(0x0001)).toBe(f32FromBits(0x00010000));
    expect(bf16BitsToF32(0xc040)).toBe(-3);
  });

  it('array round trip keeps every bf16 pattern', () => {
    const all = new Uint16Array(0x10000).map((_, i) => i);
    const back = f32ArrayToBf16(bf16ArrayToF32(all));
    let bad = 0;
    for (let i = 0; i < 0x10000; i++) {
      const isNan = (i & 0x7f80) === 0x7f80 && (i & 0x7f) !== 0;
      if (back[i] !== (isNan ? i | 0x40 : i)) bad++;
    }
    expect(bad).toBe(0);
  });
});
