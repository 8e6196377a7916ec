// Cross-entropy on the GPU (crossentropy.wgsl): the weighted SFT loss and DPO's sequence
// log-prob over spans, each with its accumulating backward. CPU twin: src/lib/ref/crossentropy.ts.
// Same arguments as the CPU twin; the scalar loss the CPU forward returns lands in an optional
// (2) buffer [Σ losses / Σ w, Σ w]. Targets are i32, span masks u32 (widen Uint8Array masks).
// Functions are async only for the cached pipeline lookup; they record dispatches, never flush.
import code from './crossentropy.wgsl?raw';
import type { GpuContext } from '../gpu/context.ts';
import { checkBuffer, checkDims, grid1d, placeholderBuffer } from './common.ts';
import { InvalidInputError } from '../errors.ts';

const WG = 64;

/**
 * losses(N) = w·(lse − logits[target]) (0 where w = 0) and logsumexp(N) for every row, like the
 * CPU twin; the scalar it returns goes to the optional `loss` buffer: (2) [Σ losses / Σ w (0 when
 * Σ w = 0), Σ w]. weights null = all ones.
 */
export async function crossEntropyForward(
  ctx: GpuContext,
  losses: GPUBuffer, // (N) per-row weighted loss
  logsumexp: GPUBuffer, // (N) saved for backward
  logits: GPUBuffer, // (N,V)
  targets: GPUBuffer, // (N) i32, read only where weight ≠ 0
  weights: GPUBuffer | null, // (N) 0 = not scored, >1 = up-weighted; null = all 1
  N: number,
  V: number,
  loss: GPUBuffer | null = null, // (2) [mean loss, Σ weights], optional
): Promise<void> {
  const op = 'crossEntropyForward';
  checkDims(op, { N, V });
  checkBuffer(op, 'losses', losses, N, '(N)');
  checkBuffer(op, 'logsumexp', logsumexp, N, '(N)');
  checkBuffer(op, 'logits', logits, N * V, '(N,V)');
  checkBuffer(op, 'targets', targets, N, '(N)');
  if (weights) checkBuffer(op, 'weights', weights, N, '(N)');
  if (loss) checkBuffer(op, 'loss', loss, 2, '(2)');
  const constants = { WEIGHTED: weights ? 1 : 0 };
  const rows = await ctx.pipelines.get('crossentropy', code, 'crossentropy_forward', constants);
  const reduce = loss ? await ctx.pipelines.get('crossentropy', code, 'crossentropy_loss', constants) : null;
  const w = weights ?? placeholderBuffer(ctx);
  const params = ctx.uniforms('crossentropy', [N, V, 1, { f32: 0 }]);
  ctx.dispatch(rows, [losses, logsumexp, logits, targets, w, params], grid1d(op, N, 1));
  if (loss && reduce) ctx.dispatch(reduce, [loss, losses, w, params], [1]);
}

/**
 * dlogits(N,V) += dloss·w_n/Σw·(softmax(logits[n]) − onehot(target_n)), nothing when Σw = 0.
 * Σw is reduced on the GPU first, into a pooled (2) scratch returned to the pool once recorded.
 */
export async function crossEntropyBackward(
  ctx: GpuContext,
  dlogits: GPUBuffer, // (N,V) accumulated
  logits: GPUBuffer, // (N,V)
  logsumexp: GPUBuffer, // (N) from forward
  targets: GPUBuffer, // (N) i32
  weights: GPUBuffer | null, // (N) null = all 1
  N: number,
  V: number,
  dloss = 1,
): Promise<void> {
  const op = 'crossEntropyBackward';
  checkDims(op, { N, V });
  if (!Number.isFinite(dloss)) throw new InvalidInputError(`${op}: dloss = ${dloss} must be finite (1 for a plain loss).`);
  checkBuffer(op, 'dlogits', dlogits, N * V, '(N,V)');
  checkBuffer(op, 'logits', logits, N * V, '(N,V)');
  checkBuffer(op, 'logsumexp', logsumexp, N, '(N)');
  checkBuffer(op, 'targets', targets, N, '(N)');
  if (weights) checkBuffer(op, 'weights', weights, N, '(N)');
  const constants = { WEIGHTED: weights ? 1 : 0 };
  const sum = await ctx.pipelines.get('crossentropy', code, 'crossentropy_weight_sum', constants);
  const pipeline = await ctx.pipelines.get('crossentropy', code, 'crossentropy_backward', constants);
  const w = weights ?? placeholderBuffer(ctx);
  const wsum = ctx.pool.acquire(2 * 4, undefined, 'crossentropy:weight_sum'); // (2) [0, Σ w]
  const params = ctx.uniforms('crossentropy', [N, V, 1, { f32: dloss }]);
  ctx.dispatch(sum, [wsum, w, params], [1]);
  ctx.dispatch(pipeline, [dlogits, logsumexp, logits, targets, w, params, wsum], grid1d(op, N * V, WG));
  ctx.pool.release(wsum);
}

