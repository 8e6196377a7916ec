// Token sampling and batched generation on a Decoder: greedy, or temperature + top-p (nucleus)
// from a seeded generator; per-row stop tokens and stop strings; per-row lengths and log-probs.
// Reproducibility: the same seed, backend and inputs give the same tokens. Across backends the
// logits differ in the last float bits, so a near-tie can (rarely) sample differently.
import type { Decoder } from './decoder.ts';
import { InvalidInputError } from '../errors.ts';

/** A source of uniform floats in [0, 1), e.g. createRng(seed) from src/lib/math/rng.ts. */
export interface UniformRng {
  nextFloat(): number;
}

export interface SamplingOptions {
  /** 0 = greedy (argmax; the lowest id wins ties). */
  temperature: number;
  /** Nucleus mass in (0, 1]; 1 = the full distribution. */
  topP: number;
}

/** log-softmax of one row of logits at temperature 1, in f64. */
export function logSoftmax(logits: Float32Array): Float64Array {
  let max = -Infinity;
  for (const x of logits) if (x > max) max = x;
  let sum = 0;
  for (const x of logits) sum += Math.exp(x - max);
  const lse = max + Math.log(sum);
  return Float64Array.from(logits, (x) => x - lse);
}

export function checkSampling(opts: SamplingOptions): void {
  if (!(opts.temperature >= 0) || !Number.isFinite(opts.temperature)) {
    throw new InvalidInputError(`temperature must be a finite number ≥ 0 (got ${opts.temperature}); use 0 for greedy decoding.`);
  }
  if (!(opts.topP > 0 && opts.topP <= 1)) {
    throw new InvalidInputError(`top_p must be in (0, 1] (got ${opts.topP}); 1 keeps the whole distribution.`);
  }
}

/** Pick one token id from a row of logits (V). */
export function sampleToken(logits: Float32Array, opts: SamplingOptions, rng: UniformRng): number {
  if (opts.temperature === 0) {
    let best = 0;
    for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
    return best;
  }
  let max = -Infinity;
  for (const x of logits) if (x > max) max = x;
  const probs = Float64Array.from(logits, (x) => Math.exp((x - max) / opts.temperature));
  let total = 0;
  for (const p of probs) total += p;
  // Nucleus: the smallest set of most likely tokens whose mass reaches topP (ties by lower id).
  const order = Array.from(probs.keys()).sort((a, b) => probs[b] - probs[a] || a - b);
  let kept = 0;
  let n = 0;
  while (n < order.length && (n === 0 || kept / total < opts.topP)) kept += probs[order[n++]];
  let u = rng.nextFloat() * kept;
  for (let i = 0; i < n; i++) {
    u -= probs[order[i]];
    if (u < 0) return order[i];
  }
  return order[n - 1];
}

export interface GenerateOptions extends SamplingOptions {
  maxNewTokens: number;
  /** Token ids that end a row (kept in the output). */
  stopTokens?: number[];
  /** Strings that end a row when the decoded continuation contains one (cut before it). */
  stopStrings?: string[];
  /** Turns token ids into text; needed for stopStrings. */
  detokenize?: (ids: number[]) => string;
}

export interface Generation {
  tokens: number[];
  /** log P(token) under the model at temperature 1, per generated token. */
  logprobs: number[];
  text: string | null;
  finish: 'stop-token' | 'stop-string' | 'length';
}

/**
 * Continue every row of `decoder` (whose caches already hold the prompts) until each stops.
 * `firstLogits` (B,V) are the logits after the prompt, as returned by decoder.append / fork.
 */
export async function generate(
  decoder: Decoder,
  firstLogits: Float32Array,
  opts: GenerateOptions,
  rng: UniformRng,
): Promise<Generation[]> {
  checkSampling(opts);
  if (!Number.isInteger(opts.maxNewTokens) || opts.maxNewTokens < 1) {
    throw new InvalidInputError(`maxNewTokens must be a positive integer (got ${opts.maxNewTokens}).`);
  }
  if (opts.stopStrings?.length && !opts.detokenize) {
    throw new InvalidInputError('stopStrings need a detokenize function to read the generated text.');
  }
  const B = decoder.B;
  const V = decoder.params.config.vocabSize;
  const stop = new Set(opts.stopTokens ?? []);
  const out: Generation[] = Array.from({ length: B }, () => ({ tokens: [], logprobs: [], text: null, finish: 'length' as const }));
  const active = new Array(B).fill(true);
  let logits = firstLogits;
  for (let step = 0; step < opts.maxNewTokens && active.some(Boolean); step++) {
    const next: number[][] = [];
    for (let b = 0; b < B; b++) {
      next.push([]);
      if (!active[b]) continue;
      const row = logits.subarray(b * V, (b + 1) * V);
      const id = sampleToken(row, opts, rng);
      const g = out[b];
      g.tokens.push(id);
      g.logprobs.push(logSoftmax(row)[id]);
      if (stop.has(id)) {
        g.finish = 'stop-token';
        active[b] = false;
        continue;
      }
      if (opts.stopStrings?.length) {
        const text = opts.detokenize!(g.tokens);
        const at = firstStop(text, opts.stopStrings);
        if (at >= 0) {
          g.finish = 'stop-string';
          g.text = text.slice(0, at);
          active[b] = false;
          continue;
        }
      }
      if (decoder.lengths[b] + 1 >= decoder.S) {
        active[b] = false; // cache full: the row ends with finish 'length'
        continue;
      }
      next[b].push(id);
    }
    if (!next.some((n) => n.length > 0)) break;
    logits = await decoder.append(next);
  }
  if (opts.detokenize) for (const g of out) g.text ??= opts.detokenize(g.tokens);
  return out;
}

function firstStop(text: string, stops: string[]): number {
  let best = -1;
  for (const s of stops) {
    const i = text.indexOf(s);
    if (i >= 0 && (best < 0 || i < best)) best = i;
  }
  return best;
}
