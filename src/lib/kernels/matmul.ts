// Linear layer on the GPU (matmul.wgsl), weight layout (OC, C): out = inp·weightᵀ + bias, and its
// backward (dinp, dweight, dbias, all accumulating). CPU twin: src/lib/ref/matmul.ts.
// LoRA is two forwards: h = x·Aᵀ with A(R,C), then y += scale·h·Bᵀ with B(OC,R) via { scale, accumulate }.
// Functions are async only for the cached pipeline lookup; they record dispatches, never flush.
import code from './matmul.wgsl?raw';
import type { GpuContext } from '../gpu/context.ts';
import { GUARANTEED, checkBuffer, checkDims, grid1d } from './common.ts';
import { InvalidInputError, KernelLimitError } from '../errors.ts';

const TILE = 64; // dst rows and columns per workgroup (matmul.wgsl BM, BP)

export interface MatmulOptions {
  /** Multiplies inp·weightᵀ (not the bias). Default 1. */
  scale?: number;
  /** Add into `out` instead of overwriting it (out += …). Default false. */
  accumulate?: boolean;
}

/** One strided gemm: dst(M,P) = alpha·Σ_k A(m,k)·B(p,k) + beta·dst (see matmul.wgsl). */
interface Gemm {
  M: number;
  P: number;
  K: number;
  aSm: number;
  aSk: number;
  bSp: number;
  bSk: number;
  alpha: number;
  beta: number;
}

async function recordGemm(
  ctx: GpuContext,
  op: string,
  entry: string,
  buffers: GPUBuffer[], // dst, a, b (+ bias after the params)
  g: Gemm,
): Promise<void> {
  const gx = Math.ceil(g.P / TILE);
  const gy = Math.ceil(g.M / TILE);
  if (gx > GUARANTEED.workgroupsPerDimension || gy > GUARANTEED.workgroupsPerDimension) {
    throw new KernelLimitError(`${op}: a ${g.M}×${g.P} result needs ${gy}×${gx} tiles, over 65,535 per dimension; split the rows.`);
  }
  const pipeline = await ctx.pipelines.get('matmul', code, entry);
  const params = ctx.uniforms('matmul', [g.M, g.P, g.K, g.aSm, g.aSk, g.bSp, g.bSk, { f32: g.alpha }, { f32: g.beta }]);
  const [dst, a, b, ...rest] = buffers;
  ctx.dispatch(pipeline, [dst, a, b, params, ...rest], [gx, gy]);
}

/** out(N,OC) = scale·inp(N,C)·weight(OC,C)ᵀ + bias(OC) (+ out when accumulating). */
export async function matmulForward(
  ctx: GpuContext,
  out: GPUBuffer, // (N,OC)
  inp: GPUBuffer, // (N,C)
  weight: GPUBuffer, // (OC,C)
  bias: GPUBuffer | null, // (OC) optional
  N: number,
  C: number,
  OC: number,
  options: MatmulOptions = {},
): Promise<void> {
  const op = 'matmulForward';
  checkDims(op, { N, C, OC });
  const scale = options.scale ?? 1;
  if (!Number.isFinite(scale)) throw new InvalidInputError(`${op}: scale = ${scale} must be a finite number (LoRA: alpha / r).`);
  checkBuffer(op, 'out', out, N * OC, '(N,OC)');
  checkBuffer(op, 'inp', inp, N * C, '(N,C)');
  checkBuffer(op, 'weight', weight, OC * C, '(OC,C)');
  if (bias) checkBuffer(op, 'bias', bias, OC, '(OC)');
  const g: Gemm = { M: N, P: OC, K: C, aSm: C, aSk: 1, bSp: C, bSk: 1, alpha: scale, beta: options.accumulate ? 1 : 0 };
  if (bias) await recordGemm(ctx, op, 'matmul_forward_bias', [out, inp, weight, bias], g);
  else await recordGemm(ctx, op, 'matmul_forward', [out, inp, weight], g);
}

/** dinp(N,C) += dout·weight, dweight(OC,C) += doutᵀ·inp, dbias(OC) += Σ_rows dout; null = not needed. */
export async function matmulBackward(
  ctx: GpuContext,
  dinp: GPUBuffer | null, // (N,C) accumulated
  dweight: GPUBuffer | null, // (OC,C) accumulated
  dbias: GPUBuffer | null, // (OC) accumulated
  dout: GPUBuffer, // (N,OC)
  inp: GPUBuffer, // (N,C)
  weight: GPUBuffer, // (OC,C)
  N: number,
  C: number,
  OC: number,
): Promise<void> {
  const op = 'matmulBackward';
  checkDims(op, { N, C, OC });
  checkBuffer(op, 'dout', dout, N * OC, '(N,OC)');
  checkBuffer(op, 'inp', inp, N * C, '(N,C)');
  checkBuffer(op, 'weight', weight, OC * C, '(OC,C)');
  if (dinp) {
    checkBuffer(op, 'dinp', dinp, N * C, '(N,C)');
    await recordGemm(ctx, op, 'matmul_backward_dinp', [dinp, dout, weight],
      { M: N, P: C, K: OC, aSm: OC, aSk: 1, bSp: 1, bSk: C, alpha: 1, beta: 1 });
  }
  if (dweight) {
    checkBuffer(op, 'dweight', dweight, OC * C, '(OC,C)');
    await recordGemm(ctx, op, 'matmul_backward_dweight', [dweight, dout, inp],
      { M: OC, P: C, K: N, aSm: 1, aSk: OC, bSp: 1, bSk: C, alpha: 1, beta: 1 });
  }
  if (dbias) {
    checkBuffer(op, 'dbias', dbias, OC, '(OC)');
    const pipeline = await ctx.pipelines.get('matmul', code, 'matmul_backward_dbias');
    const params = ctx.uniforms('matmul:dbias', [N, OC]);
    ctx.dispatch(pipeline, [dbias, dout, params], grid1d(op, OC, 64));
  }
}
