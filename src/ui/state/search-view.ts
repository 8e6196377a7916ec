// The "watch the search" view model, folded from the engine's SearchViewEvents one at a time
// (pure, so the page can replay events at a readable pace and tests can check it in Node):
// per round its distinct candidates, the w×w matrix of P(row beats column) with the judge's
// working, win scores, best / worst, oracle labels, and what became of the round; the solution
// trail with rolled-back steps kept (struck through); the pairs made.
import type { CandidateView, OracleLabel, SearchViewEvent } from '../../lib/api.ts';
import type { PreferencePair } from '../../lib/psr/pairs.ts';
import type { VerdictLabel } from '../../lib/psr/step-model.ts';

/** One judged pair of candidates (a, b), as the matrix cell (a, b) shows it. */
export interface CellJudgment {
  /** P(row beats column): both orders averaged when both were judged. */
  p: number;
  /** P(row wins) when the row was shown as A; null when that order was not judged. */
  pRowFirst: number | null;
  /** P(row wins) when the row was shown as B; null when that order was not judged. */
  pRowSecond: number | null;
  workingRowFirst: string | null;
  workingRowSecond: string | null;
  /** A judge that writes its verdict (real-model tier): what it wrote in each order; 'none' / 'both' count as a tie. */
  verdictRowFirst?: VerdictLabel;
  verdictRowSecond?: VerdictLabel;
}

export type RoundOutcome =
  | { kind: 'accepted'; text: string; reason: 'best' | 'all-identical' | 'tie-after-cap'; final: boolean }
  | { kind: 'rollback'; reason: string; droppedStep: string | null };

export interface RoundView {
  step: number;
  round: number;
  candidates: CandidateView[];
  /** matrix[i][j]: how candidate i fared against j (null on the diagonal and before judging). */
  matrix: (CellJudgment | null)[][];
  judged: number;
  scores: number[] | null;
  best: number | null;
  worst: number | null;
  allEqual: boolean;
  labels: (OracleLabel | null)[] | null;
  outcome: RoundOutcome | null;
}

export interface TrailStep {
  step: number;
  text: string;
  rolledBack: boolean;
}

export interface SearchView {
  problemId: string | null;
  question: string;
  rounds: RoundView[];
  trail: TrailStep[];
  pairs: PreferencePair[];
  /** Pairs dropped because a later rollback removed their step. */
  droppedPairs: number;
  end: Extract<SearchViewEvent, { type: 'problem-end' }> | null;
}

export const EMPTY_SEARCH_VIEW: SearchView = { problemId: null, question: '', rounds: [], trail: [], pairs: [], droppedPairs: 0, end: null };

/** Total number of pairs a round of n distinct candidates judges. */
export const pairsToJudge = (n: number): number => (n * (n - 1)) / 2;

function lastIndex<T>(xs: readonly T[], ok: (x: T) => boolean): number {
  for (let i = xs.length - 1; i >= 0; i--) if (ok(xs[i])) return i;
  return -1;
}

function updateRound(v: SearchView, step: number, round: number, f: (r: RoundView) => RoundView): SearchView {
  const i = lastIndex(v.rounds, (r) => r.step === step && r.round === round);
  if (i < 0) return v;
  const rounds = v.rounds.slice();
  rounds[i] = f(rounds[i]);
  return { ...v, rounds };
}

function cell(
  p: number,
  first: number | null,
  second: number | null,
  wFirst: string | undefined,
  wSecond: string | undefined,
  vFirst?: VerdictLabel,
  vSecond?: VerdictLabel,
): CellJudgment {
  const c: CellJudgment = { p, pRowFirst: first, pRowSecond: second, workingRowFirst: wFirst ?? null, workingRowSecond: wSecond ?? null };
  if (vFirst) c.verdictRowFirst = vFirst;
  if (vSecond) c.verdictRowSecond = vSecond;
  return c;
}

/** Fold one event into the view (returns a new object; unchanged parts are shared). */
export function applySearchEvent(v: SearchView, e: SearchViewEvent): SearchView {
  switch (e.type) {
    case 'problem-start':
      return { ...EMPTY_SEARCH_VIEW, problemId: e.problemId, question: e.question };
    case 'candidates': {
      const n = e.candidates.length;
      const round: RoundView = {
        step: e.step, round: e.round, candidates: e.candidates, judged: 0,
        matrix: Array.from({ length: n }, () => new Array<CellJudgment | null>(n).fill(null)),
        scores: null, best: null, worst: null, allEqual: false, labels: null, outcome: null,
      };
      return { ...v, rounds: [...v.rounds, round] };
    }
    case 'judgment':
      return updateRound(v, e.step, e.round, (r) => {
        const matrix = r.matrix.map((row) => row.slice());
        // pAForward: a shown first; pASwapped: P(b wins) with b shown first, so a's share is 1 − it.
        const aSecond = e.pASwapped === null ? null : 1 - e.pASwapped;
        const bFirst = e.pASwapped;
        const bSecond = e.pAForward === null ? null : 1 - e.pAForward;
        matrix[e.a][e.b] = cell(e.pA, e.pAForward, aSecond, e.workingForward, e.workingSwapped, e.verdictForward, e.verdictSwapped);
        matrix[e.b][e.a] = cell(1 - e.pA, bFirst, bSecond, e.workingSwapped, e.workingForward, e.verdictSwapped, e.verdictForward);
        return { ...r, matrix, judged: r.judged + 1 };
      });
    case 'scores':
      return updateRound(v, e.step, e.round, (r) => ({ ...r, scores: e.scores.map((s) => s.score), best: e.best, worst: e.worst, allEqual: e.allEqual }));
    case 'oracle':
      return updateRound(v, e.step, e.round, (r) => ({ ...r, labels: e.labels }));
    case 'accept': {
      const next = updateRound(v, e.step, e.round, (r) => ({ ...r, outcome: { kind: 'accepted', text: e.text, reason: e.reason, final: e.final } }));
      return { ...next, trail: [...next.trail, { step: e.step, text: e.text, rolledBack: false }] };
    }
    case 'rollback': {
      const next = updateRound(v, e.step, e.round, (r) => ({ ...r, outcome: { kind: 'rollback', reason: e.reason, droppedStep: e.droppedStep } }));
      let trail = next.trail;
      if (e.droppedStep !== null) {
        const i = lastIndex(trail, (t) => !t.rolledBack);
        if (i >= 0) trail = trail.map((t, j) => (j === i ? { ...t, rolledBack: true } : t));
      }
      const dropped = e.droppedPair;
      const pairs = dropped ? next.pairs.filter((p) => !(p.stepIndex === dropped.stepIndex && p.chosen === dropped.chosen && p.rejected === dropped.rejected)) : next.pairs;
      return { ...next, trail, pairs, droppedPairs: next.droppedPairs + (dropped ? 1 : 0) };
    }
    case 'pair':
      return { ...v, pairs: [...v.pairs, e.pair] };
    case 'problem-end':
      return { ...v, end: e };
    case 'pool-end':
      return v;
  }
}

/** Sum and mean of a candidate's token log-probabilities. */
export function logprobSummary(c: CandidateView): { sum: number; mean: number; tokens: number } {
  const sum = c.tokenLogprobs.reduce((a, b) => a + b, 0);
  return { sum, mean: c.tokenLogprobs.length ? sum / c.tokenLogprobs.length : 0, tokens: c.tokenLogprobs.length };
}
