// Rotary position embedding (CPU reference), HF Llama rotate_half convention: channel i
// pairs with i + HS/2 (not interleaved); freq_i = theta^(−2i/HS), angle = pos · freq_i.
// Backward rotates by −angle (Rᵀ). Forward is safe in place (out === inp).
import { ShapeError } from '../errors.ts';
import { checkLen, checkSizes, type IntArray } from './shape.ts';

function checkRope(op: string, a: Float32Array, aName: string, b: Float32Array, bName: string,
  positions: IntArray, N: number, NH: number, HS: number): void {
  checkSizes(op, { N, NH, HS });
  if (HS % 2 !== 0) throw new ShapeError(`${op}: head size HS = ${HS} is odd; rope needs an even HS (pairs i, i+HS/2).`);
  checkLen(op, aName, a, N * NH * HS, '(N,NH,HS)');
  checkLen(op, bName, b, N * NH * HS, '(N,NH,HS)');
  checkLen(op, 'positions', positions, N, '(N)');
}

/** Rotate every head of every row; sign = +1 forward (R), −1 backward (Rᵀ); accumulate adds into dst. */
function rotate(dst: Float32Array, src: Float32Array, positions: IntArray,
  N: number, NH: number, HS: number, theta: number, sign: number, accumulate: boolean): void {
  const half = HS / 2;
  const cos = new Float64Array(half); // (HS/2) per row
  const sin = new Float64Array(half); // (HS/2) per row
  const freq = new Float64Array(half); // (HS/2)
  for (let i = 0; i < half; i++) freq[i] = Math.pow(theta, (-2 * i) / HS);
  for (let n = 0; n < N; n++) {
    const pos = positions[n];
    for (let i = 0; i < half; i++) {
      const angle = pos * freq[i];
      cos[i] = Math.cos(angle);
      sin[i] = sign * Math.sin(angle);
    }
    for (let h = 0; h < NH; h++) {
      const base = (n * NH + h) * HS;
      for (let i = 0; i < half; i++) {
        const x1 = src[base + i];
        const x2 = src[base + i + half];
        const y1 = x1 * cos[i] - x2 * sin[i];
        const y2 = x2 * cos[i] + x1 * sin[i];
        if (accumulate) {
          dst[base + i] += y1;
          dst[base + i + half] += y2;
        } else {
          dst[base + i] = y1;
          dst[base + i + half] = y2;
        }
      }
    }
  }
}

export function ropeForward(
  out: Float32Array, // (N,NH,HS)  NH may be NKV for keys
  inp: Float32Array, // (N,NH,HS)
  positions: IntArray, // (N)
  N: number,
  NH: number,
  HS: number,
  theta: number,
): void {
  checkRope('ropeForward', out, 'out', inp, 'inp', positions, N, NH, HS);
  rotate(out, inp, positions, N, NH, HS, theta, 1, false);
}

export function ropeBackward(
  dinp: Float32Array, // (N,NH,HS) accumulated
  dout: Float32Array, // (N,NH,HS)
  positions: IntArray, // (N)
  N: number,
  NH: number,
  HS: number,
  theta: number,
): void {
  checkRope('ropeBackward', dinp, 'dinp', dout, 'dout', positions, N, NH, HS);
  rotate(dinp, dout, positions, N, NH, HS, theta, -1, true);
}
