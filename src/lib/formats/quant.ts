// Quantized frozen weights for the base model's linear layers (QLoRA-style: LoRA and norms stay f32):
// the formats, quantize / dequantize (dequantize is the reference the tests compare against), byte
// counts, and the one-buffer packing the backends upload. Storage in safetensors: quant-checkpoint.ts.
// CPU matmul on these formats: src/lib/ref/matmul-quant.ts; WGSL: src/lib/kernels/matmul_quant.wgsl.
//
// int8 — per output channel, symmetric: scale[o] = max_c |W[o,c]| / 127, q[o,c] = clamp(round(W/scale), −127, 127)
//   stored as I8 qweight (OC,C) + F32 scales (OC);  W ≈ q·scale[o].
// q4 — group-wise along C, groups of Q4_GROUP = 32, symmetric: scale[o,g] = max |W[o, group g]| / 7,
//   q = clamp(round(W/scale), −7, 7), stored as the unsigned nibble u = q + 8 (1..15; u = 0 decodes as −8 and is
//   accepted on load but never written).  W ≈ (u − 8)·scale[o, c/32].
//   Packing: U8 qweight (OC, G·16) with G = ceil(C/32); byte o·G·16 + c/2 holds element c in its LOW nibble
//   (bits 0–3) when c is even and in its HIGH nibble (bits 4–7) when c is odd — so in a little-endian u32 word,
//   element 8k+i sits at bits 4i..4i+3. When C is not a multiple of 32 the last group is padded LOGICALLY:
//   its scale is computed from the real columns only and the padding nibbles hold 8 (= 0), so a row always
//   takes whole groups (16 bytes each) and every row starts on a 4-byte word.
//   F32 scales (OC, G).
// Why symmetric 4-bit (15 levels, no zero-point) rather than asymmetric scale+min (16 levels): one f32 per
// group instead of two (5 bits/weight instead of 6), zero stays exactly zero (padding, pruned weights), the
// kernels do one multiply per weight and no zero-point algebra, and the round-trip bound is the same as int8's:
// |W − deq(q(W))| ≤ scale/2 per element (clamping never costs more because max|W| maps to exactly ±7 / ±127).
// Rounding is to nearest, ties away from zero (C's roundf), so the format is sign-symmetric.
import { QuantInputError, QuantTensorError } from '../errors.ts';

export type QuantFormat = 'f32' | 'int8' | 'q4';
/** The formats that actually quantize (what a checkpoint can be converted to). */
export type StoredQuantFormat = Exclude<QuantFormat, 'f32'>;

/** Weights per q4 scale. */
export const Q4_GROUP = 32;
/** Largest stored magnitude of each symmetric format. */
export const INT8_QMAX = 127;
export const Q4_QMAX = 7;

/** A linear weight W (OC, C) in one of the formats (HF layout: y = x·Wᵀ). */
export type QuantizedMatrix =
  | { format: 'f32'; OC: number; C: number; data: Float32Array /* (OC,C) */ }
  | { format: 'int8'; OC: number; C: number; data: Int8Array /* (OC,C) */; scales: Float32Array /* (OC) */ }
  | { format: 'q4'; OC: number; C: number; data: Uint8Array /* (OC, G*16) packed nibbles */; scales: Float32Array /* (OC,G) */ };

/** Number of q4 groups per row: ceil(C/32). */
export function q4Groups(C: number): number {
  return Math.ceil(C / Q4_GROUP);
}

/** Bytes one packed q4 row takes: 16 per group (padding included). */
export function q4RowBytes(C: number): number {
  return q4Groups(C) * (Q4_GROUP / 2);
}

/** Storage bytes of an (OC, C) weight in `format` (data + scales). */
export function quantBytes(format: QuantFormat, OC: number, C: number): number {
  switch (format) {
    case 'f32': return 4 * OC * C;
    case 'int8': return OC * C + 4 * OC;
    case 'q4': return OC * q4RowBytes(C) + 4 * OC * q4Groups(C);
  }
}

const isFormat = (f: unknown): f is QuantFormat => f === 'f32' || f === 'int8' || f === 'q4';

/** Round to nearest, ties away from zero. */
const roundAway = (x: number): number => (x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5));

function checkDims(op: string, OC: number, C: number): void {
  for (const [name, v] of [['OC', OC], ['C', C]] as const) {
    if (!Number.isInteger(v) || v <= 0) {
      throw new QuantInputError(`${op}: ${name} = ${v} is not a positive integer; pass the weight's true (OC, C) shape.`);
    }
  }
}

