// AdamW and global-norm gradient clipping on the GPU (adamw.wgsl). PyTorch semantics: p *= 1 − lr·wd,
// then the bias-corrected Adam step; weight decay is per parameter group (0 for norms and biases).
// CPU twin: src/lib/ref/adamw.ts. The learning-rate schedule is plain CPU arithmetic: src/lib/train/schedule.ts.
// Functions are async only for the cached pipeline lookup; they record dispatches, never flush.
import code from './adamw.wgsl?raw';
import type { GpuContext } from '../gpu/context.ts';
import { checkBuffer, checkDims, grid1d } from './common.ts';
import { InvalidInputError } from '../errors.ts';
import type { AdamWHyper } from '../ref/adamw.ts';

const WG = 64;
const RWG = 256; // reduction workgroup size (adamw.wgsl RWG)
const MAX_PARTIALS_PER_TENSOR = 64;

/** One AdamW step in place on n elements; t is the 1-based step count. */
export async function adamwStep(
  ctx: GpuContext,
  param: GPUBuffer, // (n) updated in place
  grad: GPUBuffer, // (n)
  m: GPUBuffer, // (n) first moment, updated in place
  v: GPUBuffer, // (n) second moment, updated in place
  n: number,
  hyper: AdamWHyper,
  t: number,
): Promise<void> {
  const op = 'adamwStep';
  checkDims(op, { n });
  if (!Number.isInteger(t) || t < 1) {
    throw new InvalidInputError(`${op}: step t = ${t} must be an integer ≥ 1 (count steps from 1, after incrementing).`);
  }
  const { lr, beta1, beta2, eps, weightDecay } = hyper;
  if (![lr, beta1, beta2, eps, weightDecay].every(Number.isFinite) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
    throw new InvalidInputError(`${op}: hyper-parameters ${JSON.stringify(hyper)} must be finite with 0 ≤ beta1, beta2 < 1.`);
  }
  for (const [name, buf] of [['param', param], ['grad', grad], ['m', m], ['v', v]] as const) checkBuffer(op, name, buf, n, '(n)');
  const pipeline = await ctx.pipelines.get('adamw', code, 'adamw_step');
  const params = ctx.uniforms('adamw', [
    n, { f32: lr }, { f32: beta1 }, { f32: beta2 }, { f32: eps },
    { f32: 1 - lr * weightDecay }, { f32: 1 - Math.pow(beta1, t) }, { f32: 1 - Math.pow(beta2, t) },
  ]);
  ctx.dispatch(pipeline, [param, grad, m, v, params], grid1d(op, n, WG));
}

/** One gradient tensor for clipGradNorm. */
export interface GradTensor {
  buffer: GPUBuffer; // (length) scaled in place
  length: number;
}

/**
 * norm(2) = [‖all grads‖₂ before clipping, coef]; every grad *= coef = min(1, maxNorm/(‖g‖₂+1e-6)).
 * maxNorm = Infinity only measures the norm. Uses a pooled partial-sum scratch, returned once recorded.
 */
export async function clipGradNorm(
  ctx: GpuContext,
  grads: GradTensor[],
  maxNorm: number,
  norm: GPUBuffer, // (2) [global norm, clip coefficient]
): Promise<void> {
  const op = 'clipGradNorm';
  if (grads.length === 0) throw new InvalidInputError(`${op}: no gradient tensors given; pass every trainable tensor's gradient.`);
  if (!(maxNorm > 0)) throw new InvalidInputError(`${op}: maxNorm = ${maxNorm} must be > 0 (e.g. 1.0), or Infinity to only measure.`);
  checkBuffer(op, 'norm', norm, 2, '(2)');
  grads.forEach(({ buffer: grad, length }, i) => {
    checkDims(op, { [`grads[${i}].length`]: length });
    checkBuffer(op, `grads[${i}]`, grad, length, '(length)');
  });
  const partial = await ctx.pipelines.get('adamw', code, 'gradnorm_partial');
  const finalize = await ctx.pipelines.get('adamw', code, 'gradnorm_finalize');
  const scale = await ctx.pipelines.get('adamw', code, 'gradnorm_scale');
  const groups = grads.map(({ length }) => Math.min(MAX_PARTIALS_PER_TENSOR, Math.ceil(length / RWG)));
  const total = groups.reduce((a, b) => a + b, 0);
  const partials = ctx.pool.acquire(total * 4, undefined, 'adamw:gradnorm_partials'); // (total)
  const maxNormF32 = Number.isFinite(maxNorm) ? maxNorm : 3.4e38;
  let offset = 0;
  grads.forEach(({ buffer: grad, length }, i) => {
    const params = ctx.uniforms('gradnorm', [length, offset, 0, { f32: maxNormF32 }]);
    ctx.dispatch(partial, [partials, grad, params], [groups[i]]);
    offset += groups[i];
  });
  ctx.dispatch(finalize, [partials, norm, ctx.uniforms('gradnorm', [total, 0, 0, { f32: maxNormF32 }])], [1]);
  if (Number.isFinite(maxNorm)) {
    for (const { buffer: grad, length } of grads) {
      ctx.dispatch(scale, [grad, norm, ctx.uniforms('gradnorm', [length, 0, 0, { f32: maxNormF32 }])], grid1d(op, length, WG));
    }
  }
  ctx.pool.release(partials);
}
