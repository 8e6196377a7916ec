// Linear layer on a quantized frozen weight on the GPU (matmul_quant.wgsl): out = inp·Wᵀ + bias and
// dinp += dout·W with W (OC,C) int8 or q4, dequantized on the fly. CPU twin: src/lib/ref/matmul-quant.ts.
// The weight lives in ONE storage buffer laid out as packQuantized() (src/lib/formats/quant.ts) lays it out.
// f32 weights take the plain matmul kernels. Functions are async only for the pipeline lookup; they
// record dispatches, never flush. On software adapters, when K and C are multiples of 4, the
// register-blocked matmul_quant_vec4.wgsl replaces the workgroup-memory kernel (as in matmul.ts).
import code from './matmul_quant.wgsl?raw';
import vec4Code from './matmul_quant_vec4.wgsl?raw';
import type { GpuContext } from '../gpu/context.ts';
import { GUARANTEED, checkBuffer, checkDims, placeholderBuffer } from './common.ts';
import { matmulBackward, matmulForward, type MatmulKernel } from './matmul.ts';
import { KernelLimitError, ShapeError } from '../errors.ts';
import { packQuantized, q4Groups } from '../formats/quant.ts';
import type { QuantFormat, QuantizedMatrix } from '../formats/quant.ts';

const TILE = 64; // dst rows and columns per workgroup (matmul_quant.wgsl BM, BP; matmul_qvec4_big)
const SKINNY_ROWS = 8; // dst rows per workgroup of matmul_qvec4_skinny (used when M ≤ 16)

/** A quantized weight resident on the GPU: the packed words (data, then scales from word scaleOffset). */
export interface GpuQuantWeight {
  buffer: GPUBuffer; // (words) u32
  words: number;
  format: QuantFormat;
  OC: number;
  C: number;
  scaleOffset: number;
}

/** Upload a quantized matrix as one labelled storage buffer. */
export function uploadQuantized(ctx: GpuContext, q: QuantizedMatrix, label: string): GpuQuantWeight {
  const p = packQuantized(q);
  if (p.words.byteLength > GUARANTEED.storageBindingBytes) {
    throw new KernelLimitError(`uploadQuantized ${label}: ${p.words.byteLength} bytes exceed the 128 MiB storage binding every WebGPU device allows; split the layer.`);
  }
  return { buffer: ctx.upload(p.words, label), words: p.words.length, format: p.format, OC: p.OC, C: p.C, scaleOffset: p.scaleOffset };
}

function checkWeight(op: string, w: GpuQuantWeight, C: number, OC: number): void {
  if (w.OC !== OC || w.C !== C) {
    throw new ShapeError(`${op}: the quantized weight ${w.buffer.label || ''} is (OC, C) = (${w.OC}, ${w.C}) but the call says (${OC}, ${C}); pass the layer's own weight or sizes.`);
  }
  if (w.buffer.size < w.words * 4) {
    throw new ShapeError(`${op}: weight buffer ${w.buffer.label || ''} holds ${w.buffer.size} bytes but the packed weight needs ${w.words * 4}; upload it with uploadQuantized().`);
  }
}

async function record(
  ctx: GpuContext, op: string, entry: string, dst: GPUBuffer, a: GPUBuffer, w: GpuQuantWeight,
  M: number, P: number, K: number, bias: GPUBuffer | null, forward: boolean, kernel: MatmulKernel = 'auto',
): Promise<void> {
  const useVec4 = (kernel === 'vec4' || (kernel === 'auto' && ctx.handle.info.software)) && K % 4 === 0 && w.C % 4 === 0;
  const skinny = useVec4 && M <= 2 * SKINNY_ROWS;
  const gx = Math.ceil(P / TILE);
  const gy = Math.ceil(M / (skinny ? SKINNY_ROWS : TILE));
  if (gx > GUARANTEED.workgroupsPerDimension || gy > GUARANTEED.workgroupsPerDimension) {
    throw new KernelLimitError(`${op}: a ${M}×${P} result needs ${gy}×${gx} tiles, over 65,535 per dimension; split the rows.`);
  }
  const pipeline = useVec4
    ? await ctx.pipelines.get('matmul_quant_vec4', vec4Code, skinny ? 'matmul_qvec4_skinny' : 'matmul_qvec4_big', {
      FMT_Q4: w.format === 'q4' ? 1 : 0,
      TRANSPOSED: forward ? 0 : 1,
    })
    : await ctx.pipelines.get('matmul_quant', code, entry);
  const G = w.format === 'q4' ? q4Groups(w.C) : 0;
  const params = ctx.uniforms('matmul_quant', [M, P, K, w.C, G, w.scaleOffset, bias ? 1 : 0, 0]);
  const buffers = [dst, a, w.buffer, params];
  if (forward || useVec4) buffers.push(bias ?? placeholderBuffer(ctx));
  ctx.dispatch(pipeline, buffers, [gx, gy]);
}

/** out(N,OC) = inp(N,C)·W(OC,C)ᵀ + bias(OC), W dequantized on the fly (out is overwritten). */
export async function matmulQuantForward(
  ctx: GpuContext,
  out: GPUBuffer, // (N,OC)
  inp: GPUBuffer, // (N,C)
  w: GpuQuantWeight, // W (OC,C) packed
  bias: GPUBuffer | null, // (OC) optional
  N: number,
  C: number,
  OC: number,
  options: { kernel?: MatmulKernel } = {},
): Promise<void> {
  const op = 'matmulQuantForward';
  checkDims(op, { N, C, OC });
  checkWeight(op, w, C, OC);
  checkBuffer(op, 'out', out, N * OC, '(N,OC)');
  checkBuffer(op, 'inp', inp, N * C, '(N,C)');
  if (bias) checkBuffer(op, 'bias', bias, OC, '(OC)');
  if (w.format === 'f32') return matmulForward(ctx, out, inp, w.buffer, bias, N, C, OC, options);
  await record(ctx, op, `matmul_${w.format}_forward`, out, inp, w, N, OC, C, bias, true, options.kernel);
}

/** dinp(N,C) += dout(N,OC)·W(OC,C), W dequantized on the fly. The base is frozen: no dW. */
export async function matmulQuantBackwardInput(
  ctx: GpuContext,
  dinp: GPUBuffer, // (N,C) accumulated
  dout: GPUBuffer, // (N,OC)
  w: GpuQuantWeight, // W (OC,C) packed
  N: number,
  C: number,
  OC: number,
  options: { kernel?: MatmulKernel } = {},
): Promise<void> {
  const op = 'matmulQuantBackwardInput';
  checkDims(op, { N, C, OC });
  checkWeight(op, w, C, OC);
  checkBuffer(op, 'dinp', dinp, N * C, '(N,C)');
  checkBuffer(op, 'dout', dout, N * OC, '(N,OC)');
  // f32: the dinp gemm never reads `inp`; dinp (same (N,C) shape) stands in for it.
  if (w.format === 'f32') return matmulBackward(ctx, dinp, null, null, dout, dinp, w.buffer, N, C, OC, options);
  await record(ctx, op, `matmul_${w.format}_backward_input`, dinp, dout, w, N, C, OC, null, false, options.kernel);
}
