// How much a quantized model loses: per-tensor weight error, and the next-token distributions of the f32
// model vs the quantized one on a few token sequences (max / mean |Δlogit|, KL(p_f32 ‖ p_quant), perplexity
// of each on the sequences). The quantized side runs the same transformer on DEQUANTIZED weights — exactly
// the function the quantized kernels compute (up to f32 summation order).
import type { Backend } from '../backend/backend.ts';
import type { ModelConfig } from './config.ts';
import { dequantize, quantError } from '../formats/quant.ts';
import type { QuantErrorStats } from '../formats/quant.ts';
import type { QuantizedModelWeights } from './quant-checkpoint.ts';
import { logSumExpRows, sequenceLogits } from './sequence-logits.ts';
import { tensorOf, tensorSpecs } from './weights.ts';
import type { ModelWeights } from './weights.ts';

export interface TensorQuantError extends QuantErrorStats {
  name: string;
  shape: number[];
}

/** Weight error of every quantized linear, in HF state-dict order. */
export function tensorErrors(config: ModelConfig, weights: ModelWeights, qw: QuantizedModelWeights): TensorQuantError[] {
  const out: TensorQuantError[] = [];
  for (const spec of tensorSpecs(config)) {
    const q = qw.linears.get(spec.name);
    const w = tensorOf(weights, spec);
    if (q === undefined || w === null) continue;
    out.push({ name: spec.name, shape: spec.shape, ...quantError(w, dequantize(q)) });
  }
  return out;
}

export interface LogitComparison {
  sequences: number;
  /** Positions compared (every position of every sequence). */
  positions: number;
  maxAbsLogit: number;
  meanAbsLogit: number;
  /** Mean and max over positions of KL(softmax(f32) ‖ softmax(quantized)), in nats. */
  meanKl: number;
  maxKl: number;
  /** Fraction of positions whose argmax token is the same in both models. */
  top1Agreement: number;
  /** exp(mean next-token NLL) of each model on the sequences (positions 0..T−2 predicting 1..T−1). */
  perplexityRef: number;
  perplexityQuant: number;
}

/** Compare the next-token distributions of two f32 weight sets on `sequences` (token ids) on `backend`. */
export async function compareLogits(
  backend: Backend,
  config: ModelConfig,
  ref: ModelWeights,
  quant: ModelWeights,
  sequences: readonly (readonly number[])[],
): Promise<LogitComparison> {
  const V = config.vocabSize;
  let positions = 0, maxAbs = 0, sumAbs = 0, sumKl = 0, maxKl = 0, agree = 0;
  let nllRef = 0, nllQuant = 0, predicted = 0;
  for (const ids of sequences) {
    const a = await sequenceLogits(backend, config, ref, null, ids); // (T,V)
    const b = await sequenceLogits(backend, config, quant, null, ids); // (T,V)
    const lseA = logSumExpRows(a, V); // (T)
    const lseB = logSumExpRows(b, V); // (T)
    for (let t = 0; t < ids.length; t++) {
      const row = t * V;
      let kl = 0, argA = 0, argB = 0;
      for (let v = 0; v < V; v++) {
        const la = a[row + v] - lseA[t];
        const lb = b[row + v] - lseB[t];
        kl += Math.exp(la) * (la - lb);
        const d = Math.abs(a[row + v] - b[row + v]);
        maxAbs = Math.max(maxAbs, d);
        sumAbs += d;
        if (a[row + v] > a[row + argA]) argA = v;
        if (b[row + v] > b[row + argB]) argB = v;
      }
      kl = Math.max(0, kl); // tiny negative values are f32 noise
      sumKl += kl;
      maxKl = Math.max(maxKl, kl);
      if (argA === argB) agree++;
      if (t + 1 < ids.length) {
        nllRef += lseA[t] - a[row + ids[t + 1]];
        nllQuant += lseB[t] - b[row + ids[t + 1]];
        predicted++;
      }
      positions++;
    }
  }
  return {
    sequences: sequences.length,
    positions,
    maxAbsLogit: maxAbs,
    meanAbsLogit: positions ? sumAbs / (positions * V) : 0,
    meanKl: positions ? sumKl / positions : 0,
    maxKl,
    top1Agreement: positions ? agree / positions : 0,
    perplexityRef: predicted ? Math.exp(nllRef / predicted) : NaN,
    perplexityQuant: predicted ? Math.exp(nllQuant / predicted) : NaN,
  };
}
