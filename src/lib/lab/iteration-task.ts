// One self-rewarding iteration M_t → M_{t+1} for the app: the shared iteration plan (psr/plan.ts,
// the same as `psr run`) at iteration t — a fresh pool disjoint from the held-out sets, search with
// self-judging, step-DPO on the LoRA adapter, the before/after evaluation — run by runIterations.
// Settings arrive validated (ModelLab checks them against the settings table); events are thinned
// for the page.
import { runIterations, type LoopContext, type ModelEvaluation, type SearchedStage } from '../psr/loop.ts';
import { planLoop } from '../psr/plan.ts';
import type { WorldConfig } from '../math/config.ts';
import type { LoraAdapter } from '../model/lora.ts';
import type { PreferencePair } from '../psr/pairs.ts';
import type { TaskControl } from '../psr/control.ts';
import { ITERATION_KEYS, type RunSettings } from '../settings/table.ts';
import { pairLabel } from './oracle.ts';
import { parsePairsJsonl } from '../psr/pairs.ts';
import { ImportError } from '../errors.ts';
import type { InterruptedIteration, IterationEvent, IterationOutcome, IterationSettings } from './types.ts';

export interface IterationInput {
  ctx: Omit<LoopContext, 'eval'>;
  /** The math world the model was trained on (its pools and evaluation sets come from it). */
  world: WorldConfig;
  /** The model's frontier (psr_model.json): the default pools are drawn around it. */
  frontier: [number, number] | null;
  /** The adapter of M_t (the iteration's start and DPO reference). */
  adapter: LoraAdapter;
  generation: number;
  /** Validated by ModelLab (the ITERATION_KEYS from the page, the rest the demo preset's). */
  settings: RunSettings;
  /** The starting model's evaluation when already known for these evaluation sets. */
  cachedBefore: ModelEvaluation | null;
  onEvent: (e: IterationEvent) => void;
  control: TaskControl;
  /** The search of this iteration already ran (an interrupted iteration): train and evaluate on its pairs. */
  resumeFrom?: SearchedStage;
}

/** Search events worth sending to the page during an iteration (progress, not every judgment). */
const FORWARDED_SEARCH = new Set(['problem-start', 'accept', 'rollback', 'pair', 'problem-end', 'pool-end']);

export async function runOneIteration(input: IterationInput): Promise<{ outcome: IterationOutcome; adapter: LoraAdapter; pairs: PreferencePair[] }> {
  const { settings: s, generation: t } = input;
  const t0 = performance.now();
  const plan = planLoop(s, { firstIteration: t, iterations: 1, world: input.world, frontier: input.frontier });
  const ctx: LoopContext = { ...input.ctx, eval: plan.eval };
  let before = input.cachedBefore;
  if (before) input.onEvent({ type: 'evaluation', iteration: 0, model: `M${t}`, result: before });
  let pairs: PreferencePair[] = [];
  const run = await runIterations(
    ctx,
    input.adapter,
    plan.loop,
    {
      onEvent(e) {
        if (e.type === 'search' && !FORWARDED_SEARCH.has(e.event.type)) return;
        input.onEvent(e);
      },
      onIteration(_report, _adapter, p) {
        pairs = p;
      },
      control: input.control,
    },
    { evaluateStart: before === null, resumeFrom: input.resumeFrom },
  );
  before = before ?? run.start;
  return {
    outcome: {
      from: `M${t}`,
      to: `M${t + 1}`,
      settings: Object.fromEntries(ITERATION_KEYS.map((k) => [k, s[k]])) as IterationSettings,
      report: run.reports[0],
      before,
      pairs: pairs.map((pair) => ({ pair, label: pairLabel(pair) })),
      ms: performance.now() - t0,
    },
    adapter: run.final,
    pairs,
  };
}

/** The pairs and statistics of an interrupted iteration, checked: it must belong to the model as it is now (M_generation). */
export function resumableIteration(r: InterruptedIteration, generation: number): SearchedStage {
  if (typeof r !== 'object' || r === null || typeof r.pairsJsonl !== 'string') {
    throw new ImportError('the interrupted iteration is incomplete (no pairs); discard it and start a new iteration.');
  }
  if (r.generation !== generation) {
    throw new ImportError(`the interrupted iteration started from M${r.generation} but the page's model is M${generation}; discard it and start a new iteration.`);
  }
  return { pairs: parsePairsJsonl(r.pairsJsonl), searchStats: r.searchStats ?? null, srlmStats: r.srlmStats ?? null };
}
