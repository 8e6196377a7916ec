// Causal self-attention with key padding and grouped-query heads (CPU reference).
// Head h reads kv head floor(h / (NH/NKV)); scale = 1/sqrt(HS); query t attends keys
// s ≤ t with keyValid[b,s] = 1 (stable softmax). A query with no valid key outputs zeros,
// keeps an all-zero att row and gets zero gradient. Forward saves att(B,NH,T,T).
import { ShapeError } from '../errors.ts';
import { checkLen, checkSizes, type MaskArray } from './shape.ts';

function checkHeads(op: string, NH: number, NKV: number): void {
  if (NH % NKV !== 0) {
    throw new ShapeError(`${op}: NH = ${NH} is not a multiple of NKV = ${NKV}; grouped-query attention needs NH % NKV === 0.`);
  }
}

export function attentionForward(
  out: Float32Array, // (B,T,NH,HS)
  att: Float32Array, // (B,NH,T,T) saved probabilities, 0 where masked
  q: Float32Array, // (B,T,NH,HS)
  k: Float32Array, // (B,T,NKV,HS)
  v: Float32Array, // (B,T,NKV,HS)
  keyValid: MaskArray, // (B,T) 1 = real token, 0 = padding
  B: number,
  T: number,
  NH: number,
  NKV: number,
  HS: number,
): void {
  const op = 'attentionForward';
  checkSizes(op, { B, T, NH, NKV, HS });
  checkHeads(op, NH, NKV);
  checkLen(op, 'out', out, B * T * NH * HS, '(B,T,NH,HS)');
  checkLen(op, 'att', att, B * NH * T * T, '(B,NH,T,T)');
  checkLen(op, 'q', q, B * T * NH * HS, '(B,T,NH,HS)');
  checkLen(op, 'k', k, B * T * NKV * HS, '(B,T,NKV,HS)');
  checkLen(op, 'v', v, B * T * NKV * HS, '(B,T,NKV,HS)');
  checkLen(op, 'keyValid', keyValid, B * T, '(B,T)');
  const scale = 1 / Math.sqrt(HS);
  const group = NH / NKV;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      for (let h = 0; h < NH; h++) {
        const kvh = Math.floor(h / group);
        const qo = ((b * T + t) * NH + h) * HS;
        const ao = ((b * NH + h) * T + t) * T; // att row (b,h,t,:)
        // pass 1: scores into the att row, track the max over attended keys
        let max = -Infinity;
        for (let s = 0; s < T; s++) {
          if (s > t || keyValid[b * T + s] === 0) {
            att[ao + s] = 0;
            continue;
          }
          const ko = ((b * T + s) * NKV + kvh) * HS;
          let dot = 0;
          for (let i = 0; i < HS; i++) dot += q[qo + i] * k[ko + i];
          const score = dot * scale;
          att[ao + s] = score;
          if (score > max) max = score;
        }
        const oo = qo; // out has the same layout as q
        for (let i = 0; i < HS; i++) out[oo + i] = 0;
        if (max === -Infinity) continue; // no valid key: zeros
        // pass 2: exp and sum; pass 3: normalise and accumulate the weighted values
        let sum = 0;
        for (let s = 0; s <= t; s++) {
          if (keyValid[b * T + s] === 0) continue;
          const e = Math.exp(att[ao + s] - max);
          att[ao + s] = e;
          sum += e;
        }
        const inv = 1 / sum;
        for (let s = 0; s <= t; s++) {
          if (keyValid[b * T + s] === 0) continue;
          const p = att[ao + s] * inv;
          att[ao + s] = p;
          const vo = ((b * T + s) * NKV + kvh) * HS;
          for (let i = 0; i < HS; i++) out[oo + i] += p * v[vo + i];
        }
      }
    }
  }
}

/**
 * With P = att row, dP_s = dout·v_s, dS_s = P_s·(dP_s − Σ_s' P_s'·dP_s'):
 *   dv_s += P_s·dout,  dq += scale·Σ_s dS_s·k_s,  dk_s += scale·dS_s·q.
 * dk/dv of a kv head sum over the query heads sharing it. Masked entries have P = 0.
 */
export function attentionBackward(
  dq: Float32Array, // (B,T,NH,HS) accumulated
  dk: Float32Array, // (B,T,NKV,HS) accumulated
  dv: Float32Array, // (B,T,NKV,HS) accumulated
  dout: Float32Array, // (B,T,NH,HS)
  q: Float32Array, // (B,T,NH,HS)
  k: Float32Array, // (B,T,NKV,HS)
  v: Float32Array, // (B,T,NKV,HS)
  att: Float32Array, // (B,NH,T,T) from forward
  B: number,
  T: number,
  NH: number,
  NKV: number,
  HS: number,
): void {
  const op = 'attentionBackward';
  checkSizes(op, { B, T, NH, NKV, HS });
  checkHeads(op, NH, NKV);
  checkLen(op, 'dq', dq, B * T * NH * HS, '(B,T,NH,HS)');
  checkLen(op, 'dk', dk, B * T * NKV * HS, '(B,T,NKV,HS)');
  checkLen(op, 'dv', dv, B * T * NKV * HS, '(B,T,NKV,HS)');
  checkLen(op, 'dout', dout, B * T * NH * HS, '(B,T,NH,HS)');
  checkLen(op, 'q', q, B * T * NH * HS, '(B,T,NH,HS)');
  checkLen(op, 'k', k, B * T * NKV * HS, '(B,T,NKV,HS)');
  checkLen(op, 'v', v, B * T * NKV * HS, '(B,T,NKV,HS)');
  checkLen(op, 'att', att, B * NH * T * T, '(B,NH,T,T)');
  const scale = 1 / Math.sqrt(HS);
  const group = NH / NKV;
  const dP = new Float64Array(T); // (T) scratch: dL/dP for one att row
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      for (let h = 0; h < NH; h++) {
        const kvh = Math.floor(h / group);
        const qo = ((b * T + t) * NH + h) * HS;
        const ao = ((b * NH + h) * T + t) * T;
        let dot = 0; // Σ_s P_s·dP_s
        for (let s = 0; s <= t; s++) {
          const p = att[ao + s];
          if (p === 0) continue;
          const vo = ((b * T + s) * NKV + kvh) * HS;
          let d = 0;
          for (let i = 0; i < HS; i++) {
            d += dout[qo + i] * v[vo + i];
            dv[vo + i] += p * dout[qo + i];
          }
          dP[s] = d;
          dot += p * d;
        }
        for (let s = 0; s <= t; s++) {
          const p = att[ao + s];
          if (p === 0) continue;
          const dS = p * (dP[s] - dot) * scale;
          const ko = ((b * T + s) * NKV + kvh) * HS;
          for (let i = 0; i < HS; i++) {
            dq[qo + i] += dS * k[ko + i];
            dk[ko + i] += dS * q[qo + i];
          }
        }
      }
    }
  }
}
