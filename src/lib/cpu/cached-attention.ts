// Attention of new queries over a KV cache on the WebAssembly SIMD kernels (wasm/cached_attention.wat),
// same signature and semantics as src/lib/ref/cached-attention.ts: causal by absolute position qPos,
// key-valid mask, grouped-query heads, stable softmax, no valid key → zeros. Only slots up to each
// query's position are read, so an almost empty decode cache costs what it holds, not its capacity.
import { ShapeError } from '../errors.ts';
import { checkLen, checkSizes, type IntArray, type MaskArray } from '../ref/shape.ts';
import { defaultWasmKernels, type WasmKernels } from './wasm-runtime.ts';
import { bandCount, bands } from './threads/split.ts';

export function cachedAttentionForward(
  out: Float32Array, // (B,Tq,NH,HS)
  q: Float32Array, // (B,Tq,NH,HS)
  kCache: Float32Array, // (B,S,NKV,HS)
  vCache: Float32Array, // (B,S,NKV,HS)
  keyValid: MaskArray, // (B,S) 1 = slot holds a real token
  qPos: IntArray, // (B,Tq) absolute position (cache slot) of each query, −1 = padding
  B: number,
  Tq: number,
  S: number,
  NH: number,
  NKV: number,
  HS: number,
  kern: WasmKernels = defaultWasmKernels(),
): void {
  const op = 'cachedAttentionForward';
  checkSizes(op, { B, Tq, S, NH, NKV, HS });
  if (NH % NKV !== 0) {
    throw new ShapeError(`${op}: NH = ${NH} is not a multiple of NKV = ${NKV}; grouped-query attention needs NH % NKV === 0.`);
  }
  checkLen(op, 'out', out, B * Tq * NH * HS, '(B,Tq,NH,HS)');
  checkLen(op, 'q', q, B * Tq * NH * HS, '(B,Tq,NH,HS)');
  checkLen(op, 'kCache', kCache, B * S * NKV * HS, '(B,S,NKV,HS)');
  checkLen(op, 'vCache', vCache, B * S * NKV * HS, '(B,S,NKV,HS)');
  checkLen(op, 'keyValid', keyValid, B * S, '(B,S)');
  checkLen(op, 'qPos', qPos, B * Tq, '(B,Tq)');
  const s = kern.stage(op);
  const pOut = s.output(out);
  const pQ = s.input(q);
  const pK = s.input(kCache);
  const pV = s.input(vCache);
  const pValid = s.input(keyValid); // u32 in wasm memory (Uint8 masks are widened)
  const pPos = s.input(qPos); // 32-bit; a Uint32Array's values are compared unsigned, as the reference does
  // with kernel threads: bands of sequences b (rows of a decode batch), each with its own scores
  const parts = bands(B, bandCount(kern, 2 * B * Tq * NH * S * HS, B));
  const pScores = parts.map(() => s.temp(S + 3)); // per band (S): one query head's scores, then probabilities (+3: last block of 4)
  s.commit();
  const qRow = 4 * Tq * NH * HS; // bytes per sequence of q / out
  const kvRow = 4 * S * NKV * HS; // of the caches
  const unsigned = qPos instanceof Uint32Array ? 1 : 0;
  kern.parallel(
    parts.map(({ start: b, end }, i) => ({
      fn: 'cached_attention.cached_attention_forward',
      args: [pOut + b * qRow, pQ + b * qRow, pK + b * kvRow, pV + b * kvRow, pValid + 4 * b * S, pPos + 4 * b * Tq, pScores[i], end - b, Tq, S, NH, NKV, HS, unsigned],
    })),
  );
  s.finish();
}
