// Linear layer on the WebAssembly SIMD kernels (wasm/matmul.wat), same signatures and accumulate
// semantics as src/lib/ref/matmul.ts, (OC,C) weight layout: out = inp · weightᵀ + bias.
// All three products run through one strided GEMM (4×8 register tiles):
//   forward  out(N,OC)   = inp(N,C)  · Wᵀ(C,OC)   (W transposed into scratch once per call)
//   dinp     dinp(N,C)  += dout(N,OC) · W(OC,C)
//   dweight  dweight(OC,C) += doutᵀ(OC,N) · inp(N,C)
// Forward with few rows (decode) uses dot products on W in place instead of transposing it.
import { checkLen, checkSizes } from '../ref/shape.ts';
import { defaultWasmKernels, type WasmKernels } from './wasm-runtime.ts';

/** Below this many rows the forward reads W in place with dot products (no O(OC·C) transpose). */
export const MATMUL_DOT_MAX_ROWS = 8;

export function matmulForward(
  out: Float32Array, // (N,OC)
  inp: Float32Array, // (N,C)
  weight: Float32Array, // (OC,C)
  bias: Float32Array | null, // (OC) optional
  N: number,
  C: number,
  OC: number,
  k: WasmKernels = defaultWasmKernels(),
): void {
  const op = 'matmulForward';
  checkSizes(op, { N, C, OC });
  checkLen(op, 'out', out, N * OC, '(N,OC)');
  checkLen(op, 'inp', inp, N * C, '(N,C)');
  checkLen(op, 'weight', weight, OC * C, '(OC,C)');
  checkLen(op, 'bias', bias, OC, '(OC)', true);
  const s = k.stage(op);
  const pOut = s.output(out);
  const pInp = s.input(inp);
  const pW = s.input(weight);
  const pBias = s.inputOrNull(bias);
  if (N < MATMUL_DOT_MAX_ROWS) {
    s.commit();
    k.mod.matmul.matmul_dot(pOut, pInp, pW, pBias, N, C, OC);
  } else {
    const pWt = s.temp(C * OC); // (C,OC) transposed weight
    s.commit();
    k.mod.matmul.transpose(pWt, pW, OC, C);
    // C(N,OC) = bias + A(N,C)·B(C,OC): A row-major (a_rs = C, a_ks = 1), bias broadcast (i_rs = 0)
    k.mod.matmul.gemm(pOut, pInp, pWt, pBias, N, OC, C, C, 1, OC, OC, 0);
  }
  s.finish();
}

/** dinp += dout·weight, dweight += doutᵀ·inp, dbias += Σ_rows dout. null = not needed. */
export function matmulBackward(
  dinp: Float32Array | null, // (N,C) accumulated
  dweight: Float32Array | null, // (OC,C) accumulated
  dbias: Float32Array | null, // (OC) accumulated
  dout: Float32Array, // (N,OC)
  inp: Float32Array, // (N,C)
  weight: Float32Array, // (OC,C)
  N: number,
  C: number,
  OC: number,
  k: WasmKernels = defaultWasmKernels(),
): void {
  const op = 'matmulBackward';
  checkSizes(op, { N, C, OC });
  checkLen(op, 'dinp', dinp, N * C, '(N,C)', true);
  checkLen(op, 'dweight', dweight, OC * C, '(OC,C)', true);
  checkLen(op, 'dbias', dbias, OC, '(OC)', true);
  checkLen(op, 'dout', dout, N * OC, '(N,OC)');
  checkLen(op, 'inp', inp, N * C, '(N,C)');
  checkLen(op, 'weight', weight, OC * C, '(OC,C)');
  if (dinp === null && dweight === null && dbias === null) return;
  const s = k.stage(op);
  const pDinp = s.inoutOrNull(dinp);
  const pDw = s.inoutOrNull(dweight);
  const pDb = s.inoutOrNull(dbias);
  const pDout = s.input(dout);
  const pInp = dweight !== null ? s.input(inp) : 0;
  const pW = dinp !== null ? s.input(weight) : 0;
  s.commit();
  const mm = k.mod.matmul;
  // dinp(N,C) += A(N,OC)·B(OC,C): A = dout row-major, B = weight as stored
  if (dinp !== null) mm.gemm(pDinp, pDout, pW, pDinp, N, C, OC, OC, 1, C, C, C);
  // dweight(OC,C) += A(OC,N)·B(N,C): A = doutᵀ read in place (a_rs = 1, a_ks = OC), B = inp
  if (dweight !== null) mm.gemm(pDw, pDout, pInp, pDw, OC, C, N, 1, OC, C, C, C);
  if (dbias !== null) mm.colsum_acc(pDb, pDout, N, OC);
  s.finish();
}
