// Linear layer on a quantized frozen weight (CPU reference): out(N,OC) = inp(N,C)·W(OC,C)ᵀ + bias, with W
// decoded on the fly from int8 / q4 (formats: src/lib/formats/quant.ts). Deliberately NOT dequantize() + matmul:
// scales are factored out of each dot product (per row for int8, per group of 32 for q4) and nibbles are read
// straight from the packed bytes, so the parity test against f32 matmul on dequantize(q) checks two code paths.
// The base is frozen: backward computes only dinp (accumulating), never dW.
import { matmulBackward, matmulForward } from './matmul.ts';
import { checkLen, checkSizes } from './shape.ts';
import { ShapeError } from '../errors.ts';
import { Q4_GROUP, checkQuantized, q4Groups, q4RowBytes } from '../formats/quant.ts';
import type { QuantizedMatrix } from '../formats/quant.ts';

function checkWeight(op: string, q: QuantizedMatrix, C: number, OC: number): void {
  if (q.OC !== OC || q.C !== C) {
    throw new ShapeError(`${op}: the quantized weight is (OC, C) = (${q.OC}, ${q.C}) but the call says (${OC}, ${C}); pass the layer's own weight or sizes.`);
  }
  checkQuantized(q, `${op} weight`);
}

export function matmulQuantForward(
  out: Float32Array, // (N,OC)
  inp: Float32Array, // (N,C)
  q: QuantizedMatrix, // W (OC,C)
  bias: Float32Array | null, // (OC) optional
  N: number,
  C: number,
  OC: number,
): void {
  const op = 'matmulQuantForward';
  checkSizes(op, { N, C, OC });
  checkLen(op, 'out', out, N * OC, '(N,OC)');
  checkLen(op, 'inp', inp, N * C, '(N,C)');
  checkLen(op, 'bias', bias, OC, '(OC)', true);
  checkWeight(op, q, C, OC);
  if (q.format === 'f32') {
    matmulForward(out, inp, q.data, bias, N, C, OC);
    return;
  }
  if (q.format === 'int8') {
    const w = q.data; // (OC,C) int8
    for (let n = 0; n < N; n++) {
      const x = n * C;
      for (let o = 0; o < OC; o++) {
        const r = o * C;
        let s = 0; // Σ_c x·q in f64, then one multiply by the row's scale
        for (let c = 0; c < C; c++) s += inp[x + c] * w[r + c];
        out[n * OC + o] = s * q.scales[o] + (bias !== null ? bias[o] : 0);
      }
    }
    return;
  }
  const G = q4Groups(C);
  const rowBytes = q4RowBytes(C);
  const bytes = q.data; // (OC, G*16) packed nibbles
  for (let n = 0; n < N; n++) {
    const x = n * C;
    for (let o = 0; o < OC; o++) {
      let total = 0;
      for (let g = 0; g < G; g++) {
        // One group: walk its bytes, two weights per byte (low nibble = even column), then scale once.
        const c0 = g * Q4_GROUP;
        const c1 = Math.min(C, c0 + Q4_GROUP);
        const b0 = o * rowBytes + g * (Q4_GROUP / 2);
        let s = 0;
        for (let c = c0; c < c1; c += 2) {
          const byte = bytes[b0 + ((c - c0) >> 1)];
          s += inp[x + c] * ((byte & 0xf) - 8);
          if (c + 1 < c1) s += inp[x + c + 1] * ((byte >> 4) - 8);
        }
        total += s * q.scales[o * G + g];
      }
      out[n * OC + o] = total + (bias !== null ? bias[o] : 0);
    }
  }
}

/** dinp(N,C) += dout(N,OC)·W(OC,C) with W decoded on the fly. The weight is frozen: no dW. */
export function matmulQuantBackwardInput(
  dinp: Float32Array, // (N,C) accumulated
  dout: Float32Array, // (N,OC)
  q: QuantizedMatrix, // W (OC,C)
  N: number,
  C: number,
  OC: number,
): void {
  const op = 'matmulQuantBackwardInput';
  checkSizes(op, { N, C, OC });
  checkLen(op, 'dinp', dinp, N * C, '(N,C)');
  checkLen(op, 'dout', dout, N * OC, '(N,OC)');
  checkWeight(op, q, C, OC);
  if (q.format === 'f32') {
    matmulBackward(dinp, null, null, dout, new Float32Array(N * C), q.data, N, C, OC);
    return;
  }
  const acc = new Float64Array(C); // (C) one row of dinp, summed in f64 before the single f32 add
  if (q.format === 'int8') {
    for (let n = 0; n < N; n++) {
      acc.fill(0);
      for (let o = 0; o < OC; o++) {
        const d = dout[n * OC + o] * q.scales[o];
        if (d === 0) continue;
        const r = o * C;
        for (let c = 0; c < C; c++) acc[c] += d * q.data[r + c];
      }
      for (let c = 0; c < C; c++) dinp[n * C + c] += acc[c];
    }
    return;
  }
  const G = q4Groups(C);
  const rowBytes = q4RowBytes(C);
  for (let n = 0; n < N; n++) {
    acc.fill(0);
    for (let o = 0; o < OC; o++) {
      const dn = dout[n * OC + o];
      if (dn === 0) continue;
      for (let g = 0; g < G; g++) {
        const d = dn * q.scales[o * G + g];
        const c0 = g * Q4_GROUP;
        const c1 = Math.min(C, c0 + Q4_GROUP);
        const b0 = o * rowBytes + g * (Q4_GROUP / 2);
        for (let c = c0; c < c1; c += 2) {
          const byte = q.data[b0 + ((c - c0) >> 1)];
          acc[c] += d * ((byte & 0xf) - 8);
          if (c + 1 < c1) acc[c + 1] += d * ((byte >> 4) - 8);
        }
      }
    }
    for (let c = 0; c < C; c++) dinp[n * C + c] += acc[c];
  }
}
