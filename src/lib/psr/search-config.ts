// Settings of the step-wise self-rewarding search as the search reads them, with their defaults
// from the settings table (src/lib/settings: the paper's w = 6, temperature 0.5, top-p 0.95, at
// most 20 steps). Values are validated once, where they enter (the lab and the CLI); the search
// trusts them. The problem pool is data, checked here: a bad pool throws SearchConfigError.
import { SearchConfigError } from '../errors.ts';
import { SETTINGS } from '../settings/table.ts';

export type JudgeOrder = 'both' | 'random';

export interface SearchSettings {
  /** Candidate next steps sampled per step (≥ 2). */
  w: number;
  /** Sampling temperature for the candidates (≥ 0; 0 = greedy, which makes all w identical). */
  temperature: number;
  /** Nucleus mass in (0, 1]. */
  topP: number;
  /** Longest solution, in accepted steps; the problem stops unfinished there. */
  maxSteps: number;
  /** A verdict with |P(A wins) − 0.5| ≤ this is a tie: half a win to each candidate. */
  tieThreshold: number;
  /**
   * Pair filter: keep the (best, worst) pair only when the judge put best over worst in both orders
   * (with 'both') and |P − 0.5| > this. 0 keeps every pair. The best step is appended either way.
   */
  pairMargin: number;
  /**
   * 'both': every distinct pair is judged in both A/B orders and the verdict is the mean
   * P(first wins) over the two (position-debiased). 'random': one order per pair, chosen by the
   * seeded rng (half the judge cost).
   */
  judgeOrder: JudgeOrder;
  /**
   * Rollbacks allowed per problem (a re-sample at step 1 counts too). When the candidates of a
   * step tie once more after the cap, one of them is accepted anyway (seeded choice, no pair).
   */
  maxRollbacks: number;
  /** Iteration number written into every pair (the model M_t that produced them: t). */
  iteration: number;
}

export const DEFAULT_SEARCH_SETTINGS: Readonly<SearchSettings> = Object.freeze({
  w: SETTINGS.w.default,
  temperature: SETTINGS.temperature.default,
  topP: SETTINGS.topP.default,
  maxSteps: SETTINGS.maxSteps.default,
  tieThreshold: SETTINGS.tieThreshold.default,
  pairMargin: SETTINGS.pairMargin.default,
  judgeOrder: SETTINGS.judgeOrder.default,
  maxRollbacks: SETTINGS.maxRollbacks.default,
  iteration: 1,
});

/** Defaults overlaid with `over` (not validated: callers pass values checked by src/lib/settings). */
export function searchSettings(over: Partial<SearchSettings> = {}): SearchSettings {
  return { ...DEFAULT_SEARCH_SETTINGS, ...over };
}

/** A problem as the search sees it: no reference steps and no answer (no ground truth in the loop). */
export interface SearchProblem {
  id: string;
  question: string;
}

/** Throw SearchConfigError for an empty pool or a problem without id / question. */
export function validatePool(problems: readonly SearchProblem[]): void {
  if (!Array.isArray(problems) || problems.length === 0) {
    throw new SearchConfigError('the problem pool is empty; generate or load at least one problem before searching.');
  }
  problems.forEach((p, i) => {
    if (typeof p !== 'object' || p === null || typeof p.id !== 'string' || p.id === '' || typeof p.question !== 'string' || p.question.trim() === '') {
      throw new SearchConfigError(`problem ${i} of the pool needs a non-empty string id and question; fix or drop that problem.`);
    }
  });
}
