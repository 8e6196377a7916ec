// Linear layer on the WebAssembly SIMD kernels (wasm/matmul.wat), same signatures and accumulate
// semantics as src/lib/ref/matmul.ts, (OC,C) weight layout: out = inp · weightᵀ + bias.
// All three products run through one strided GEMM (4×8 register tiles):
//   forward  out(N,OC)   = inp(N,C)  · Wᵀ(C,OC)   (W transposed into scratch once per call)
//   dinp     dinp(N,C)  += dout(N,OC) · W(OC,C)
//   dweight  dweight(OC,C) += doutᵀ(OC,N) · inp(N,C)
// Forward with few rows (decode) uses dot products on W in place instead of transposing it.
// With kernel threads each product is cut into bands of output rows (columns for the dot path),
// one per thread; every output element is computed exactly as on one thread.
import { checkLen, checkSizes } from '../ref/shape.ts';
import { defaultWasmKernels, type WasmKernels } from './wasm-runtime.ts';
import { bandCount, bands } from './threads/split.ts';

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
    // bands of output columns o (multiples of 4: the dot4 groups stay the same)
    k.parallel(
      bands(OC, bandCount(k, N * C * OC, OC, 4), 4).map(({ start, end }) => ({
        fn: 'matmul.matmul_dot',
        args: [pOut + 4 * start, pInp, pW + 4 * start * C, pBias === 0 ? 0 : pBias + 4 * start, N, C, end - start, OC],
      })),
    );
  } else {
    const pWt = s.temp(C * OC); // (C,OC) transposed weight
    s.commit();
    // Wt[:, o] = W[o, :] in bands of weight rows o
    k.parallel(
      bands(OC, bandCount(k, C * OC * 8, OC, 4), 4).map(({ start, end }) => ({
        fn: 'matmul.transpose',
        args: [pWt + 4 * start, pW + 4 * start * C, end - start, C, OC],
      })),
    );
    // C(N,OC) = bias + A(N,C)·B(C,OC): A row-major (a_rs = C, a_ks = 1), bias broadcast (i_rs = 0); bands of rows n
    k.parallel(
      bands(N, bandCount(k, N * C * OC, N, 4), 4).map(({ start, end }) => ({
        fn: 'matmul.gemm',
        args: [pOut + 4 * start * OC, pInp + 4 * start * C, pWt, pBias, end - start, OC, C, C, 1, OC, OC, 0],
      })),
    );
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
  const work = N * C * OC;
  // dinp(N,C) += A(N,OC)·B(OC,C): A = dout row-major, B = weight as stored; bands of rows n
  if (dinp !== null) {
    k.parallel(
      bands(N, bandCount(k, work, N, 4), 4).map(({ start, end }) => ({
        fn: 'matmul.gemm',
        args: [pDinp + 4 * start * C, pDout + 4 * start * OC, pW, pDinp + 4 * start * C, end - start, C, OC, OC, 1, C, C, C],
      })),
    );
  }
  // dweight(OC,C) += A(OC,N)·B(N,C): A = doutᵀ read in place (a_rs = 1, a_ks = OC), B = inp; bands of rows o
  if (dweight !== null) {
    k.parallel(
      bands(OC, bandCount(k, work, OC, 4), 4).map(({ start, end }) => ({
        fn: 'matmul.gemm',
        args: [pDw + 4 * start * C, pDout + 4 * start, pInp, pDw + 4 * start * C, end - start, C, N, 1, OC, C, C, C],
      })),
    );
  }
  if (dbias !== null) k.mod.matmul.colsum_acc(pDb, pDout, N, OC);
  s.finish();
}
