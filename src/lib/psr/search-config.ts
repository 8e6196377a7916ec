// Settings of the step-wise self-rewarding search (paper defaults: w = 6 candidates per step,
// temperature 0.5, top-p 0.95, at most 20 steps) and their validation at the boundary: every bad
// value throws SearchConfigError naming the field and a value that works.
import { SearchConfigError } from '../errors.ts';

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
  w: 6,
  temperature: 0.5,
  topP: 0.95,
  maxSteps: 20,
  judgeOrder: 'both',
  maxRollbacks: 5,
  iteration: 1,
});

/** Upper bounds that keep one search step within reason on a CPU (w² judgments per step). */
export const MAX_W = 32;
export const MAX_STEPS = 64;

/** Defaults overlaid with `over`, validated. */
export function searchSettings(over: Partial<SearchSettings> = {}): SearchSettings {
  return validateSearchSettings({ ...DEFAULT_SEARCH_SETTINGS, ...over });
}

/** Throw SearchConfigError for the first bad field; returns the settings unchanged. */
export function validateSearchSettings(s: SearchSettings): SearchSettings {
  const int = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
  if (!int(s.w) || s.w < 2 || s.w > MAX_W) {
    throw new SearchConfigError(`w (candidates per step) must be an integer in [2, ${MAX_W}], got ${s.w}; a pair needs at least 2 candidates (the paper uses 6).`);
  }
  if (typeof s.temperature !== 'number' || !Number.isFinite(s.temperature) || s.temperature < 0) {
    throw new SearchConfigError(`temperature must be a finite number ≥ 0, got ${s.temperature}; the paper samples candidates at 0.5.`);
  }
  if (typeof s.topP !== 'number' || !(s.topP > 0 && s.topP <= 1)) {
    throw new SearchConfigError(`top-p must be in (0, 1], got ${s.topP}; use 0.95 (the paper) or 1 to keep the whole distribution.`);
  }
  if (!int(s.maxSteps) || s.maxSteps < 1 || s.maxSteps > MAX_STEPS) {
    throw new SearchConfigError(`maxSteps must be an integer in [1, ${MAX_STEPS}], got ${s.maxSteps}; the paper caps solutions at 20 steps.`);
  }
  if (s.judgeOrder !== 'both' && s.judgeOrder !== 'random') {
    throw new SearchConfigError(`judgeOrder must be "both" or "random", got ${JSON.stringify(s.judgeOrder)}; "both" removes the judge's position bias.`);
  }
  if (!int(s.maxRollbacks) || s.maxRollbacks < 0 || s.maxRollbacks > 100) {
    throw new SearchConfigError(`maxRollbacks must be an integer in [0, 100], got ${s.maxRollbacks}; 5 is a good default.`);
  }
  if (!int(s.iteration) || s.iteration < 0) {
    throw new SearchConfigError(`iteration must be an integer ≥ 0, got ${s.iteration}; pass the index t of the model M_t that searches.`);
  }
  return s;
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
