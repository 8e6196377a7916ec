// Pretraining the base model M0 from scratch on the math world's plain-text solutions (no Step-n
// format, no judge data): the analogue of the paper's base model, which can reason but has
// neither the step format nor the judging skill. Deterministic for a seed on a given backend.
import type { Backend } from '../backend/backend.ts';
import { ModelParams } from '../model/params.ts';
import { initWeights, parameterCount, type ModelWeights } from '../model/weights.ts';
import type { ModelConfig } from '../model/config.ts';
import { tinyModelConfig, type ModelShape } from '../model/tiny.ts';
import type { WorldConfig } from '../math/config.ts';
import { buildDatasets, DEFAULT_DATASET_OPTIONS } from '../math/datasets.ts';
import { createRng } from '../math/rng.ts';
import type { Tokenizer } from '../tokenizer/tokenizer.ts';
import { pretrainStream } from './pretrain-data.ts';
import { trainSft, type TrainHooks, type TrainLogEntry } from './trainer.ts';
import { DEFAULT_ADAMW } from './optimizer.ts';
import { InvalidInputError } from '../errors.ts';

export interface BaseTrainOptions {
  seed: number;
  /** Seed of the held-out splits (test, EFT test, pools) that pretraining must avoid. */
  datasetSeed: number;
  /** Training tokens (rows × T × steps); the step count is derived from it. */
  tokens: number;
  batchRows: number;
  seqLen: number;
  maxLr: number;
  minLr: number;
  warmupSteps: number;
  weightDecay: number;
  /** The model's size (default: the tiny model's; see model/tiny.ts). */
  shape?: Partial<ModelShape>;
}

export const DEFAULT_BASE_TRAIN: Omit<BaseTrainOptions, 'seed' | 'datasetSeed'> = {
  tokens: 6_000_000,
  batchRows: 8,
  seqLen: 256,
  maxLr: 3e-3,
  minLr: 3e-4,
  warmupSteps: 100,
  weightDecay: 0.1,
};

export interface BaseTrainResult {
  config: ModelConfig;
  weights: ModelWeights;
  log: TrainLogEntry[];
  summary: {
    parameters: number;
    /** Steps done (fewer than totalSteps when the run was asked to stop). */
    steps: number;
    totalSteps: number;
    tokens: number;
    documentsPerDifficulty: number[];
    skippedHeldOut: number;
    seconds: number;
    finalLoss: number;
    options: BaseTrainOptions;
  };
}

/** Questions of every held-out split of the datasets built with `datasetSeed`. */
export function heldOutQuestions(world: WorldConfig, datasetSeed: number): Set<string> {
  const d = buildDatasets(world, { seed: datasetSeed, ...DEFAULT_DATASET_OPTIONS, iftCount: 0, eftCount: 0 });
  return new Set([...d.test.map((p) => p.question), ...d.eftTest.map((e) => e.question), ...d.pools.flat().map((p) => p.question)]);
}

export async function trainBaseModel(
  backend: Backend,
  world: WorldConfig,
  tok: Tokenizer,
  opts: BaseTrainOptions,
  hooks: TrainHooks = {},
): Promise<BaseTrainResult> {
  const steps = Math.floor(opts.tokens / (opts.batchRows * opts.seqLen));
  if (steps < 1) throw new InvalidInputError(`--tokens ${opts.tokens} is less than one batch (${opts.batchRows * opts.seqLen} tokens).`);
  const config = tinyModelConfig(tok.size, { bos: tok.bosId, eos: tok.eosId, pad: tok.padId }, opts.shape);
  const initRng = createRng(opts.seed).fork('init');
  const weights = initWeights(config, initRng);
  const params = ModelParams.create(backend, config, weights, null, 'full');
  const stream = pretrainStream(world, tok, { seed: opts.seed, heldOut: heldOutQuestions(world, opts.datasetSeed), T: opts.seqLen });
  const t0 = performance.now();
  const log = await trainSft(
    params,
    () => stream.packer.nextBatch(opts.batchRows, tok.padId),
    {
      steps,
      batchRows: opts.batchRows,
      seqLen: opts.seqLen,
      logEvery: 25,
      lr: { maxLr: opts.maxLr, minLr: opts.minLr, warmupSteps: Math.min(opts.warmupSteps, Math.floor(steps / 10)) },
      adamw: { ...DEFAULT_ADAMW, beta2: 0.95, weightDecay: opts.weightDecay }, // GPT-style pretraining: a shorter second-moment memory
    },
    hooks,
  );
  const trained = await params.readWeights();
  params.free();
  return {
    config,
    weights: trained,
    log,
    summary: {
      parameters: parameterCount(config),
      steps: log.at(-1)?.step ?? 0,
      totalSteps: steps,
      tokens: (log.at(-1)?.step ?? 0) * opts.batchRows * opts.seqLen,
      documentsPerDifficulty: stream.stats.documents,
      skippedHeldOut: stream.stats.skippedHeldOut,
      seconds: (performance.now() - t0) / 1000,
      finalLoss: log.at(-1)?.loss ?? NaN,
      options: opts,
    },
  };
}