/** Quantize W (OC,C) row-major. Throws QuantInputError on NaN/Inf weights or a bad length/format. */
export function quantize(W: Float32Array, OC: number, C: number, format: QuantFormat): QuantizedMatrix {
  const op = 'quantize';
  checkDims(op, OC, C);
  if (!isFormat(format)) {
    throw new QuantInputError(`${op}: unknown format ${JSON.stringify(format)}; use 'int8', 'q4' or 'f32'.`);
  }
  if (W.length !== OC * C) {
    throw new QuantInputError(`${op}: weight has ${W.length} values but (OC, C) = (${OC}, ${C}) needs ${OC * C}; pass the matching shape.`);
  }
  for (let i = 0; i < W.length; i++) {
    if (!Number.isFinite(W[i])) {
      throw new QuantInputError(
        `${op}: weight element (${Math.floor(i / C)}, ${i % C}) is ${W[i]}; a NaN/Inf weight cannot be quantized — ` +
          'the checkpoint is broken, retrain it or load an earlier one.',
      );
    }
  }
  if (format === 'f32') return { format, OC, C, data: Float32Array.from(W) };
  if (format === 'int8') return quantizeInt8(W, OC, C);
  return quantizeQ4(W, OC, C);
}

function quantizeInt8(W: Float32Array, OC: number, C: number): QuantizedMatrix {
  const data = new Int8Array(OC * C); // (OC,C)
  const scales = new Float32Array(OC); // (OC)
  for (let o = 0; o < OC; o++) {
    const row = o * C;
    let amax = 0;
    for (let c = 0; c < C; c++) amax = Math.max(amax, Math.abs(W[row + c]));
    const scale = Math.fround(amax / INT8_QMAX);
    scales[o] = scale;
    if (scale === 0) continue; // all-zero row (or only subnormals below f32 range): q = 0
    for (let c = 0; c < C; c++) {
      data[row + c] = Math.max(-INT8_QMAX, Math.min(INT8_QMAX, roundAway(W[row + c] / scale)));
    }
  }
  return { format: 'int8', OC, C, data, scales };
}

function quantizeQ4(W: Float32Array, OC: number, C: number): QuantizedMatrix {
  const G = q4Groups(C);
  const rowBytes = q4RowBytes(C);
  const data = new Uint8Array(OC * rowBytes).fill(0x88); // (OC, G*16): padding nibbles = 8 (q = 0)
  const scales = new Float32Array(OC * G); // (OC,G)
  for (let o = 0; o < OC; o++) {
    for (let g = 0; g < G; g++) {
      const c0 = g * Q4_GROUP;
      const c1 = Math.min(C, c0 + Q4_GROUP);
      let amax = 0;
      for (let c = c0; c < c1; c++) amax = Math.max(amax, Math.abs(W[o * C + c]));
      const scale = Math.fround(amax / Q4_QMAX);
      scales[o * G + g] = scale;
      if (scale === 0) continue;
      for (let c = c0; c < c1; c++) {
        const q = Math.max(-Q4_QMAX, Math.min(Q4_QMAX, roundAway(W[o * C + c] / scale)));
        const byte = o * rowBytes + (c >> 1);
        const shift = (c & 1) * 4;
        data[byte] = (data[byte] & ~(0xf << shift)) | ((q + 8) << shift);
      }
    }
  }
  return { format: 'q4', OC, C, data, scales };
}

/** W (OC,C) as f32: q·scale per element, rounded to f32. The reference the quantized matmuls are tested against. */
export function dequantize(q: QuantizedMatrix): Float32Array {
  checkQuantized(q);
  const { OC, C } = q;
  if (q.format === 'f32') return q.data.slice();
  const out = new Float32Array(OC * C); // (OC,C)
  if (q.format === 'int8') {
    for (let o = 0; o < OC; o++) for (let c = 0; c < C; c++) out[o * C + c] = q.data[o * C + c] * q.scales[o];
    return out;
  }
  const G = q4Groups(C);
  const rowBytes = q4RowBytes(C);
  for (let o = 0; o < OC; o++) {
    for (let c = 0; c < C; c++) {
      const byte = q.data[o * rowBytes + (c >> 1)];
      const u = (c & 1) === 0 ? byte & 0xf : byte >> 4;
      out[o * C + c] = (u - 8) * q.scales[o * G + (c >> 5)];
    }
  }
  return out;
}

/** Storage bytes of a quantized matrix (data + scales). */
export function quantizedBytes(q: QuantizedMatrix): number {
  return quantBytes(q.format, q.OC, q.C);
}

/**
 * Throw QuantTensorError unless the matrix is internally consistent: positive integer OC/C, data and scale
 * arrays of the right type and length, scales finite and ≥ 0. `what` names it in the message.
 */
