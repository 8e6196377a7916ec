// SwiGLU on the GPU (swiglu.wgsl): out(N,I) = silu(gate)·up and its accumulating backward.
// CPU twin: src/lib/ref/swiglu.ts.
// Functions are async only for the cached pipeline lookup; they record dispatches, never flush.
import code from './swiglu.wgsl?raw';
import type { GpuContext } from '../gpu/context.ts';
import { checkBuffer, checkDims, grid1d } from './common.ts';

const WG = 64;

export async function swigluForward(
  ctx: GpuContext,
  out: GPUBuffer, // (N,I)
  gate: GPUBuffer, // (N,I)
  up: GPUBuffer, // (N,I)
  N: number,
  I: number,
): Promise<void> {
  const op = 'swigluForward';
  checkDims(op, { N, I });
  for (const [name, buf] of [['out', out], ['gate', gate], ['up', up]] as const) checkBuffer(op, name, buf, N * I, '(N,I)');
  const pipeline = await ctx.pipelines.get('swiglu', code, 'swiglu_forward');
  const params = ctx.uniforms('swiglu', [N * I]);
  ctx.dispatch(pipeline, [gate, up, params, out], grid1d(op, N * I, WG));
}

/** dgate(N,I) += …, dup(N,I) += dout·silu(gate) (accumulate). */
export async function swigluBackward(
  ctx: GpuContext,
  dgate: GPUBuffer, // (N,I) accumulated
  dup: GPUBuffer, // (N,I) accumulated
  dout: GPUBuffer, // (N,I)
  gate: GPUBuffer, // (N,I)
  up: GPUBuffer, // (N,I)
  N: number,
  I: number,
): Promise<void> {
  const op = 'swigluBackward';
  checkDims(op, { N, I });
  for (const [name, buf] of [['dgate', dgate], ['dup', dup], ['dout', dout], ['gate', gate], ['up', up]] as const) {
    checkBuffer(op, name, buf, N * I, '(N,I)');
  }
  const pipeline = await ctx.pipelines.get('swiglu', code, 'swiglu_backward');
  const params = ctx.uniforms('swiglu', [N * I]);
  ctx.dispatch(pipeline, [gate, up, params, dgate, dup, dout], grid1d(op, N * I, WG));
}
