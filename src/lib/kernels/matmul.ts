// Linear layer on the GPU (matmul.wgsl), weight layout (OC, C): out = inp·weightᵀ + bias, and its
// backward (dinp, dweight, dbias, all accumulating). CPU twin: src/lib/ref/matmul.ts.
// LoRA is two forwards: h = x·Aᵀ with A(R,C), then y += scale·h·Bᵀ with B(OC,R) via { scale, accumulate }.
// Functions are async only for the cached pipeline lookup; they record dispatches, never flush.
// Two kernels compute every gemm: matmul.wgsl (workgroup-memory tiles; any shape, any adapter) and, on
// software adapters when the vec4 reads are aligned, matmul_vec4.wgsl (register blocks, no workgroup
// memory: ~10× faster on SwiftShader, where loads are gathers). `kernel` in the options forces one.
import code from './matmul.wgsl?raw';
import vec4Code from './matmul_vec4.wgsl?raw';
import type { GpuContext } from '../gpu/context.ts';
import { GUARANTEED, checkBuffer, checkDims, grid1d, placeholderBuffer } from './common.ts';
import { InvalidInputError, KernelLimitError } from '../errors.ts';

const TILE = 64; // dst rows and columns per workgroup (matmul.wgsl BM, BP; matmul_vec4_big)
const SKINNY_ROWS = 8; // dst rows per workgroup of matmul_vec4_skinny (used when M ≤ 16)

/** Which gemm kernel to record: 'auto' = vec4 on software adapters when aligned, else tiled. */
export type MatmulKernel = 'auto' | 'tiled' | 'vec4';

export interface MatmulOptions {
  /** Multiplies inp·weightᵀ (not the bias). Default 1. */
  scale?: number;
  /** Add into `out` instead of overwriting it (out += …). Default false. */
  accumulate?: boolean;
  /** Force a kernel (benchmarks compare them); 'vec4' falls back to 'tiled' when the shape is not aligned. */
  kernel?: MatmulKernel;
}

/** One strided gemm: dst(M,P) = alpha·Σ_k A(m,k)·B(p,k) + beta·dst (see matmul.wgsl). */
export interface Gemm {
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

/** The vec4 layouts of a gemm (matmul_vec4.wgsl override constants), or null when its reads are not aligned. */
export function vec4Layout(g: Gemm): { A_ALONG_M: boolean; B_ALONG_P: boolean } | null {
  if (g.K % 4 !== 0) return null;
  let A_ALONG_M: boolean;
  if (g.aSk === 1 && g.aSm % 4 === 0) A_ALONG_M = false;
  else if (g.aSm === 1 && g.aSk % 4 === 0 && g.M % 4 === 0) A_ALONG_M = true;
  else return null;
  let B_ALONG_P: boolean;
  if (g.bSk === 1 && g.bSp % 4 === 0) B_ALONG_P = false;
  else if (g.bSp === 1 && g.bSk % 4 === 0 && g.P % 4 === 0) B_ALONG_P = true;
  else return null;
  return { A_ALONG_M, B_ALONG_P };
}

async function recordGemm(
  ctx: GpuContext,
  op: string,
  entry: string,
  buffers: GPUBuffer[], // dst, a, b (+ bias after the params)
  g: Gemm,
  kernel: MatmulKernel = 'auto',
): Promise<void> {
  const useVec4 = kernel === 'vec4' || (kernel === 'auto' && ctx.handle.info.software);
  const layout = useVec4 ? vec4Layout(g) : null;
  if (layout) {
    const skinny = g.M <= 2 * SKINNY_ROWS;
    const gx = Math.ceil(g.P / TILE);
    const gy = Math.ceil(g.M / (skinny ? SKINNY_ROWS : TILE));
    if (gx > GUARANTEED.workgroupsPerDimension || gy > GUARANTEED.workgroupsPerDimension) {
      throw new KernelLimitError(`${op}: a ${g.M}×${g.P} result needs ${gy}×${gx} tiles, over 65,535 per dimension; split the rows.`);
    }
    const hasBias = buffers.length > 3;
    const pipeline = await ctx.pipelines.get('matmul_vec4', vec4Code, skinny ? 'matmul_vec4_skinny' : 'matmul_vec4_big', {
      A_ALONG_M: layout.A_ALONG_M ? 1 : 0,
      B_ALONG_P: layout.B_ALONG_P ? 1 : 0,
      HAS_BIAS: hasBias ? 1 : 0,
    });
    const params = ctx.uniforms('matmul_vec4', [g.M, g.P, g.K, g.aSm, g.aSk, g.bSp, g.bSk, { f32: g.alpha }, { f32: g.beta }]);
    const [dst, a, b, bias] = buffers;
    ctx.dispatch(pipeline, [dst, a, b, params, bias ?? placeholderBuffer(ctx)], [gx, gy]);
    return;
  }
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
  if (bias) await recordGemm(ctx, op, 'matmul_forward_bias', [out, inp, weight, bias], g, options.kernel);
  else await recordGemm(ctx, op, 'matmul_forward', [out, inp, weight], g, options.kernel);
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
  options: { kernel?: MatmulKernel } = {},
): Promise<void> {
  const op = 'matmulBackward';
  checkDims(op, { N, C, OC });
  checkBuffer(op, 'dout', dout, N * OC, '(N,OC)');
  checkBuffer(op, 'inp', inp, N * C, '(N,C)');
  checkBuffer(op, 'weight', weight, OC * C, '(OC,C)');
  if (dinp) {
    checkBuffer(op, 'dinp', dinp, N * C, '(N,C)');
    await recordGemm(ctx, op, 'matmul_backward_dinp', [dinp, dout, weight],
      { M: N, P: C, K: OC, aSm: OC, aSk: 1, bSp: 1, bSk: C, alpha: 1, beta: 1 }, options.kernel);
  }
  if (dweight) {
    checkBuffer(op, 'dweight', dweight, OC * C, '(OC,C)');
    await recordGemm(ctx, op, 'matmul_backward_dweight', [dweight, dout, inp],
      { M: OC, P: C, K: N, aSm: 1, aSk: OC, bSp: 1, bSk: C, alpha: 1, beta: 1 }, options.kernel);
  }
  if (dbias) {
    checkBuffer(op, 'dbias', dbias, OC, '(OC)');
    const pipeline = await ctx.pipelines.get('matmul', code, 'matmul_backward_dbias');
    const params = ctx.uniforms('matmul:dbias', [N, OC]);
    ctx.dispatch(pipeline, [dbias, dout, params], grid1d(op, OC, 64));
  }
}
