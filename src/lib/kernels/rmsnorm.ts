// RMSNorm on the GPU (rmsnorm.wgsl), HF Llama convention: out = x·rstd·weight with
// rstd = 1/sqrt(mean(x²)+eps) saved for backward. CPU twin: src/lib/ref/rmsnorm.ts.
// Functions are async only for the cached pipeline lookup; they record dispatches, never flush.
import code from './rmsnorm.wgsl?raw';
import type { GpuContext } from '../gpu/context.ts';
import { checkBuffer, checkDims, grid1d } from './common.ts';
import { InvalidInputError } from '../errors.ts';

const WG = 64;

export async function rmsnormForward(
  ctx: GpuContext,
  out: GPUBuffer, // (N,C)
  rstd: GPUBuffer, // (N) saved for backward
  inp: GPUBuffer, // (N,C)
  weight: GPUBuffer, // (C)
  N: number,
  C: number,
  eps: number,
): Promise<void> {
  const op = 'rmsnormForward';
  checkDims(op, { N, C });
  if (!(eps >= 0)) throw new InvalidInputError(`${op}: eps = ${eps} must be ≥ 0 (e.g. 1e-5 or 1e-6 from config.json's rms_norm_eps).`);
  checkBuffer(op, 'out', out, N * C, '(N,C)');
  checkBuffer(op, 'rstd', rstd, N, '(N)');
  checkBuffer(op, 'inp', inp, N * C, '(N,C)');
  checkBuffer(op, 'weight', weight, C, '(C)');
  const pipeline = await ctx.pipelines.get('rmsnorm', code, 'rmsnorm_forward');
  const params = ctx.uniforms('rmsnorm', [N, C, { f32: eps }]);
  ctx.dispatch(pipeline, [out, rstd, inp, weight, params], grid1d(op, N, 1));
}

/** dinp(N,C) += …, dweight(C) += Σ_rows dout·x̂ (both accumulate; pass null to skip one). */
export async function rmsnormBackward(
  ctx: GpuContext,
  dinp: GPUBuffer | null, // (N,C) accumulated
  dweight: GPUBuffer | null, // (C) accumulated
  dout: GPUBuffer, // (N,C)
  inp: GPUBuffer, // (N,C)
  weight: GPUBuffer, // (C)
  rstd: GPUBuffer, // (N) from forward
  N: number,
  C: number,
): Promise<void> {
  const op = 'rmsnormBackward';
  checkDims(op, { N, C });
  checkBuffer(op, 'dout', dout, N * C, '(N,C)');
  checkBuffer(op, 'inp', inp, N * C, '(N,C)');
  checkBuffer(op, 'weight', weight, C, '(C)');
  checkBuffer(op, 'rstd', rstd, N, '(N)');
  if (dinp) {
    checkBuffer(op, 'dinp', dinp, N * C, '(N,C)');
    const pipeline = await ctx.pipelines.get('rmsnorm', code, 'rmsnorm_backward');
    const params = ctx.uniforms('rmsnorm', [N, C, { f32: 0 }]);
    ctx.dispatch(pipeline, [dinp, dout, inp, weight, params, rstd], grid1d(op, N, 1));
  }
  if (dweight) {
    checkBuffer(op, 'dweight', dweight, C, '(C)');
    const pipeline = await ctx.pipelines.get('rmsnorm', code, 'rmsnorm_backward_dweight');
    const params = ctx.uniforms('rmsnorm', [N, C, { f32: 0 }]);
    ctx.dispatch(pipeline, [dweight, dout, inp, rstd, params], grid1d(op, C, WG));
  }
}
