// KV-cache decoding kernels (cached_attention.wgsl, kv_write.wgsl): attention of new queries over
// the cache, and the scatter of new k/v rows into it. CPU twins: src/lib/ref/cached-attention.ts.
// Async only for the cached pipeline lookup; they record dispatches, never flush.
import attentionCode from './cached_attention.wgsl?raw';
import writeCode from './kv_write.wgsl?raw';
import type { GpuContext } from '../gpu/context.ts';
import { checkBuffer, checkDims, grid1d } from './common.ts';
import { ShapeError } from '../errors.ts';

const WG = 64;

export async function cachedAttentionForward(
  ctx: GpuContext,
  out: GPUBuffer, // (B,Tq,NH,HS)
  q: GPUBuffer, // (B,Tq,NH,HS)
  kCache: GPUBuffer, // (B,S,NKV,HS)
  vCache: GPUBuffer, // (B,S,NKV,HS)
  keyValid: GPUBuffer, // (B,S) u32
  qPos: GPUBuffer, // (B,Tq) i32
  B: number,
  Tq: number,
  S: number,
  NH: number,
  NKV: number,
  HS: number,
): Promise<void> {
  const op = 'cachedAttentionForward';
  checkDims(op, { B, Tq, S, NH, NKV, HS });
  if (NH % NKV !== 0) throw new ShapeError(`${op}: NH = ${NH} is not a multiple of NKV = ${NKV}.`);
  checkBuffer(op, 'out', out, B * Tq * NH * HS, '(B,Tq,NH,HS)');
  checkBuffer(op, 'q', q, B * Tq * NH * HS, '(B,Tq,NH,HS)');
  checkBuffer(op, 'kCache', kCache, B * S * NKV * HS, '(B,S,NKV,HS)');
  checkBuffer(op, 'vCache', vCache, B * S * NKV * HS, '(B,S,NKV,HS)');
  checkBuffer(op, 'keyValid', keyValid, B * S, '(B,S)');
  checkBuffer(op, 'qPos', qPos, B * Tq, '(B,Tq)');
  const pipeline = await ctx.pipelines.get('cached_attention', attentionCode, 'cached_attention_forward');
  const params = ctx.uniforms('cached_attention', [B, Tq, S, NH, NKV, HS, { f32: 1 / Math.sqrt(HS) }]);
  ctx.dispatch(pipeline, [out, q, kCache, vCache, keyValid, qPos, params], grid1d(op, B * Tq * NH, WG));
}

export async function kvWrite(
  ctx: GpuContext,
  cache: GPUBuffer, // (B,S,D) updated in place
  rows: GPUBuffer, // (B,Tq,D)
  writePos: GPUBuffer, // (B,Tq) i32, −1 = skip
  B: number,
  Tq: number,
  S: number,
  D: number,
): Promise<void> {
  const op = 'kvWrite';
  checkDims(op, { B, Tq, S, D });
  checkBuffer(op, 'cache', cache, B * S * D, '(B,S,D)');
  checkBuffer(op, 'rows', rows, B * Tq * D, '(B,Tq,D)');
  checkBuffer(op, 'writePos', writePos, B * Tq, '(B,Tq)');
  const pipeline = await ctx.pipelines.get('kv_write', writeCode, 'kv_write_forward');
  const params = ctx.uniforms('kv_write', [B, Tq, S, D]);
  ctx.dispatch(pipeline, [cache, rows, writePos, params], grid1d(op, B * Tq * D, WG));
}
