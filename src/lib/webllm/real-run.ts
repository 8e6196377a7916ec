// A run of the paper's search and judge stages on a real model (WebLLM tier): the same searchPool as
// the tiny tier, then — where gold answers exist — the judge's quality on the visitor's own run, the
// paper's Table 6 quantities: how often the chosen step lies on a solution that reaches the gold
// answer vs the rejected one (each continued greedily by the model), and swap consistency (the same
// winner in both A/B orders). No training: a real model's weights stay as they are in this tier.
import { checkpoint, type TaskControl } from '../psr/control.ts';
import type { SearchEvent, SearchEventListener } from '../psr/events.ts';
import { bootstrapMean, type Interval } from '../psr/intervals.ts';
import type { PreferencePair } from '../psr/pairs.ts';
import { searchPool, type PoolResult } from '../psr/search.ts';
import type { SearchSettings } from '../psr/search-config.ts';
import { answersMatch, extractBoxed } from './answer.ts';
import type { WebLlmStepModel } from './webllm-step-model.ts';

export interface RealProblem {
  id: string;
  question: string;
  /** The reference final answer (GSM8K's "#### N", MATH-500's answer); null for a pasted problem. */
  gold: string | null;
}

export interface ProblemOutcome {
  problemId: string;
  steps: string[];
  /** The last \boxed{} of the accepted solution (null when none was written). */
  answer: string | null;
  /** answer matches gold (null without gold). */
  correct: boolean | null;
}

/** One pair's continuations to a final answer (judge quality). */
export interface PairRollout {
  problemId: string;
  stepIndex: number;
  chosenAnswer: string | null;
  rejectedAnswer: string | null;
  chosenReaches: boolean;
  rejectedReaches: boolean;
}

export interface JudgeQuality {
  /** Ordered-pair verdicts written: A, B, none (cut off or missing), both. */
  verdicts: { A: number; B: number; none: number; both: number };
  /** Pairs judged in both orders with a verdict in each, and of those the ones with the same winner. */
  swapConsistency: Interval;
  /** P(continuing from the chosen / rejected step reaches the gold answer), over pairs with gold. */
  chosenReaches: Interval;
  rejectedReaches: Interval;
  /** Among pairs where exactly one of the two reaches gold: the judge chose that one. */
  pickAccuracy: Interval;
  rollouts: PairRollout[];
}

export type JudgmentEvent = Extract<SearchEvent, { type: 'judgment' }>;

export interface RealRunResult {
  pool: PoolResult;
  outcomes: ProblemOutcome[];
  quality: JudgeQuality;
  /** Every pairwise judgment of the run (both orders, the written verdicts and explanations). */
  judgments: JudgmentEvent[];
}

export interface RealRunOptions {
  onEvent?: SearchEventListener;
  control?: TaskControl;
  /** Continue chosen and rejected steps greedily to measure the judge against gold (two requests per pair). */
  rollouts: boolean;
  onRollout?: (done: number, total: number) => void;
}

/** Search `problems` with the real model, then measure its judge where gold answers exist. */
export async function runRealSearch(
  model: WebLlmStepModel,
  problems: readonly RealProblem[],
  settings: SearchSettings,
  seed: number,
  opts: RealRunOptions,
): Promise<RealRunResult> {
  const judgments: JudgmentEvent[] = [];
  const pool = await searchPool(model, problems, settings, seed, {
    control: opts.control,
    onEvent: (e) => {
      if (e.type === 'judgment') judgments.push(e);
      opts.onEvent?.(e);
    },
  });
  const gold = new Map(problems.map((p) => [p.id, p.gold]));
  const outcomes = pool.results.map((r): ProblemOutcome => {
    const answer = extractBoxed(r.steps.join('\n'));
    const g = gold.get(r.problemId) ?? null;
    return { problemId: r.problemId, steps: r.steps, answer, correct: g === null ? null : answer !== null && answersMatch(answer, g) };
  });
  const withGold = pool.pairs.filter((p) => (gold.get(p.problemId) ?? null) !== null);
  const rollouts: PairRollout[] = [];
  if (opts.rollouts) {
    for (const p of withGold) {
      await checkpoint(opts.control, `before the rollouts of pair ${rollouts.length + 1}`);
      rollouts.push(await rolloutPair(model, p, gold.get(p.problemId)!));
      opts.onRollout?.(rollouts.length, withGold.length);
    }
  }
  return { pool, outcomes, quality: judgeQuality(judgments, rollouts, seed), judgments };
}

async function rolloutPair(model: WebLlmStepModel, p: PreferencePair, gold: string): Promise<PairRollout> {
  const answerAfter = async (step: string, final: boolean) => {
    const text = final ? step : `${step}\n${await model.completeSolution(p.question, [...p.previousSteps, step])}`;
    return extractBoxed(text);
  };
  const chosenAnswer = await answerAfter(p.chosen, p.chosenFinal);
  const rejectedAnswer = await answerAfter(p.rejected, p.rejectedFinal);
  const reaches = (a: string | null) => a !== null && answersMatch(a, gold);
  return { problemId: p.problemId, stepIndex: p.stepIndex, chosenAnswer, rejectedAnswer, chosenReaches: reaches(chosenAnswer), rejectedReaches: reaches(rejectedAnswer) };
}

/** The judge-quality table from the run's judgment events and pair rollouts; intervals resample problems. */
export function judgeQuality(judgments: readonly JudgmentEvent[], rollouts: readonly PairRollout[], seed: number | string): JudgeQuality {
  const verdicts = { A: 0, B: 0, none: 0, both: 0 };
  const swap = new Map<string, [number, number]>();
  for (const j of judgments) {
    for (const v of [j.verdictForward, j.verdictSwapped]) if (v) verdicts[v]++;
    const f = j.verdictForward;
    const s = j.verdictSwapped;
    if ((f === 'A' || f === 'B') && (s === 'A' || s === 'B')) {
      const g = swap.get(j.problemId) ?? [0, 0];
      g[0] += f !== s ? 1 : 0; // the same candidate wins: A first, then B once they are swapped
      g[1] += 1;
      swap.set(j.problemId, g);
    }
  }
  const byProblem = (f: (r: PairRollout) => [number, number]) => {
    const m = new Map<string, [number, number]>();
    for (const r of rollouts) {
      const g = m.get(r.problemId) ?? [0, 0];
      const [x, y] = f(r);
      g[0] += x;
      g[1] += y;
      m.set(r.problemId, g);
    }
    return [...m.values()];
  };
  return {
    verdicts,
    swapConsistency: bootstrapMean([...swap.values()], `${seed}:swap`),
    chosenReaches: bootstrapMean(byProblem((r) => [r.chosenReaches ? 1 : 0, 1]), `${seed}:chosen`),
    rejectedReaches: bootstrapMean(byProblem((r) => [r.rejectedReaches ? 1 : 0, 1]), `${seed}:rejected`),
    pickAccuracy: bootstrapMean(byProblem((r) => (r.chosenReaches !== r.rejectedReaches ? [r.chosenReaches ? 1 : 0, 1] : [0, 0])), `${seed}:pick`),
    rollouts: [...rollouts],
  };
}
