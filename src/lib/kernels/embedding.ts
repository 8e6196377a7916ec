// Token embedding on the GPU (embedding.wgsl): out(N,C) = wte(V,C)[tokens(N)] and its
// atomic-free backward dwte(V,C) += scatter of dout by token. CPU twin: src/lib/ref/embedding.ts.
// Functions are async only for the cached pipeline lookup; they record dispatches, never flush.
import code from './embedding.wgsl?raw';
import type { GpuContext } from '../gpu/context.ts';
import { checkBuffer, checkDims, grid1d } from './common.ts';

const WG = 64;

/** out(N,C) = wte(V,C)[tokens(N)]; tokens hold 4-byte ints (Int32Array/Uint32Array uploads). */
export async function embeddingForward(
  ctx: GpuContext,
  out: GPUBuffer, // (N,C)
  tokens: GPUBuffer, // (N) i32
  wte: GPUBuffer, // (V,C)
  N: number,
  C: number,
  V: number,
): Promise<void> {
  const op = 'embeddingForward';
  checkDims(op, { N, C, V });
  checkBuffer(op, 'out', out, N * C, '(N,C)');
  checkBuffer(op, 'tokens', tokens, N, '(N)');
  checkBuffer(op, 'wte', wte, V * C, '(V,C)');
  const pipeline = await ctx.pipelines.get('embedding', code, 'embedding_forward');
  const params = ctx.uniforms('embedding', [N, C, V]);
  ctx.dispatch(pipeline, [out, tokens, wte, params], grid1d(op, N * C, WG));
}

/** dwte(V,C) += Σ over rows n with tokens[n] = v of dout(n,:) — accumulates, callers zero dwte. */
export async function embeddingBackward(
  ctx: GpuContext,
  dwte: GPUBuffer, // (V,C) accumulated
  dout: GPUBuffer, // (N,C)
  tokens: GPUBuffer, // (N) i32
  N: number,
  C: number,
  V: number,
): Promise<void> {
  const op = 'embeddingBackward';
  checkDims(op, { N, C, V });
  checkBuffer(op, 'dwte', dwte, V * C, '(V,C)');
  checkBuffer(op, 'dout', dout, N * C, '(N,C)');
  checkBuffer(op, 'tokens', tokens, N, '(N)');
  const pipeline = await ctx.pipelines.get('embedding', code, 'embedding_backward');
  const params = ctx.uniforms('embedding', [N, C, V]);
  ctx.dispatch(pipeline, [dwte, dout, tokens, params], grid1d(op, V * C, WG));
}
