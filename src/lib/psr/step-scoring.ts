// One round of self-judging: merge identical candidates, judge every pair of distinct ones with
// the model itself (both A/B orders by default, or one seeded-random order), and score each
// candidate by its pairwise wins. No ground truth here: only the model's own verdicts.
//
// Scoring rule: for the pair (a, b) with verdict pA = P(a beats b), a wins 1 if pA > 0.5, b wins
// 1 if pA < 0.5, and each gets 0.5 when |pA − 0.5| ≤ the tie threshold (the setting tieThreshold;
// by default 1e-9, an exact tie up to float rounding — e.g. a judge that only follows position
// gives P(A) = p in both orders, so the debiased mean is exactly 0.5).
import type { Rng } from '../math/rng.ts';
import { StepModelError } from '../errors.ts';
import type { CandidateView } from './events.ts';
import { DEFAULT_SEARCH_SETTINGS, type JudgeOrder } from './search-config.ts';
import type { JudgeItem, SampledStep, StepModel, JudgeVerdict, VerdictLabel } from './step-model.ts';

/** Identical texts merged, in order of first appearance; `final` and log-probs from the first sample. */
export function mergeCandidates(samples: readonly SampledStep[]): CandidateView[] {
  const byText = new Map<string, CandidateView>();
  for (const s of samples) {
    const seen = byText.get(s.text);
    if (seen) seen.count++;
    else byText.set(s.text, { text: s.text, final: s.final, tokenLogprobs: [...s.tokenLogprobs], count: 1 });
  }
  return [...byText.values()];
}

export interface PairJudgment {
  a: number;
  b: number;
  /** P(a beats b) used for scoring. */
  pA: number;
  pAForward: number | null;
  pASwapped: number | null;
  workingForward?: string;
  workingSwapped?: string;
  verdictForward?: VerdictLabel;
  verdictSwapped?: VerdictLabel;
}

/** Judge every pair a < b of the distinct candidates in one batched model call. */
export async function judgeCandidates(
  model: StepModel,
  question: string,
  previousSteps: readonly string[],
  candidates: readonly CandidateView[],
  order: JudgeOrder,
  rng: Rng,
): Promise<PairJudgment[]> {
  const pairs: [number, number][] = [];
  for (let a = 0; a < candidates.length; a++) for (let b = a + 1; b < candidates.length; b++) pairs.push([a, b]);
  const item = (x: number, y: number): JudgeItem => ({ question, previousSteps: [...previousSteps], candidateA: candidates[x].text, candidateB: candidates[y].text });
  if (order === 'both') {
    const items = [...pairs.map(([a, b]) => item(a, b)), ...pairs.map(([a, b]) => item(b, a))];
    const v = checkVerdicts(await model.judge(items), items.length);
    return pairs.map(([a, b], i) => {
      const f = v[i];
      const s = v[pairs.length + i];
      return { a, b, pA: (f.pA + (1 - s.pA)) / 2, pAForward: f.pA, pASwapped: s.pA, workingForward: f.working, workingSwapped: s.working, ...labels(f.verdict, s.verdict) };
    });
  }
  const swapped = pairs.map(() => rng.chance(0.5));
  const items = pairs.map(([a, b], i) => (swapped[i] ? item(b, a) : item(a, b)));
  const v = checkVerdicts(await model.judge(items), items.length);
  return pairs.map(([a, b], i) =>
    swapped[i]
      ? { a, b, pA: 1 - v[i].pA, pAForward: null, pASwapped: v[i].pA, workingSwapped: v[i].working, ...labels(undefined, v[i].verdict) }
      : { a, b, pA: v[i].pA, pAForward: v[i].pA, pASwapped: null, workingForward: v[i].working, ...labels(v[i].verdict, undefined) },
  );
}

/** Written verdicts, only when the judge wrote them (keeps the tiny model's judgments unchanged). */
function labels(forward: VerdictLabel | undefined, swapped: VerdictLabel | undefined): Pick<PairJudgment, 'verdictForward' | 'verdictSwapped'> {
  return { ...(forward ? { verdictForward: forward } : {}), ...(swapped ? { verdictSwapped: swapped } : {}) };
}

function checkVerdicts(v: JudgeVerdict[], n: number): JudgeVerdict[] {
  if (!Array.isArray(v) || v.length !== n) {
    throw new StepModelError(`the judge returned ${Array.isArray(v) ? v.length : 'no'} verdicts for ${n} pairs; a StepModel must return one verdict per item, in order.`);
  }
  v.forEach((x, i) => {
    if (typeof x?.pA !== 'number' || !(x.pA >= 0 && x.pA <= 1)) {
      throw new StepModelError(`verdict ${i} has P(A) = ${x?.pA}, outside [0, 1]; the judge must return probabilities.`);
    }
  });
  return v;
}

/** Pairwise wins of each of `k` candidates under the scoring rule above. */
export function scoreWins(k: number, judgments: readonly PairJudgment[], tieThreshold = DEFAULT_SEARCH_SETTINGS.tieThreshold): number[] {
  const wins = new Array<number>(k).fill(0);
  for (const j of judgments) {
    if (Math.abs(j.pA - 0.5) <= tieThreshold) {
      wins[j.a] += 0.5;
      wins[j.b] += 0.5;
    } else if (j.pA > 0.5) wins[j.a] += 1;
    else wins[j.b] += 1;
  }
  return wins;
}

/**
 * Whether the judgment of best against worst passes the pair filter: with margin 0 every pair does;
 * otherwise best must win in every order judged and P(best beats worst) − 0.5 must exceed the margin.
 */
export function pairPassesFilter(judgments: readonly PairJudgment[], best: number, worst: number, margin: number): boolean {
  if (margin <= 0) return true;
  const j = judgments.find((x) => (x.a === best && x.b === worst) || (x.a === worst && x.b === best));
  if (!j) return false;
  const flip = j.a !== best; // the judgment is of worst (as a) against best
  const pBest = flip ? 1 - j.pA : j.pA;
  // Forward order: A = j.a; swapped order: A = j.b. Best wins forward when (A is best) == (pA > 0.5).
  const forwardOk = j.pAForward === null || (flip ? j.pAForward < 0.5 : j.pAForward > 0.5);
  const swappedOk = j.pASwapped === null || (flip ? j.pASwapped > 0.5 : j.pASwapped < 0.5);
  return forwardOk && swappedOk && pBest - 0.5 > margin;
}

/** Best (max wins) and worst (min wins), ties broken by `rng`; null when every score is equal. */
export function pickBestWorst(scores: readonly number[], rng: Rng): { best: number; worst: number } | null {
  const max = Math.max(...scores);
  const min = Math.min(...scores);
  if (max === min) return null;
  const at = (v: number) => scores.flatMap((s, i) => (s === v ? [i] : []));
  return { best: rng.pick(at(max)), worst: rng.pick(at(min)) };
}