export function checkQuantized(q: QuantizedMatrix, what = 'quantized weight'): void {
  const bad = (why: string): never => {
    throw new QuantTensorError(`${what}: ${why}; re-run \`npm run psr -- quantize\` on the f32 checkpoint to rebuild it.`);
  };
  if (!isFormat(q.format)) bad(`unknown format ${JSON.stringify(q.format)} (expected 'f32', 'int8' or 'q4')`);
  if (!Number.isInteger(q.OC) || q.OC <= 0 || !Number.isInteger(q.C) || q.C <= 0) bad(`shape (OC, C) = (${q.OC}, ${q.C}) is not two positive integers`);
  const { OC, C } = q;
  if (q.format === 'f32') {
    if (!(q.data instanceof Float32Array) || q.data.length !== OC * C) bad(`f32 data must be a Float32Array of ${OC * C} values`);
    return;
  }
  const [dataType, dataLen, scaleLen] =
    q.format === 'int8' ? [Int8Array, OC * C, OC] : [Uint8Array, OC * q4RowBytes(C), OC * q4Groups(C)];
  if (!(q.data instanceof dataType) || q.data.length !== dataLen) {
    bad(`${q.format} data must be a ${dataType.name} of ${dataLen} values, found ${q.data.constructor.name} of ${q.data.length}`);
  }
  if (!(q.scales instanceof Float32Array) || q.scales.length !== scaleLen) {
    bad(`${q.format} scales must be a Float32Array of ${scaleLen} values, found ${q.scales?.constructor?.name} of ${q.scales?.length}`);
  }
  for (let i = 0; i < q.scales.length; i++) {
    const s = q.scales[i];
    if (!Number.isFinite(s) || s < 0) bad(`scale ${i} is ${s}, but scales must be finite and ≥ 0`);
  }
}

// ---- one-buffer packing for the backends ---------------------------------------------------

/**
 * The layout both backends keep a quantized matrix in: one Uint32Array of `words` holding the data bytes
 * (int8: OC·C bytes row-major, padded with zeros to a whole word; q4: OC·G·16 bytes; f32: the float bits),
 * followed at word `scaleOffset` by the scales' f32 bits (none for f32). The WGSL kernels read it as
 * array<u32>: int8 4 weights per word, q4 8 per word, scales via bitcast<f32>.
 */
export interface PackedQuantized {
  format: QuantFormat;
  OC: number;
  C: number;
  words: Uint32Array; // (scaleOffset + scale count)
  scaleOffset: number;
}

export function packQuantized(q: QuantizedMatrix): PackedQuantized {
  checkQuantized(q);
  const dataWords = Math.ceil(q.data.byteLength / 4);
  const scales = q.format === 'f32' ? new Float32Array(0) : q.scales;
  const words = new Uint32Array(dataWords + scales.length);
  new Uint8Array(words.buffer, 0, q.data.byteLength).set(new Uint8Array(q.data.buffer, q.data.byteOffset, q.data.byteLength));
  new Float32Array(words.buffer, dataWords * 4, scales.length).set(scales);
  return { format: q.format, OC: q.OC, C: q.C, words, scaleOffset: dataWords };
}

/** Views (no copy) of a packed matrix as a QuantizedMatrix. */
export function unpackQuantized(p: PackedQuantized): QuantizedMatrix {
  const { format, OC, C, words, scaleOffset } = p;
  const buf = words.buffer;
  const at = words.byteOffset;
  if (format === 'f32') return { format, OC, C, data: new Float32Array(buf, at, OC * C) };
  const scaleCount = format === 'int8' ? OC : OC * q4Groups(C);
  const scales = new Float32Array(buf, at + scaleOffset * 4, scaleCount);
  if (format === 'int8') return { format, OC, C, data: new Int8Array(buf, at, OC * C), scales };
  return { format, OC, C, data: new Uint8Array(buf, at, OC * q4RowBytes(C)), scales };
}

// ---- error statistics ----------------------------------------------------------------------

export interface QuantErrorStats {
  /** max |W − deq(q(W))| */
  maxAbs: number;
  /** mean |W − deq(q(W))| */
  meanAbs: number;
  /** ‖W − deq‖₂ / ‖W‖₂ (0 for an all-zero W) */
  relFrobenius: number;
}

/** How far `deq` (OC,C) is from the original W (OC,C). */
export function quantError(W: Float32Array, deq: Float32Array): QuantErrorStats {
  if (W.length !== deq.length) {
    throw new QuantInputError(`quantError: arrays have ${W.length} and ${deq.length} values; compare a weight with its own dequantization.`);
  }
  let maxAbs = 0, sum = 0, d2 = 0, w2 = 0;
  for (let i = 0; i < W.length; i++) {
    const d = Math.abs(W[i] - deq[i]);
    maxAbs = Math.max(maxAbs, d);
    sum += d;
    d2 += d * d;
    w2 += W[i] * W[i];
  }
  return { maxAbs, meanAbs: W.length ? sum / W.length : 0, relFrobenius: w2 > 0 ? Math.sqrt(d2 / w2) : 0 };
}
