// Causal + key-padding, grouped-query attention on the GPU (attention.wgsl). Forward writes out
// and the probabilities att(B,NH,T,T); backward accumulates dq, dk, dv. CPU twin: src/lib/ref/attention.ts.
// keyValid is a u32 (B,T) buffer (widen a Uint8Array mask to Uint32Array before upload)..
// Functions are async only for the cached pipeline lookup; they record dispatches, never flush.
import code from './attention.wgsl?raw';
import type { GpuContext } from '../gpu/context.ts';
import { checkBuffer, checkDims, grid1d } from './common.ts';
import { ShapeError } from '../errors.ts';

const WG = 64;

function checkAttention(op: string, B: number, T: number, NH: number, NKV: number, HS: number): void {
  checkDims(op, { B, T, NH, NKV, HS });
  if (NH % NKV !== 0) {
    throw new ShapeError(`${op}: NH = ${NH} is not a multiple of NKV = ${NKV}; grouped-query attention needs NH % NKV === 0.`);
  }
}

function uniforms(ctx: GpuContext, B: number, T: number, NH: number, NKV: number, HS: number): GPUBuffer {
  return ctx.uniforms('attention', [B, T, NH, NKV, HS, { f32: 1 / Math.sqrt(HS) }]);
}

export async function attentionForward(
  ctx: GpuContext,
  out: GPUBuffer, // (B,T,NH,HS)
  att: GPUBuffer, // (B,NH,T,T) saved probabilities, 0 where masked
  q: GPUBuffer, // (B,T,NH,HS)
  k: GPUBuffer, // (B,T,NKV,HS)
  v: GPUBuffer, // (B,T,NKV,HS)
  keyValid: GPUBuffer, // (B,T) u32, 1 = real token, 0 = padding
  B: number,
  T: number,
  NH: number,
  NKV: number,
  HS: number,
): Promise<void> {
  const op = 'attentionForward';
  checkAttention(op, B, T, NH, NKV, HS);
  checkBuffer(op, 'out', out, B * T * NH * HS, '(B,T,NH,HS)');
  checkBuffer(op, 'att', att, B * NH * T * T, '(B,NH,T,T)');
  checkBuffer(op, 'q', q, B * T * NH * HS, '(B,T,NH,HS)');
  checkBuffer(op, 'k', k, B * T * NKV * HS, '(B,T,NKV,HS)');
  checkBuffer(op, 'v', v, B * T * NKV * HS, '(B,T,NKV,HS)');
  checkBuffer(op, 'keyValid', keyValid, B * T, '(B,T)');
  const pipeline = await ctx.pipelines.get('attention', code, 'attention_forward');
  const params = uniforms(ctx, B, T, NH, NKV, HS);
  ctx.dispatch(pipeline, [out, att, q, k, v, keyValid, params], grid1d(op, B * T * NH, WG));
}

/**
 * dq, dk, dv += gradients from dout and the saved att. dk/dv of a kv head sum over its query
 * heads. Uses a pooled scratch dscores(B,NH,T,T), returned to the pool once recorded (later
 * users of the pool are ordered after it; do not queue.writeBuffer into pooled buffers).
 */
export async function attentionBackward(
  ctx: GpuContext,
  dq: GPUBuffer, // (B,T,NH,HS) accumulated
  dk: GPUBuffer, // (B,T,NKV,HS) accumulated
  dv: GPUBuffer, // (B,T,NKV,HS) accumulated
  dout: GPUBuffer, // (B,T,NH,HS)
  q: GPUBuffer, // (B,T,NH,HS)
  k: GPUBuffer, // (B,T,NKV,HS)
  v: GPUBuffer, // (B,T,NKV,HS)
  att: GPUBuffer, // (B,NH,T,T) from forward
  B: number,
  T: number,
  NH: number,
  NKV: number,
  HS: number,
): Promise<void> {
  const op = 'attentionBackward';
  checkAttention(op, B, T, NH, NKV, HS);
  checkBuffer(op, 'dq', dq, B * T * NH * HS, '(B,T,NH,HS)');
  checkBuffer(op, 'dk', dk, B * T * NKV * HS, '(B,T,NKV,HS)');
  checkBuffer(op, 'dv', dv, B * T * NKV * HS, '(B,T,NKV,HS)');
  checkBuffer(op, 'dout', dout, B * T * NH * HS, '(B,T,NH,HS)');
  checkBuffer(op, 'q', q, B * T * NH * HS, '(B,T,NH,HS)');
  checkBuffer(op, 'k', k, B * T * NKV * HS, '(B,T,NKV,HS)');
  checkBuffer(op, 'v', v, B * T * NKV * HS, '(B,T,NKV,HS)');
  checkBuffer(op, 'att', att, B * NH * T * T, '(B,NH,T,T)');
  const dqPipeline = await ctx.pipelines.get('attention', code, 'attention_backward_dq');
  const dkvPipeline = await ctx.pipelines.get('attention', code, 'attention_backward_dkv');
  const dscores = ctx.pool.acquire(B * NH * T * T * 4, undefined, 'attention:dscores'); // (B,NH,T,T)
  const params = uniforms(ctx, B, T, NH, NKV, HS);
  ctx.dispatch(dqPipeline, [dq, dscores, dout, k, v, att, params], grid1d(op, B * T * NH, WG));
  ctx.dispatch(dkvPipeline, [dk, dv, dout, q, dscores, att, params], grid1d(op, B * T * NKV * HS, WG));
  ctx.pool.release(dscores);
}
