// One self-rewarding iteration M_t → M_{t+1} for the app: a fresh pool of problems (disjoint from
// the held-out evaluation sets), search with self-judging, step-DPO on the LoRA adapter, and the
// before/after evaluation — runIterations with one pool. Settings are validated here at the
// boundary; events are relabelled with the engine's model generation and thinned for the page.
import { defaultWorldConfig } from '../math/config.ts';
import { buildDatasets, DEFAULT_DATASET_OPTIONS } from '../math/datasets.ts';
import { runIterations, type LoopContext, type LoopEvent, type ModelEvaluation } from '../psr/loop.ts';
import { searchSettings } from '../psr/search-config.ts';
import { DEFAULT_SRLM_SETTINGS } from '../psr/srlm.ts';
import { DEFAULT_STEP_DPO } from '../train/step-dpo.ts';
import type { LoraAdapter } from '../model/lora.ts';
import type { PreferencePair } from '../psr/pairs.ts';
import type { TaskControl } from '../psr/control.ts';
import { InvalidInputError } from '../errors.ts';
import { pairLabel } from './oracle.ts';
import type { IterationEvent, IterationOutcome, IterationSettings } from './types.ts';

export const DEFAULT_ITERATION_SETTINGS: Readonly<IterationSettings> = Object.freeze({
  problems: 8,
  w: 4,
  temperature: 0.5,
  maxSteps: 10,
  beta: DEFAULT_STEP_DPO.beta,
  lr: DEFAULT_STEP_DPO.lr,
  epochs: DEFAULT_STEP_DPO.epochs,
  evalProblems: 24,
  evalPairs: 24,
  seed: 1,
});

/** The evaluation sets and the problem pools come from this dataset seed (the CLI's default too). */
export const APP_DATASET_SEED = 1;

/** Defaults overlaid with `over`; InvalidInputError names the first bad field and a value that works. */
export function iterationSettings(over: Partial<IterationSettings> = {}): IterationSettings {
  const s = { ...DEFAULT_ITERATION_SETTINGS, ...over };
  const int = (k: keyof IterationSettings, lo: number, hi: number) => {
    const v = s[k];
    if (!Number.isInteger(v) || v < lo || v > hi) {
      throw new InvalidInputError(`iteration setting ${k} must be a whole number in [${lo}, ${hi}], got ${v}; the default is ${DEFAULT_ITERATION_SETTINGS[k]}.`);
    }
  };
  const num = (k: keyof IterationSettings, ok: (x: number) => boolean, range: string) => {
    const v = s[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) {
      throw new InvalidInputError(`iteration setting ${k} must be ${range}, got ${v}; the default is ${DEFAULT_ITERATION_SETTINGS[k]}.`);
    }
  };
  int('problems', 1, 1000);
  int('evalProblems', 1, 2000);
  int('evalPairs', 1, 2000);
  int('epochs', 1, 50);
  int('seed', 0, 2 ** 32 - 1);
  num('beta', (x) => x > 0 && x <= 10, 'in (0, 10]');
  num('lr', (x) => x > 0 && x < 1, 'in (0, 1)');
  // w, temperature and maxSteps are the search's: its validation names them.
  searchSettings({ w: s.w, temperature: s.temperature, maxSteps: s.maxSteps });
  return s;
}

export interface IterationInput {
  ctx: Omit<LoopContext, 'eval'>;
  /** The adapter of M_t (the iteration's start and DPO reference). */
  adapter: LoraAdapter;
  generation: number;
  settings: IterationSettings;
  /** The starting model's evaluation when already known for these evaluation sets. */
  cachedBefore: ModelEvaluation | null;
  onEvent: (e: IterationEvent) => void;
  control: TaskControl;
}

/** Search events worth sending to the page during an iteration (progress, not every judgment). */
const FORWARDED_SEARCH = new Set(['problem-start', 'accept', 'rollback', 'pair', 'problem-end', 'pool-end']);

export async function runOneIteration(input: IterationInput): Promise<{ outcome: IterationOutcome; adapter: LoraAdapter; pairs: PreferencePair[] }> {
  const { settings: s, generation: t } = input;
  const t0 = performance.now();
  const data = buildDatasets(defaultWorldConfig(), {
    seed: APP_DATASET_SEED,
    ...DEFAULT_DATASET_OPTIONS,
    iftCount: 0,
    eftCount: 0,
    testCount: s.evalProblems,
    eftTestCount: s.evalPairs,
    // One pool per generation so every iteration searches problems it has not seen (max 32 pools).
    poolSizes: Array.from({ length: Math.min(32, Math.max(1, t)) }, () => s.problems),
  });
  const pool = data.pools[data.pools.length - 1];
  const ctx: LoopContext = { ...input.ctx, eval: { test: data.test, eftTest: data.eftTest } };
  const relabel = (e: LoopEvent): LoopEvent =>
    e.type === 'evaluation' ? { ...e, model: `M${e.iteration === 0 ? t : t + 1}` } : e;
  let before = input.cachedBefore;
  if (before) input.onEvent({ type: 'evaluation', iteration: 0, model: `M${t}`, result: before });
  let pairs: PreferencePair[] = [];
  const run = await runIterations(
    ctx,
    input.adapter,
    {
      method: 'psr',
      pools: [pool],
      search: searchSettings({ w: s.w, temperature: s.temperature, maxSteps: s.maxSteps, iteration: t }),
      srlm: DEFAULT_SRLM_SETTINGS,
      dpo: { ...DEFAULT_STEP_DPO, beta: s.beta, lr: s.lr, epochs: s.epochs },
      seed: s.seed * 1000 + t,
    },
    {
      onEvent(e) {
        if (e.type === 'search' && !FORWARDED_SEARCH.has(e.event.type)) return;
        input.onEvent(relabel(e));
      },
      onIteration(_report, _adapter, p) {
        pairs = p.map((pair) => ({ ...pair, iteration: t }));
      },
      control: input.control,
    },
    { evaluateStart: before === null },
  );
  before = before ?? run.start;
  const report = { ...run.reports[0], iteration: t };
  return {
    outcome: {
      from: `M${t}`,
      to: `M${t + 1}`,
      settings: s,
      report,
      before,
      pairs: pairs.map((pair) => ({ pair, label: pairLabel(pair) })),
      ms: performance.now() - t0,
    },
    adapter: run.final,
    pairs,
  };
}
