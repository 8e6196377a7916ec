// Cross-entropy over the vocabulary (CPU reference), two forms sharing one stable log-sum-exp:
//  - SFT loss with per-token weights: loss = Σ_n w_n·(lse_n − logit_n[target_n]) / Σ_n w_n;
//  - sequence log-prob over spans (DPO): seqLogp[b] = Σ_t mask·(logit[target] − lse).
// Both forwards write lse(N) for every row; backwards recompute softmax from it and accumulate.
import { ShapeError } from '../errors.ts';
import { checkLen, checkSizes, type IntArray, type MaskArray } from './shape.ts';

/** lse[n] = max + log Σ_v exp(logits[n,v] − max), for every row. */
function rowLogSumExp(
  lse: Float32Array, // (N)
  logits: Float32Array, // (N,V)
  N: number,
  V: number,
): void {
  for (let n = 0; n < N; n++) {
    const row = n * V;
    let max = -Infinity;
    for (let j = 0; j < V; j++) if (logits[row + j] > max) max = logits[row + j];
    let sum = 0;
    for (let j = 0; j < V; j++) sum += Math.exp(logits[row + j] - max);
    lse[n] = max + Math.log(sum);
  }
}

function checkTarget(op: string, targets: IntArray, n: number, V: number): number {
  const t = targets[n];
  if (!(t >= 0 && t < V)) {
    throw new ShapeError(
      `${op}: targets[${n}] = ${t} is outside [0, ${V}) on a scored row; give it weight/mask 0 or fix the target.`,
    );
  }
  return t;
}

function weightSum(weights: Float32Array | null, N: number): number {
  if (weights === null) return N;
  let s = 0;
  for (let n = 0; n < N; n++) s += weights[n];
  return s;
}

/** Returns loss = Σ losses / Σ weights (0 when Σ weights = 0). weights null = all ones. */
export function crossEntropyForward(
  losses: Float32Array, // (N) per-row weighted loss
  logsumexp: Float32Array, // (N) saved for backward
  logits: Float32Array, // (N,V)
  targets: IntArray, // (N) read only where weight ≠ 0
  weights: Float32Array | null, // (N) 0 = not scored; null = all 1
  N: number,
  V: number,
): number {
  const op = 'crossEntropyForward';
  checkSizes(op, { N, V });
  checkLen(op, 'losses', losses, N, '(N)');
  checkLen(op, 'logsumexp', logsumexp, N, '(N)');
  checkLen(op, 'logits', logits, N * V, '(N,V)');
  checkLen(op, 'targets', targets, N, '(N)');
  checkLen(op, 'weights', weights, N, '(N)', true);
  rowLogSumExp(logsumexp, logits, N, V);
  let total = 0;
  for (let n = 0; n < N; n++) {
    const w = weights === null ? 1 : weights[n];
    if (w === 0) {
      losses[n] = 0;
      continue;
    }
    const t = checkTarget(op, targets, n, V);
    const l = w * (logsumexp[n] - logits[n * V + t]);
    losses[n] = l;
    total += l;
  }
  const wsum = weightSum(weights, N);
  return wsum === 0 ? 0 : total / wsum;
}

/** dlogits[n,:] += dloss·w_n/Σw·(softmax(logits[n]) − onehot(target_n)). */
export function crossEntropyBackward(
  dlogits: Float32Array, // (N,V) accumulated
  logits: Float32Array, // (N,V)
  logsumexp: Float32Array, // (N) from forward
  targets: IntArray, // (N)
  weights: Float32Array | null, // (N) null = all 1
  N: number,
  V: number,
  dloss = 1,
): void {
  const op = 'crossEntropyBackward';
  checkSizes(op, { N, V });
  checkLen(op, 'dlogits', dlogits, N * V, '(N,V)');
  checkLen(op, 'logits', logits, N * V, '(N,V)');
  checkLen(op, 'logsumexp', logsumexp, N, '(N)');
  checkLen(op, 'targets', targets, N, '(N)');
  checkLen(op, 'weights', weights, N, '(N)', true);
  const wsum = weightSum(weights, N);
  if (wsum === 0) return;
  for (let n = 0; n < N; n++) {
    const w = weights === null ? 1 : weights[n];
    if (w === 0) continue;
    const t = checkTarget(op, targets, n, V);
    const g = (dloss * w) / wsum;
    const row = n * V;
    const lse = logsumexp[n];
    for (let j = 0; j < V; j++) dlogits[row + j] += g * Math.exp(logits[row + j] - lse);
    dlogits[row + t] -= g;
  }
}

/** seqLogp[b] = Σ_t spanMask[b,t]·log_softmax(logits[b,t])[targets[b,t]]; N = B·T. */
export function seqLogprobForward(
  seqLogp: Float32Array, // (B)
  logsumexp: Float32Array, // (N) saved for backward
  logits: Float32Array, // (N,V)
  targets: IntArray, // (N) read only where spanMask = 1
  spanMask: MaskArray, // (N) 1 = token of the scored span
  B: number,
  T: number,
  V: number,
): void {
  const op = 'seqLogprobForward';
  checkSizes(op, { B, T, V });
  const N = B * T;
  checkLen(op, 'seqLogp', seqLogp, B, '(B)');
  checkLen(op, 'logsumexp', logsumexp, N, '(N=B·T)');
  checkLen(op, 'logits', logits, N * V, '(N=B·T,V)');
  checkLen(op, 'targets', targets, N, '(N=B·T)');
  checkLen(op, 'spanMask', spanMask, N, '(N=B·T)');
  rowLogSumExp(logsumexp, logits, N, V);
  for (let b = 0; b < B; b++) {
    let sum = 0;
    for (let t = 0; t < T; t++) {
      const n = b * T + t;
      if (spanMask[n] === 0) continue;
      const tgt = checkTarget(op, targets, n, V);
      sum += logits[n * V + tgt] - logsumexp[n];
    }
    seqLogp[b] = sum;
  }
}

/** dlogits[b,t,:] += dseqLogp[b]·spanMask[b,t]·(onehot(target) − softmax(logits[b,t])). */
export function seqLogprobBackward(
  dlogits: Float32Array, // (N,V) accumulated
  dseqLogp: Float32Array, // (B)
  logits: Float32Array, // (N,V)
  logsumexp: Float32Array, // (N) from forward
  targets: IntArray, // (N)
  spanMask: MaskArray, // (N)
  B: number,
  T: number,
  V: number,
): void {
  const op = 'seqLogprobBackward';
  checkSizes(op, { B, T, V });
  const N = B * T;
  checkLen(op, 'dlogits', dlogits, N * V, '(N=B·T,V)');
  checkLen(op, 'dseqLogp', dseqLogp, B, '(B)');
  checkLen(op, 'logits', logits, N * V, '(N=B·T,V)');
  checkLen(op, 'logsumexp', logsumexp, N, '(N=B·T)');
  checkLen(op, 'targets', targets, N, '(N=B·T)');
  checkLen(op, 'spanMask', spanMask, N, '(N=B·T)');
  for (let b = 0; b < B; b++) {
    const g = dseqLogp[b];
    if (g === 0) continue;
    for (let t = 0; t < T; t++) {
      const n = b * T + t;
      if (spanMask[n] === 0) continue;
      const tgt = checkTarget(op, targets, n, V);
      const row = n * V;
      const lse = logsumexp[n];
      for (let j = 0; j < V; j++) dlogits[row + j] -= g * Math.exp(logits[row + j] - lse);
      dlogits[row + tgt] += g;
    }
  }
}
