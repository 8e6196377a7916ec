// The generation–verification gap on the model's own samples: what the self-judge adds over the
// model's own sampling, measured where it matters. At a prefix (greedy's first wrong step, or each
// step of the reference solution) the model samples w candidate next steps and judges every pair
// of them in the loop's way (search settings, both orders, wins, best / worst). Only afterwards does
// the oracle grade the candidates; nothing of it reaches the model.
//   validShare       valid samples / samples
//   anyValidShare    rounds with at least one valid candidate
//   judgeValidPick   the judge's best is valid, over rounds whose distinct candidates mix valid and
//                    invalid (an all-tie round counts as a uniform pick among the distinct candidates)
//   randomValidPick  a uniform pick among the w samples is valid, over the same rounds
//   pairSignal       (best valid & worst invalid) − (best invalid & worst valid), over rounds with a pair
//   keptPairSignal   the same over the pairs the pair filter (pairMargin) keeps
import type { Problem } from '../math/generator.ts';
import { checkStep, scoreSolution } from '../math/checker.ts';
import { createRng } from '../math/rng.ts';
import type { SearchSettings } from './search-config.ts';
import type { StepModel } from './step-model.ts';
import { judgeCandidates, mergeCandidates, pairPassesFilter, pickBestWorst, scoreWins, type PairJudgment } from './step-scoring.ts';
import { ContextFullError } from '../errors.ts';
import { bootstrapMean, type Interval } from './intervals.ts';

export type GapPlace = 'first-wrong' | 'reference';

/** One measured round: the graded candidates and the judge's choice at one prefix. */
export interface GapRound {
  problemId: string;
  difficulty: number;
  place: GapPlace;
  /** Steps before the candidates. */
  prefixLength: number;
  samples: number;
  validSamples: number;
  /** Distinct candidates: how many of them are valid / invalid. */
  distinctValid: number;
  distinctInvalid: number;
  /** The judge's best and worst are valid (null: no pick — a single distinct candidate, or all tied). */
  bestValid: boolean | null;
  worstValid: boolean | null;
  /** All candidates tied: the expected validity of a uniform pick among the distinct candidates. */
  tiePickValid: number | null;
  /** The (best, worst) pair passes the pair filter (null: no pair). */
  pairKept: boolean | null;
  /** What the round's choice was made from, to rescore it under other settings (settings sweep). */
  raw: { valid: boolean[]; judgments: PairJudgment[]; seed: string } | null;
}

/** Sample w candidates at `prefix`, judge them like the loop, grade them with the oracle afterwards. */
export async function measureRound(
  model: StepModel,
  problem: Problem,
  prefix: readonly string[],
  place: GapPlace,
  settings: SearchSettings,
  seed: string,
): Promise<GapRound | null> {
  const rng = createRng(seed);
  let samples;
  try {
    samples = await model.sampleSteps(problem.question, prefix, settings.w, { temperature: settings.temperature, topP: settings.topP }, rng.fork('sample'));
  } catch (e) {
    if (e instanceof ContextFullError) return null;
    throw e;
  }
  const candidates = mergeCandidates(samples);
  const valid = candidates.map((c) => checkStep(problem.question, [...prefix], c.text).valid);
  const base = {
    problemId: problem.id, difficulty: problem.difficulty, place, prefixLength: prefix.length, samples: samples.length,
    validSamples: candidates.reduce((n, c, i) => n + (valid[i] ? c.count : 0), 0),
    distinctValid: valid.filter((v) => v).length, distinctInvalid: valid.filter((v) => !v).length,
  };
  if (candidates.length < 2) return { ...base, bestValid: null, worstValid: null, tiePickValid: null, pairKept: null, raw: null };
  let judgments;
  try {
    judgments = await judgeCandidates(model, problem.question, prefix, candidates, settings.judgeOrder, rng.fork('order'));
  } catch (e) {
    if (e instanceof ContextFullError) return null;
    throw e;
  }
  return rescoreRound({ ...base, bestValid: null, worstValid: null, tiePickValid: null, pairKept: null, raw: { valid, judgments, seed } }, settings);
}

