// Cross-entropy and sequence log-probs over the vocabulary with the O(N·V) parts in WebAssembly
// SIMD (wasm/softmax.wat: row max + Σ exp, and dlogits += coef·softmax); the O(N) parts (logs,
// targets, weights, masks) stay in TypeScript. Same signatures and semantics as
// src/lib/ref/crossentropy.ts, except that targets are all checked before anything is written.
import { ShapeError } from '../errors.ts';
import { checkLen, checkSizes, type IntArray, type MaskArray } from '../ref/shape.ts';
import { defaultWasmKernels, type WasmKernels } from './wasm-runtime.ts';
import { bandCount, bands, type Band } from './threads/split.ts';

/** Bands of rows for the O(N·V) row passes (an exp costs about as much as a few multiply-adds). */
function rowBands(kern: WasmKernels, N: number, V: number): Band[] {
  return bands(N, bandCount(kern, 4 * N * V, N));
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

/** lse[n] = max + log Σ_v exp(logits[n,v] − max) for every row (wasm row pass, logs in f64). */
function rowLogSumExp(
  op: string,
  kern: WasmKernels,
  lse: Float32Array, // (N)
  logits: Float32Array, // (N,V)
  N: number,
  V: number,
): void {
  const s = kern.stage(op);
  const pLogits = s.input(logits);
  const pMax = s.temp(N); // (N) row max
  const pSum = s.temp(N); // (N) Σ exp(x − max)
  s.commit();
  kern.parallel(
    rowBands(kern, N, V).map(({ start, end }) => ({
      fn: 'softmax.row_max_sumexp',
      args: [pMax + 4 * start, pSum + 4 * start, pLogits + 4 * start * V, end - start, V],
    })),
  );
  const max = new Float32Array(kern.memory.buffer, pMax, N); // (N)
  const sum = new Float32Array(kern.memory.buffer, pSum, N); // (N)
  for (let n = 0; n < N; n++) lse[n] = max[n] + Math.log(sum[n]);
}

/** dlogits[n,:] += coef[n]·softmax(logits[n,:]) using the saved lse (rows with coef 0 untouched). */
function softmaxAxpyRows(
  op: string,
  kern: WasmKernels,
  dlogits: Float32Array, // (N,V) accumulated
  logits: Float32Array, // (N,V)
  lse: Float32Array, // (N)
  coef: Float64Array, // (N)
  N: number,
  V: number,
): void {
  const s = kern.stage(op);
  const pD = s.inout(dlogits);
  const pLogits = s.input(logits);
  const pLse = s.input(lse);
  const pCoef = s.temp(N); // (N)
  s.commit();
  new Float32Array(kern.memory.buffer, pCoef, N).set(coef);
  kern.parallel(
    rowBands(kern, N, V).map(({ start, end }) => ({
      fn: 'softmax.softmax_axpy_rows',
      args: [pD + 4 * start * V, pLogits + 4 * start * V, pLse + 4 * start, pCoef + 4 * start, end - start, V],
    })),
  );
  s.finish();
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
  kern: WasmKernels = defaultWasmKernels(),
): number {
  const op = 'crossEntropyForward';
  checkSizes(op, { N, V });
  checkLen(op, 'losses', losses, N, '(N)');
  checkLen(op, 'logsumexp', logsumexp, N, '(N)');
  checkLen(op, 'logits', logits, N * V, '(N,V)');
  checkLen(op, 'targets', targets, N, '(N)');
  checkLen(op, 'weights', weights, N, '(N)', true);
  for (let n = 0; n < N; n++) if (weights === null || weights[n] !== 0) checkTarget(op, targets, n, V);
  rowLogSumExp(op, kern, logsumexp, logits, N, V);
  let total = 0;
  for (let n = 0; n < N; n++) {
    const w = weights === null ? 1 : weights[n];
    if (w === 0) {
      losses[n] = 0;
      continue;
    }
    const l = w * (logsumexp[n] - logits[n * V + targets[n]]);
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
  kern: WasmKernels = defaultWasmKernels(),
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
  const coef = new Float64Array(N); // (N) dloss·w_n/Σw, 0 for unscored rows
  for (let n = 0; n < N; n++) {
    const w = weights === null ? 1 : weights[n];
    if (w === 0) continue;
    checkTarget(op, targets, n, V);
    coef[n] = (dloss * w) / wsum;
  }
  softmaxAxpyRows(op, kern, dlogits, logits, logsumexp, coef, N, V);
  for (let n = 0; n < N; n++) if (coef[n] !== 0) dlogits[n * V + targets[n]] -= coef[n];
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
  kern: WasmKernels = defaultWasmKernels(),
): void {
  const op = 'seqLogprobForward';
  checkSizes(op, { B, T, V });
  const N = B * T;
  checkLen(op, 'seqLogp', seqLogp, B, '(B)');
  checkLen(op, 'logsumexp', logsumexp, N, '(N=B·T)');
  checkLen(op, 'logits', logits, N * V, '(N=B·T,V)');
  checkLen(op, 'targets', targets, N, '(N=B·T)');
  checkLen(op, 'spanMask', spanMask, N, '(N=B·T)');
  for (let n = 0; n < N; n++) if (spanMask[n] !== 0) checkTarget(op, targets, n, V);
  rowLogSumExp(op, kern, logsumexp, logits, N, V);
  for (let b = 0; b < B; b++) {
    let sum = 0;
    for (let t = 0; t < T; t++) {
      const n = b * T + t;
      if (spanMask[n] === 0) continue;
      sum += logits[n * V + targets[n]] - logsumexp[n];
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
  kern: WasmKernels = defaultWasmKernels(),
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
  const coef = new Float64Array(N); // (N) −dseqLogp[b] on span tokens, else 0
  let any = false;
  for (let n = 0; n < N; n++) {
    const g = dseqLogp[Math.floor(n / T)];
    if (g === 0 || spanMask[n] === 0) continue;
    checkTarget(op, targets, n, V);
    coef[n] = -g;
    any = true;
  }
  if (!any) return;
  softmaxAxpyRows(op, kern, dlogits, logits, logsumexp, coef, N, V);
  for (let n = 0; n < N; n++) if (coef[n] !== 0) dlogits[n * V + targets[n]] -= coef[n];
}
