// Whole-model throughput of the tiny config on any Backend, the way the app uses it:
//  - prefill: one prompt of T tokens through Decoder.prefill (tokens/s = T / time);
//  - decode: w = 6 candidate rows forked from one prefilled prefix, one token per row per step
//    (tokens/s = 6·steps / time, logits read back every step as sampling needs them);
//  - training: one SFT step (forward + backward + AdamW with clipping) on B×T tokens, LoRA r = 16
//    on every projection, or full fine-tuning (tokens/s = B·T / time).
// Weights are seeded random: speed does not depend on what the model knows.
import type { Backend } from '../backend/backend.ts';
import type { ModelConfig } from '../model/config.ts';
import { ModelParams, type TrainMode } from '../model/params.ts';
import { initWeights, type ModelWeights } from '../model/weights.ts';
import { initLora } from '../model/lora.ts';
import { defineLoraConfig, LORA_TARGETS } from '../model/lora-config.ts';
import { Decoder } from '../model/decoder.ts';
import { Workspace } from '../model/transformer.ts';
import { packBatch } from '../model/batch.ts';
import { sftStep } from '../train/objectives.ts';
import { AdamW, DEFAULT_ADAMW } from '../train/optimizer.ts';
import { createRng } from '../math/rng.ts';
import { timeAsync } from './gpu-timer.ts';
import { benchTokens as tokens } from './bench-data.ts';

export interface ModelBenchSizes {
  /** Prompt length of the prefill benchmark. */
  prefillTokens: number;
  /** Shared prefix of the decode benchmark, and decode steps timed. */
  decodePrefix: number;
  decodeSteps: number;
  /** Candidate rows decoded together (the paper's w). */
  decodeRows: number;
  /** Training batch (B rows × T tokens). */
  trainRows: number;
  trainSeqLen: number;
  /** LoRA rank of the LoRA training benchmark. */
  loraRank: number;
  /** Timed repetitions (best counts), after one warm-up. */
  samples: number;
}

export const FULL_MODEL_SIZES: ModelBenchSizes = {
  prefillTokens: 256, decodePrefix: 128, decodeSteps: 16, decodeRows: 6, trainRows: 4, trainSeqLen: 128, loraRank: 16, samples: 2,
};
export const QUICK_MODEL_SIZES: ModelBenchSizes = {
  prefillTokens: 64, decodePrefix: 32, decodeSteps: 4, decodeRows: 6, trainRows: 2, trainSeqLen: 32, loraRank: 16, samples: 1,
};

export interface ThroughputFigure {
  [extra: string]: number | string;
  tokens_per_s: number;
  /** Best milliseconds of the timed unit (one prefill, all decode steps, one training step). */
  ms: number;
  tokens: number;
}

export function benchWeights(config: ModelConfig): ModelWeights {
  return initWeights(config, createRng('bench-weights'));
}

export async function benchPrefill(backend: Backend, config: ModelConfig, weights: ModelWeights, z: ModelBenchSizes): Promise<ThroughputFigure> {
  const params = ModelParams.create(backend, config, weights, null, 'none');
  const dec = new Decoder(params, 1, z.prefillTokens);
  const prompt = tokens(z.prefillTokens, config.vocabSize, 1);
  try {
    const ms = await timeAsync(async () => {
      dec.reset();
      await dec.prefill([prompt]);
    }, z.samples);
    return { tokens_per_s: (z.prefillTokens * 1000) / ms, ms, tokens: z.prefillTokens };
  } finally {
    dec.free();
    params.free();
  }
}

export async function benchDecode(backend: Backend, config: ModelConfig, weights: ModelWeights, z: ModelBenchSizes): Promise<ThroughputFigure> {
  const params = ModelParams.create(backend, config, weights, null, 'none');
  const W = z.decodeRows;
  const dec = new Decoder(params, W, z.decodePrefix + z.decodeSteps);
  const prefix = tokens(z.decodePrefix, config.vocabSize, 2);
  const next = tokens(z.decodeSteps * W, config.vocabSize, 3);
  const others = Array.from({ length: W - 1 }, (_, i) => i + 1);
  /** Prefill the prefix, fork it to every row, then time the decode steps alone. */
  const run = async (): Promise<number> => {
    dec.reset();
    await dec.prefill([prefix, ...others.map(() => [])]);
    await dec.fork(0, others);
    const t = performance.now();
    for (let s = 0; s < z.decodeSteps; s++) {
      await dec.append(Array.from({ length: W }, (_, b) => [next[s * W + b]]));
    }
    return performance.now() - t;
  };
  try {
    await run(); // warm-up
    let ms = Infinity;
    for (let r = 0; r < z.samples; r++) ms = Math.min(ms, await run());
    const n = W * z.decodeSteps;
    return { tokens_per_s: (n * 1000) / ms, ms, tokens: n };
  } finally {
    dec.free();
    params.free();
  }
}

export async function benchTrainStep(
  backend: Backend, config: ModelConfig, weights: ModelWeights, mode: Exclude<TrainMode, 'none'>, z: ModelBenchSizes,
): Promise<ThroughputFigure & { trainable_parameters: number }> {
  const adapter = mode === 'lora'
    ? initLora(config, defineLoraConfig({ r: z.loraRank, alpha: 2 * z.loraRank, targetModules: [...LORA_TARGETS] }), createRng('bench-lora'))
    : null;
  const params = ModelParams.create(backend, config, weights, adapter, mode);
  const { trainRows: B, trainSeqLen: T } = z;
  const seqs = Array.from({ length: B }, (_, b) => tokens(T, config.vocabSize, 10 + b));
  const batch = packBatch(seqs, config.padTokenId ?? 0, T);
  const targets = new Int32Array(B * T); // (B,T) next token; the last position is not scored
  const weightsMask = new Float32Array(B * T); // (B,T)
  for (let b = 0; b < B; b++) {
    for (let t = 0; t + 1 < T; t++) {
      targets[b * T + t] = seqs[b][t + 1];
      weightsMask[b * T + t] = 1;
    }
  }
  const ws = new Workspace(backend, params, B, T);
  const opt = new AdamW(backend, params.trainables, DEFAULT_ADAMW);
  try {
    const ms = await timeAsync(async () => {
      await params.zeroGrads();
      await sftStep(ws, { batch, targets, weights: weightsMask }, true);
      await opt.update(1e-4);
    }, z.samples);
    const trainable = params.trainables.reduce((n, t) => n + t.param.length, 0);
    return { tokens_per_s: (B * T * 1000) / ms, ms, tokens: B * T, trainable_parameters: trainable };
  } finally {
    opt.free();
    ws.free();
    params.free();
  }
}