/** The round's choice under a tie threshold and a pair margin, from its recorded judgments (same tie-break rng). */
export function rescoreRound(round: GapRound, settings: Pick<SearchSettings, 'tieThreshold' | 'pairMargin'>): GapRound {
  if (!round.raw) return round;
  const { valid, judgments, seed } = round.raw;
  const pick = pickBestWorst(scoreWins(valid.length, judgments, settings.tieThreshold), createRng(seed).fork('ties'));
  if (!pick) return { ...round, bestValid: null, worstValid: null, tiePickValid: round.distinctValid / valid.length, pairKept: null };
  const pairKept = pairPassesFilter(judgments, pick.best, pick.worst, settings.pairMargin);
  return { ...round, bestValid: valid[pick.best], worstValid: valid[pick.worst], tiePickValid: null, pairKept };
}

export interface SweepRow {
  tieThreshold: number;
  pairMargin: number;
  metrics: GapMetrics;
}

/** The metrics of the same rounds under every (tie threshold, pair margin): choosing them costs no new samples. */
export function sweepRounds(rounds: readonly GapRound[], tieThresholds: readonly number[], pairMargins: readonly number[], seed = 1): SweepRow[] {
  return tieThresholds.flatMap((tieThreshold) =>
    pairMargins.map((pairMargin) => ({ tieThreshold, pairMargin, metrics: gapMetrics(rounds.map((r) => rescoreRound(r, { tieThreshold, pairMargin })), seed) })),
  );
}

/** The prefix where greedy first goes wrong (all earlier steps valid), or null when greedy solved it. */
export function firstWrongPrefix(problem: Problem, greedySteps: readonly string[]): string[] | null {
  const score = scoreSolution(problem.question, [...greedySteps]);
  const bad = score.verdicts.findIndex((v) => !v.valid);
  if (bad >= 0) return greedySteps.slice(0, bad);
  // Every step valid: wrong only if it stopped without the right answer (the next step is the one to fix).
  return score.finalCorrect ? null : [...greedySteps];
}

export interface GapMetrics {
  rounds: number;
  problems: number;
  validShare: Interval;
  anyValidShare: Interval;
  /** Over rounds whose candidates mix valid and invalid ones. */
  mixedRounds: number;
  judgeValidPick: Interval;
  randomValidPick: Interval;
  /** Over rounds with a (best, worst) pair. */
  pairRounds: number;
  pairSignal: Interval;
  /** Over the pairs the pair filter keeps. */
  keptPairs: number;
  keptPairSignal: Interval;
}

const mixed = (r: GapRound) => r.distinctValid > 0 && r.distinctInvalid > 0;
/** +1 right-ordered, −1 inverted, 0 both valid or both invalid. */
const signal = (r: GapRound) => (r.bestValid && !r.worstValid ? 1 : 0) - (!r.bestValid && r.worstValid ? 1 : 0);

/** The metrics of a set of rounds, each with a 95 % bootstrap interval over problems. */
export function gapMetrics(rounds: readonly GapRound[], seed = 1): GapMetrics {
  const byProblem = new Map<string, GapRound[]>();
  for (const r of rounds) byProblem.set(r.problemId, [...(byProblem.get(r.problemId) ?? []), r]);
  const groups = [...byProblem.values()];
  // A ratio over problems: Σ numerator / Σ denominator of the resampled problems.
  const ratio = (f: (r: GapRound) => [number, number], tag: string): Interval =>
    bootstrapMean(groups.map((g) => g.reduce(([a, b], r) => { const [x, y] = f(r); return [a + x, b + y]; }, [0, 0] as [number, number])), `${seed}:${tag}`);
  const judged = (r: GapRound): number => (r.bestValid !== null ? (r.bestValid ? 1 : 0) : (r.tiePickValid ?? 0));
  return {
    rounds: rounds.length,
    problems: groups.length,
    validShare: ratio((r) => [r.validSamples, r.samples], 'valid'),
    anyValidShare: ratio((r) => [r.distinctValid > 0 ? 1 : 0, 1], 'any'),
    mixedRounds: rounds.filter(mixed).length,
    judgeValidPick: ratio((r) => (mixed(r) ? [judged(r), 1] : [0, 0]), 'judge'),
    randomValidPick: ratio((r) => (mixed(r) ? [r.validSamples / r.samples, 1] : [0, 0]), 'random'),
    pairRounds: rounds.filter((r) => r.bestValid !== null).length,
    pairSignal: ratio((r) => (r.bestValid === null ? [0, 0] : [signal(r), 1]), 'signal'),
    keptPairs: rounds.filter((r) => r.pairKept === true).length,
    keptPairSignal: ratio((r) => (r.pairKept === true ? [signal(r), 1] : [0, 0]), 'kept-signal'),
  };
}
