// Attention of new queries over a KV cache (CPU reference), for incremental decoding.
// q(B,Tq,NH,HS) at absolute positions qPos(B,Tq) attends cache slots s < S with keyValid[b,s] = 1
// and s ≤ qPos[b,tq] (causal), grouped-query heads, stable softmax; no valid key → zeros.
// kvWrite scatters new k/v rows into the cache at slots writePos(B,Tq) (−1 = skip).
import { ShapeError } from '../errors.ts';
import { checkLen, checkSizes, type IntArray, type MaskArray } from './shape.ts';

export function cachedAttentionForward(
  out: Float32Array, // (B,Tq,NH,HS)
  q: Float32Array, // (B,Tq,NH,HS)
  kCache: Float32Array, // (B,S,NKV,HS)
  vCache: Float32Array, // (B,S,NKV,HS)
  keyValid: MaskArray, // (B,S) 1 = slot holds a real token
  qPos: IntArray, // (B,Tq) absolute position (cache slot) of each query
  B: number,
  Tq: number,
  S: number,
  NH: number,
  NKV: number,
  HS: number,
): void {
  const op = 'cachedAttentionForward';
  checkSizes(op, { B, Tq, S, NH, NKV, HS });
  if (NH % NKV !== 0) throw new ShapeError(`${op}: NH = ${NH} is not a multiple of NKV = ${NKV}.`);
  checkLen(op, 'out', out, B * Tq * NH * HS, '(B,Tq,NH,HS)');
  checkLen(op, 'q', q, B * Tq * NH * HS, '(B,Tq,NH,HS)');
  checkLen(op, 'kCache', kCache, B * S * NKV * HS, '(B,S,NKV,HS)');
  checkLen(op, 'vCache', vCache, B * S * NKV * HS, '(B,S,NKV,HS)');
  checkLen(op, 'keyValid', keyValid, B * S, '(B,S)');
  checkLen(op, 'qPos', qPos, B * Tq, '(B,Tq)');
  const scale = 1 / Math.sqrt(HS);
  const group = NH / NKV;
  const scores = new Float64Array(S);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < Tq; t++) {
      const p = qPos[b * Tq + t];
      for (let h = 0; h < NH; h++) {
        const kvh = Math.floor(h / group);
        const qo = ((b * Tq + t) * NH + h) * HS;
        let max = -Infinity;
        for (let s = 0; s < S; s++) {
          scores[s] = -Infinity;
          if (s > p || keyValid[b * S + s] === 0) continue;
          const ko = ((b * S + s) * NKV + kvh) * HS;
          let dot = 0;
          for (let i = 0; i < HS; i++) dot += q[qo + i] * kCache[ko + i];
          scores[s] = dot * scale;
          if (scores[s] > max) max = scores[s];
        }
        for (let i = 0; i < HS; i++) out[qo + i] = 0;
        if (max === -Infinity) continue;
        let sum = 0;
        for (let s = 0; s < S; s++) if (scores[s] !== -Infinity) sum += Math.exp(scores[s] - max);
        for (let s = 0; s < S; s++) {
          if (scores[s] === -Infinity) continue;
          const w = Math.exp(scores[s] - max) / sum;
          const vo = ((b * S + s) * NKV + kvh) * HS;
          for (let i = 0; i < HS; i++) out[qo + i] += w * vCache[vo + i];
        }
      }
    }
  }
}

export function kvWrite(
  cache: Float32Array, // (B,S,D) updated in place
  rows: Float32Array, // (B,Tq,D) new rows
  writePos: IntArray, // (B,Tq) destination slot, −1 = skip
  B: number,
  Tq: number,
  S: number,
  D: number,
): void {
  const op = 'kvWrite';
  checkSizes(op, { B, Tq, S, D });
  checkLen(op, 'cache', cache, B * S * D, '(B,S,D)');
  checkLen(op, 'rows', rows, B * Tq * D, '(B,Tq,D)');
  checkLen(op, 'writePos', writePos, B * Tq, '(B,Tq)');
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < Tq; t++) {
      const s = writePos[b * Tq + t];
      if (s < 0) continue;
      if (s >= S) throw new ShapeError(`${op}: writePos[${b},${t}] = ${s} is outside the cache of ${S} slots; grow the cache.`);
      cache.set(rows.subarray((b * Tq + t) * D, (b * Tq + t + 1) * D), (b * S + s) * D);
    }
  }
}
