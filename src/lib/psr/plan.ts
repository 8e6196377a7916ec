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
import type { SearchSettings } from './search-config.ts';
import { DEFAULT_SRLM_SETTINGS } from './srlm.ts';

/** The most iterations one dataset build can hold a fresh pool for. */
export const MAX_POOLS = 32;

export interface LoopPlan {
  eval: { test: Problem[]; eftTest: EftExample[] };
  /** The levels the pools were drawn from, a repeated level weighing more (null: every level). */
  poolDifficulties: number[] | null;
  /** Everything runIterations needs besides the model: pools, method, search, SRLM, DPO, seed. */
  loop: LoopSettings;
}

/** Problems searched by iteration k (1-based): k × problems when the pools grow, else problems. */
export function poolSize(s: Pick<RunSettings, 'problems' | 'poolGrowth'>, k: number): number {
  return s.poolGrowth === 'linear' ? s.problems * k : s.problems;
}

/**
 * The default pool mix around a frontier [lo, hi]: a quarter at lo − 1, half across lo … hi, a quarter
 * at hi + 1 (clipped to the world's levels); as a list with repeats, which weight the levels.
 */
export function frontierMix(frontier: readonly [number, number], levels: number): number[] {
  const [lo, hi] = frontier;
  const middle = Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
  // Repeat the middle so that it is half of the list, whatever its width.
  const mid = [...middle, ...middle];
  const below = lo > 1 ? Array(middle.length).fill(lo - 1) : [];
  const above = hi < levels ? Array(middle.length).fill(hi + 1) : [];
  return [...below, ...mid, ...above].sort((a, b) => a - b);
}

/** The search's settings from the run settings (the loop, test-time selection and `gap` search alike). */
export function searchSettingsOf(s: RunSettings, iteration: number): SearchSettings {
  return {
    w: s.w, temperature: s.temperature, topP: s.topP, maxSteps: s.maxSteps, tieThreshold: s.tieThreshold, pairMargin: s.pairMargin,
    judgeOrder: s.judgeOrder, maxRollbacks: s.maxRollbacks, iteration,
  };
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
export function planLoop(
  s: RunSettings,
  opts: { firstIteration: number; iterations: number; world?: WorldConfig; frontier?: [number, number] | null },
): LoopPlan {
  const first = opts.firstIteration;
  // A model without a generation (M0, a base without an adapter) searches pool 1 like M1.
  const firstPool = Math.max(1, first);
  const last = firstPool + opts.iterations - 1;
  if (last > MAX_POOLS) {
    throw new DatasetConfigError(`iteration ${last} would need pool ${last}; one dataset holds fresh pools for ${MAX_POOLS} iterations. Reload the model to start again from M1.`);
  }
  const world = opts.world ?? defaultWorldConfig();
  for (const key of ['difficulties', 'evalDifficulties'] as const) {
    const beyond = s[key].filter((d) => d > world.difficulties.length);
    if (beyond.length > 0) {
      throw new SettingsError(`${SETTINGS[key].label}: level ${beyond.join(', ')} is not in the model's world, which has levels 1 to ${world.difficulties.length}.`, key);
    }
  }
  // Empty: the mix around the model's frontier when it has one (psr_model.json), else every level.
  const poolDifficulties = s.difficulties.length > 0 ? s.difficulties : opts.frontier ? frontierMix(opts.frontier, world.difficulties.length) : null;
  const data = buildDatasets(world, {
    seed: s.datasetSeed,
    ...DEFAULT_DATASET_OPTIONS,
    iftCount: 0,
    eftCount: 0,
    poolSizes: Array.from({ length: last }, (_, i) => poolSize(s, i + 1)),
    poolDifficulties: poolDifficulties ?? undefined,
  });
  return {
    eval: {
      test: evenSpread(s.evalDifficulties.length > 0 ? data.test.filter((p) => s.evalDifficulties.includes(p.difficulty)) : data.test, s.evalProblems),
      eftTest: evenSpread(data.eftTest, s.evalPairs),
    },
    poolDifficulties,
    loop: {
      method: s.method,
      judge: s.judge,
      firstIteration: first,
      pools: data.pools.slice(firstPool - 1, last),
      search: searchSettingsOf(s, first),
      srlm: { ...DEFAULT_SRLM_SETTINGS, n: s.srlmSamples, temperature: s.temperature, topP: s.topP },
      dpo: { ...DEFAULT_STEP_DPO, objective: s.objective, beta: s.beta, nllWeight: s.nllWeight, lr: s.lr, epochs: s.epochs, pairsPerBatch: s.pairsPerStep },
      trainOn: { maxStep: s.trainMaxStep, minCount: s.trainMinCount },
      seed: s.seed,
    },
  };
}

/** The model's own adapter, or a fresh one from the LoRA settings (B = 0: exactly the base model). */
export function startAdapter(config: ModelConfig, s: Pick<RunSettings, 'loraRank' | 'loraAlpha' | 'loraTargets' | 'seed'>, own: LoraAdapter | null): LoraAdapter {
  if (own) return own;
  return initLora(config, defineLoraConfig({ r: s.loraRank, alpha: s.loraAlpha, targetModules: [...s.loraTargets] }), createRng(s.seed).fork('loop-lora'));
}
