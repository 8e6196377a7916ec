// Optimiser pieces (CPU reference): AdamW with PyTorch semantics (decoupled decay applied
// first: p *= 1 − lr·wd, then the bias-corrected Adam step), global-norm gradient clipping
// (PyTorch clip_grad_norm_), and the learning-rate schedule (linear warmup, cosine to minLr).
import { ShapeError } from '../errors.ts';
import { checkLen } from './shape.ts';

/** AdamW hyper-parameters of one parameter group (one declaration, used by the WGSL twin and every backend). */
export interface AdamWHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** Per parameter group: 0 for norms and biases. */
  weightDecay: number;
}

/** One AdamW step in place; t is the 1-based step count (1 on the first step). */
export function adamwStep(
  param: Float32Array, // (n) updated in place
  grad: Float32Array, // (n)
  m: Float32Array, // (n) first moment, updated in place
  v: Float32Array, // (n) second moment, updated in place
  hyper: AdamWHyper,
  t: number,
): void {
  const op = 'adamwStep';
  const n = param.length;
  checkLen(op, 'grad', grad, n, '(n) = param.length');
  checkLen(op, 'm', m, n, '(n) = param.length');
  checkLen(op, 'v', v, n, '(n) = param.length');
  if (!Number.isInteger(t) || t < 1) {
    throw new ShapeError(`${op}: step t = ${t} must be an integer ≥ 1 (count steps from 1, after incrementing).`);
  }
  const { lr, beta1, beta2, eps, weightDecay } = hyper;
  const bc1 = 1 - Math.pow(beta1, t);
  const bc2 = 1 - Math.pow(beta2, t);
  const decay = 1 - lr * weightDecay;
  for (let j = 0; j < n; j++) {
    const g = grad[j];
    const mj = beta1 * m[j] + (1 - beta1) * g;
    const vj = beta2 * v[j] + (1 - beta2) * g * g;
    m[j] = mj;
    v[j] = vj;
    const mhat = mj / bc1;
    const vhat = vj / bc2;
    param[j] = param[j] * decay - (lr * mhat) / (Math.sqrt(vhat) + eps);
  }
}

/** Scale all grads by min(1, maxNorm/(‖g‖₂ + 1e-6)) in place; returns the pre-clip global norm. */
export function clipGradNorm(grads: Float32Array[], maxNorm: number): number {
  let ss = 0;
  for (const g of grads) for (let j = 0; j < g.length; j++) ss += g[j] * g[j];
  const norm = Math.sqrt(ss);
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) for (const g of grads) for (let j = 0; j < g.length; j++) g[j] *= coef;
  return norm;
}
