// RMSNorm (CPU reference, HF Llama convention): rstd = 1/sqrt(mean(x²) + eps),
// out = x · rstd · weight (weight multiplies after normalisation). Forward saves rstd(N).
import { checkLen, checkSizes } from './shape.ts';

export function rmsnormForward(
  out: Float32Array, // (N,C)
  rstd: Float32Array, // (N) saved for backward
  inp: Float32Array, // (N,C)
  weight: Float32Array, // (C)
  N: number,
  C: number,
  eps: number,
): void {
  const op = 'rmsnormForward';
  checkSizes(op, { N, C });
  checkLen(op, 'out', out, N * C, '(N,C)');
  checkLen(op, 'rstd', rstd, N, '(N)');
  checkLen(op, 'inp', inp, N * C, '(N,C)');
  checkLen(op, 'weight', weight, C, '(C)');
  for (let n = 0; n < N; n++) {
    const row = n * C;
    let ss = 0;
    for (let c = 0; c < C; c++) ss += inp[row + c] * inp[row + c];
    const r = 1 / Math.sqrt(ss / C + eps);
    rstd[n] = r;
    for (let c = 0; c < C; c++) out[row + c] = inp[row + c] * r * weight[c];
  }
}

/**
 * With x̂ = x·rstd and g = dout·weight:
 *   dinp += rstd · (g − x̂ · mean(g·x̂)),   dweight += Σ_rows dout · x̂.
 */
export function rmsnormBackward(
  dinp: Float32Array | null, // (N,C) accumulated
  dweight: Float32Array | null, // (C) accumulated
  dout: Float32Array, // (N,C)
  inp: Float32Array, // (N,C)
  weight: Float32Array, // (C)
  rstd: Float32Array, // (N) from forward
  N: number,
  C: number,
): void {
  const op = 'rmsnormBackward';
  checkSizes(op, { N, C });
  checkLen(op, 'dinp', dinp, N * C, '(N,C)', true);
  checkLen(op, 'dweight', dweight, C, '(C)', true);
  checkLen(op, 'dout', dout, N * C, '(N,C)');
  checkLen(op, 'inp', inp, N * C, '(N,C)');
  checkLen(op, 'weight', weight, C, '(C)');
  checkLen(op, 'rstd', rstd, N, '(N)');
  for (let n = 0; n < N; n++) {
    const row = n * C;
    const r = rstd[n];
    if (dweight !== null) {
      for (let c = 0; c < C; c++) dweight[c] += dout[row + c] * inp[row + c] * r;
    }
    if (dinp !== null) {
      let dot = 0; // Σ_c g_c · x̂_c
      for (let c = 0; c < C; c++) dot += dout[row + c] * weight[c] * inp[row + c] * r;
      const meanDot = dot / C;
      for (let c = 0; c < C; c++) {
        const g = dout[row + c] * weight[c];
        const xhat = inp[row + c] * r;
        dinp[row + c] += r * (g - xhat * meanDot);
      }
    }
  }
}
