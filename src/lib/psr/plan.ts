// The iteration plan, one for the app (ModelLab) and the CLI (`psr run`): from validated run
// settings (src/lib/settings) it makes the evaluation sets (an even spread of the held-out
// problems and judge pairs), the fresh problem pool of each iteration (disjoint from every
// held-out set), the loop's search / SRLM / step-DPO settings and the LoRA adapter a loop starts
// from when the model has none. The same settings give the same pools and the same pairs on both.
import { defaultWorldConfig, type WorldConfig } from '../math/config.ts';
import { buildDatasets, DEFAULT_DATASET_OPTIONS, type EftExample } from '../math/datasets.ts';
import type { Problem } from '../math/generator.ts';
import { createRng } from '../math/rng.ts';
import type { ModelConfig } from '../model/config.ts';
import { initLora, type LoraAdapter } from '../model/lora.ts';
import { defineLoraConfig } from '../model/lora-config.ts';
import { SETTINGS, type RunSettings } from '../settings/table.ts';
import { DEFAULT_STEP_DPO } from '../train/step-dpo.ts';
import { DatasetConfigError, SettingsError } from '../errors.ts';
import type { LoopSettings } from './loop.ts';
import { DEFAULT_SRLM_SETTINGS } from './srlm.ts';

/** The most iterations one dataset build can hold a fresh pool for. */
export const MAX_POOLS = 32;

export interface LoopPlan {
  eval: { test: Problem[]; eftTest: EftExample[] };
  /** Everything runIterations needs besides the model: pools, method, search, SRLM, DPO, seed. */
  loop: LoopSettings;
}

/** Problems searched by iteration k (1-based): k × problems when the pools grow, else problems. */
export function poolSize(s: Pick<RunSettings, 'problems' | 'poolGrowth'>, k: number): number {
  return s.poolGrowth === 'linear' ? s.problems * k : s.problems;
}

/** `n` items spread evenly over `xs` (all of them when n ≥ |xs|): every difficulty stays represented. */
export function evenSpread<T>(xs: readonly T[], n: number): T[] {
  if (n >= xs.length) return [...xs];
  return Array.from({ length: n }, (_, i) => xs[Math.floor((i * xs.length) / n)]);
}

/**
 * Plan `iterations` iterations starting at iteration `firstIteration` (the model M_t searches pool
 * t; M0 searches pool 1). Pools 1 … last are drawn in one build so that pool t is the same whichever iteration a run
 * starts at; the held-out sets are those of the dataset seed, whatever the pools.
 */
export function planLoop(s: RunSettings, opts: { firstIteration: number; iterations: number; world?: WorldConfig }): LoopPlan {
  const first = opts.firstIteration;
  // A model without a generation (M0, a base without an adapter) searches pool 1 like M1.
  const firstPool = Math.max(1, first);
  const last = firstPool + opts.iterations - 1;
  if (last > MAX_POOLS) {
    throw new DatasetConfigError(`iteration ${last} would need pool ${last}; one dataset holds fresh pools for ${MAX_POOLS} iterations. Reload the model to start again from M1.`);
  }
  const world = opts.world ?? defaultWorldConfig();
  const beyond = s.difficulties.filter((d) => d > world.difficulties.length);
  if (beyond.length > 0) {
    throw new SettingsError(`${SETTINGS.difficulties.label}: level ${beyond.join(', ')} is not in the model's world, which has levels 1 to ${world.difficulties.length}.`, 'difficulties');
  }
  const data = buildDatasets(world, {
    seed: s.datasetSeed,
    ...DEFAULT_DATASET_OPTIONS,
    iftCount: 0,
    eftCount: 0,
    poolSizes: Array.from({ length: last }, (_, i) => poolSize(s, i + 1)),
    // Empty: every level of the world.
    poolDifficulties: s.difficulties.length > 0 ? s.difficulties : undefined,
  });
  return {
    eval: { test: evenSpread(data.test, s.evalProblems), eftTest: evenSpread(data.eftTest, s.evalPairs) },
    loop: {
      method: s.method,
      judge: s.judge,
      firstIteration: first,
      pools: data.pools.slice(firstPool - 1, last),
      search: {
        w: s.w, temperature: s.temperature, topP: s.topP, maxSteps: s.maxSteps, tieThreshold: s.tieThreshold,
        judgeOrder: s.judgeOrder, maxRollbacks: s.maxRollbacks, iteration: first,
      },
      srlm: { ...DEFAULT_SRLM_SETTINGS, n: s.srlmSamples, temperature: s.temperature, topP: s.topP },
      dpo: { ...DEFAULT_STEP_DPO, beta: s.beta, nllWeight: s.nllWeight, lr: s.lr, epochs: s.epochs, pairsPerBatch: s.pairsPerStep },
      seed: s.seed,
    },
  };
}

/** The model's own adapter, or a fresh one from the LoRA settings (B = 0: exactly the base model). */
export function startAdapter(config: ModelConfig, s: Pick<RunSettings, 'loraRank' | 'loraAlpha' | 'loraTargets' | 'seed'>, own: LoraAdapter | null): LoraAdapter {
  if (own) return own;
  return initLora(config, defineLoraConfig({ r: s.loraRank, alpha: s.loraAlpha, targetModules: [...s.loraTargets] }), createRng(s.seed).fork('loop-lora'));
}
