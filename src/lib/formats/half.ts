// IEEE half (f16) and bfloat16 (bf16) conversions, by hand, on bit patterns.
// f32 → f16/bf16 rounds to nearest, ties to even; subnormals, ±0, ±inf and NaN are kept
// (NaN stays NaN, quieted). f16/bf16 → f32 is exact. Array versions work on raw bits
// (Uint16Array) so NaN payloads survive a round trip.

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

/** The f32 bit pattern of `x` (after rounding `x` to f32). */
export function f32Bits(x: number): number {
  scratchF32[0] = x;
  return scratchU32[0];
}

/** The f32 value with bit pattern `bits`. */
export function f32FromBits(bits: number): number {
  scratchU32[0] = bits >>> 0;
  return scratchF32[0];
}

/** f32 bit pattern → f16 bit pattern, round to nearest even. */
export function f32BitsToF16Bits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) {
    // inf stays inf; NaN keeps its top mantissa bits and gets the quiet bit.
    return mant === 0 ? sign | 0x7c00 : sign | 0x7e00 | (mant >>> 13);
  }
  const e = exp - 127 + 15; // biased f16 exponent
  if (e >= 0x1f) return sign | 0x7c00; // overflow → inf
  if (e <= 0) {
    // f16 subnormal (or zero): value = m · 2^-24 with m = full >> shift.
    if (e < -10) return sign; // below half the smallest subnormal → ±0
    const full = mant | 0x800000;
    const shift = 14 - e; // 14..24
    const m = full >>> shift;
    const rest = full & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    const up = rest > half || (rest === half && (m & 1) === 1) ? 1 : 0;
    return sign | (m + up); // m + up may reach 0x400 = smallest normal: still correct
  }
  const m = mant >>> 13;
  const rest = mant & 0x1fff;
  let h = (e << 10) | m;
  if (rest > 0x1000 || (rest === 0x1000 && (m & 1) === 1)) h += 1; // carry may reach inf: correct
  return sign | h;
}

/** f16 bit pattern → f32 bit pattern (exact). */
export function f16BitsToF32Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >>> 10) & 0x1f;
  let mant = h & 0x3ff;
  if (exp === 0x1f) return (sign | 0x7f800000 | (mant << 13)) >>> 0;
  if (exp === 0) {
    if (mant === 0) return sign >>> 0;
    // Subnormal: normalise.
    let e = -14;
    while ((mant & 0x400) === 0) {
      mant <<= 1;
      e--;
    }
    mant &= 0x3ff;
    return (sign | ((e + 127) << 23) | (mant << 13)) >>> 0;
  }
  return (sign | ((exp - 15 + 127) << 23) | (mant << 13)) >>> 0;
}

/** f32 bit pattern → bf16 bit pattern, round to nearest even. */
export function f32BitsToBf16Bits(x: number): number {
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) {
    return ((x >>> 16) | 0x0040) & 0xffff; // NaN: keep sign and top payload, force quiet
  }
  const lsb = (x >>> 16) & 1;
  return (((x >>> 0) + 0x7fff + lsb) >>> 16) & 0xffff; // overflow rounds to inf: correct
}

/** bf16 bit pattern → f32 bit pattern (exact). */
export function bf16BitsToF32Bits(b: number): number {
  return ((b & 0xffff) << 16) >>> 0;
}

// ---- number-level helpers -----------------------------------------------------------

export const f32ToF16Bits = (x: number): number => f32BitsToF16Bits(f32Bits(x));
export const f16BitsToF32 = (h: number): number => f32FromBits(f16BitsToF32Bits(h));
export const f32ToBf16Bits = (x: number): number => f32BitsToBf16Bits(f32Bits(x));
export const bf16BitsToF32 = (b: number): number => f32FromBits(bf16BitsToF32Bits(b));

// ---- array helpers (bits in, bits out; no NaN canonicalisation) --------------------

/** Float32Array (N) → f16 bits (N). */
export function f32ArrayToF16(src: Float32Array): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = f32BitsToF16Bits(bits[i]);
  return out;
}

/** f16 bits (N) → Float32Array (N). */
export function f16ArrayToF32(src: Uint16Array): Float32Array {
  const out = new Float32Array(src.length);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < src.length; i++) bits[i] = f16BitsToF32Bits(src[i]);
  return out;
}

/** Float32Array (N) → bf16 bits (N). */
export function f32ArrayToBf16(src: Float32Array): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = f32BitsToBf16Bits(bits[i]);
  return out;
}

/** bf16 bits (N) → Float32Array (N). */
export function bf16ArrayToF32(src: Uint16Array): Float32Array {
  const out = new Float32Array(src.length);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < src.length; i++) bits[i] = src[i] << 16;
  return out;
}
