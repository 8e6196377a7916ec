// Causal grouped-query attention on the WebAssembly SIMD kernels (wasm/attention.wat), same
// signatures and semantics as src/lib/ref/attention.ts: per (b, h) S = Q·Kᵀ, row softmax with
// the causal and key-padding masks (polynomial exp, exactly 0 where masked), out = P·V; backward
// accumulates into dq, dk, dv through three GEMMs. Row blocks skip most of the upper triangle.
// With kernel threads the batch is cut into bands of sequences b, each with its own scratch.
import { ShapeError } from '../errors.ts';
import { checkLen, checkSizes, type MaskArray } from '../ref/shape.ts';
import { defaultWasmKernels, type WasmKernels } from './wasm-runtime.ts';
import { bandCount, bands, type Band } from './threads/split.ts';

/** Bands of sequences for one attention op (its work is about B·NH·T²·HS multiply-adds, twice). */
function batchBands(kern: WasmKernels, B: number, T: number, NH: number, HS: number): Band[] {
  return bands(B, bandCount(kern, 2 * B * NH * T * T * HS, B));
}

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
  kern: WasmKernels = defaultWasmKernels(),
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
  const s = kern.stage(op);
  const pOut = s.output(out);
  const pAtt = s.output(att);
  const pQ = s.input(q);
  const pK = s.input(k);
  const pV = s.input(v);
  const pValid = s.input(keyValid); // u32 in wasm memory (Uint8 masks are widened)
  const parts = batchBands(kern, B, T, NH, HS);
  const pKt = parts.map(() => s.temp(HS * T)); // per band (HS,T): one kv head's keys, transposed
  s.commit();
  const qRow = 4 * T * NH * HS; // bytes per sequence of q / out
  const kvRow = 4 * T * NKV * HS; // of k / v
  kern.parallel(
    parts.map(({ start: b, end }, i) => ({
      fn: 'attention.attention_forward',
      args: [pOut + b * qRow, pAtt + 4 * b * NH * T * T, pQ + b * qRow, pK + b * kvRow, pV + b * kvRow, pValid + 4 * b * T, pKt[i], end - b, T, NH, NKV, HS],
    })),
  );
  s.finish();
}

/** dv_s += P_s·dout, dq += scale·Σ_s dS_s·k_s, dk_s += scale·dS_s·q (see the reference). */
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
  kern: WasmKernels = defaultWasmKernels(),
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
  const s = kern.stage(op);
  const pDq = s.inout(dq);
  const pDk = s.inout(dk);
  const pDv = s.inout(dv);
  const pDout = s.input(dout);
  const pQ = s.input(q);
  const pK = s.input(k);
  const pV = s.input(v);
  const pAtt = s.input(att);
  const parts = batchBands(kern, B, T, NH, HS);
  const pVt = parts.map(() => s.temp(HS * T)); // per band (HS,T): one kv head's values, transposed
  const pDs = parts.map(() => s.temp(T * T)); // per band (T,T): dP, then dS, of one head
  s.commit();
  const qRow = 4 * T * NH * HS;
  const kvRow = 4 * T * NKV * HS;
  kern.parallel(
    parts.map(({ start: b, end }, i) => ({
      fn: 'attention.attention_backward',
      args: [
        pDq + b * qRow, pDk + b * kvRow, pDv + b * kvRow, pDout + b * qRow, pQ + b * qRow, pK + b * kvRow, pV + b * kvRow,
        pAtt + 4 * b * NH * T * T, pVt[i], pDs[i], end - b, T, NH, NKV, HS,
      ],
    })),
  );
  s.finish();
}