/**
 * seqLogp(B) = Σ_t spanMask·log_softmax(logits[b,t])[target]; logsumexp(N) for every row.
 * Uses a pooled (N) scratch for the per-token terms, returned to the pool once recorded.
 */
export async function seqLogprobForward(
  ctx: GpuContext,
  seqLogp: GPUBuffer, // (B)
  logsumexp: GPUBuffer, // (N) saved for backward
  logits: GPUBuffer, // (N=B·T,V)
  targets: GPUBuffer, // (N) i32, read only where spanMask = 1
  spanMask: GPUBuffer, // (N) u32, 1 = token of the scored span
  B: number,
  T: number,
  V: number,
): Promise<void> {
  const op = 'seqLogprobForward';
  checkDims(op, { B, T, V });
  const N = B * T;
  checkBuffer(op, 'seqLogp', seqLogp, B, '(B)');
  checkBuffer(op, 'logsumexp', logsumexp, N, '(N=B·T)');
  checkBuffer(op, 'logits', logits, N * V, '(N=B·T,V)');
  checkBuffer(op, 'targets', targets, N, '(N=B·T)');
  checkBuffer(op, 'spanMask', spanMask, N, '(N=B·T)');
  const rows = await ctx.pipelines.get('crossentropy', code, 'seqlogp_forward');
  const reduce = await ctx.pipelines.get('crossentropy', code, 'seqlogp_reduce');
  const tokenLogp = ctx.pool.acquire(N * 4, undefined, 'crossentropy:token_logp'); // (N)
  const params = ctx.uniforms('crossentropy', [N, V, T, { f32: 0 }]);
  ctx.dispatch(rows, [tokenLogp, logsumexp, logits, targets, spanMask, params], grid1d(op, N, 1));
  ctx.dispatch(reduce, [seqLogp, tokenLogp, params], grid1d(op, B, WG));
  ctx.pool.release(tokenLogp);
}

/** dlogits[b,t,:] += dseqLogp[b]·spanMask[b,t]·(onehot(target) − softmax(logits[b,t])). */
export async function seqLogprobBackward(
  ctx: GpuContext,
  dlogits: GPUBuffer, // (N,V) accumulated
  dseqLogp: GPUBuffer, // (B)
  logits: GPUBuffer, // (N,V)
  logsumexp: GPUBuffer, // (N) from forward
  targets: GPUBuffer, // (N) i32
  spanMask: GPUBuffer, // (N) u32
  B: number,
  T: number,
  V: number,
): Promise<void> {
  const op = 'seqLogprobBackward';
  checkDims(op, { B, T, V });
  const N = B * T;
  checkBuffer(op, 'dlogits', dlogits, N * V, '(N=B·T,V)');
  checkBuffer(op, 'dseqLogp', dseqLogp, B, '(B)');
  checkBuffer(op, 'logits', logits, N * V, '(N=B·T,V)');
  checkBuffer(op, 'logsumexp', logsumexp, N, '(N=B·T)');
  checkBuffer(op, 'targets', targets, N, '(N=B·T)');
  checkBuffer(op, 'spanMask', spanMask, N, '(N=B·T)');
  const pipeline = await ctx.pipelines.get('crossentropy', code, 'seqlogp_backward');
  const params = ctx.uniforms('crossentropy', [N, V, T, { f32: 0 }]);
  ctx.dispatch(pipeline, [dlogits, logsumexp, logits, targets, spanMask, params, dseqLogp], grid1d(op, N * V, WG));
}
