// Datasets of the math world, deterministic from a seed, splits disjoint by question (checked):
// held-out test problems per difficulty, a held-out EFT judge test set, iteration problem
// pools, IFT (Step-n solutions) and EFT (pairwise judge examples: one valid next step vs one
// realistic wrong one, A/B positions balanced exactly). Each split draws from its own forked
// stream and splits are filled in a fixed order, so a split never depends on later sizes.

import { DatasetConfigError } from '../errors.ts';
import { stateAfter, judgeStep } from './checker.ts';
import { validateWorldConfig, type WorldConfig } from './config.ts';
import { generateProblem, toProblem, type GeneratedProblem, type Problem } from './generator.ts';
import type { Verdict } from './judge-format.ts';
import { MISTAKE_KINDS, validStep, wrongStep, type MistakeKind } from './mistakes.ts';
import { createRng, type Rng } from './rng.ts';
import { numberStep, randomOrder, stepBody } from './steps.ts';

export interface DatasetOptions {
  seed: number | string;
  /** IFT problems (each with its Step-n reference solution). */
  iftCount: number;
  /** EFT training pairs (one per problem). */
  eftCount: number;
  /** Held-out EFT judge test pairs (the paper holds out 500). */
  eftTestCount: number;
  /** Held-out test problems in all, spread evenly over the difficulties. */
  testCount: number;
  /** Problems per self-rewarding iteration (paper 400/800/1200; scaled down by default). */
  poolSizes: number[];
  /** Levels to draw from (default: every level of the world). */
  difficulties?: number[];
  /**
   * Levels of the iteration pools only (default `difficulties`), e.g. the model's frontier. The
   * held-out splits are built before the pools, so this never changes them.
   */
  poolDifficulties?: number[];
  /** Wrong-step kinds for EFT, used in rotation (default all but 'malformed'). */
  mistakeKinds?: MistakeKind[];
  /**
   * Wrong-step kinds for the EFT training split only (repeats weight a kind); default
   * `mistakeKinds`. The training split is built last, so this never changes a held-out split.
   */
  eftMistakeKinds?: MistakeKind[];
  /**
   * Which stream the training splits (IFT, EFT) draw from; default 0. Round k ≥ 1 draws them afresh
   * from the same dataset seed, so a later training stage meets problems the earlier rounds' streams
   * did not give (up to chance repeats of small questions); the held-out splits and the pools are
   * the same in every round and stay excluded from its training splits.
   */
  trainingRound?: number;
  /**
   * Levels of the training splits (IFT, EFT) only, a repeated level weighing more — e.g. a curriculum that
   * spends more of the training at the frontier; default `difficulties`. The held-out splits and the pools
   * are built before them, so this never changes them.
   */
  trainingDifficulties?: number[];
}

export const DEFAULT_DATASET_OPTIONS: Omit<DatasetOptions, 'seed'> = {
  iftCount: 4000,
  eftCount: 1000,
  eftTestCount: 500,
  testCount: 500,
  poolSizes: [64, 128, 192],
};

/** Upper bound on the problems one build may make (keeps a typo from running for hours). */
export const MAX_DATASET_PROBLEMS = 500_000;

export interface EftExample {
  id: string;
  problemId: string;
  difficulty: number;
  question: string;
  previousSteps: string[];
  candidateA: string;
  candidateB: string;
  verdict: Verdict;
  /** Checker kind of the wrong candidate. */
  wrongKind: MistakeKind;
  /** Checker kind of the valid candidate ('correct' or 'correct_final_answer'). */
  validKind: string;
}

export interface SplitSummary {
  count: number;
  byDifficulty: Record<string, number>;
}

export interface DatasetSummary {
  seed: number | string;
  splits: Record<string, SplitSummary>;
  eft: { wrongKinds: Record<string, number>; verdicts: Record<Verdict, number> };
  eftTest: { wrongKinds: Record<string, number>; verdicts: Record<Verdict, number> };
  /** Wrong steps the checker classified differently from what was built, and were redrawn. */
  redrawn: number;
  /** Questions shared between any two splits (always 0; checked). */
  overlaps: number;
}

export interface Datasets {
  test: Problem[];
  eftTest: EftExample[];
  pools: Problem[][];
  ift: Problem[];
  eft: EftExample[];
  summary: DatasetSummary;
}

function checkCount(name: string, n: unknown): number {
  if (!Number.isInteger(n) || (n as number) < 0) {
    throw new DatasetConfigError(`${name} must be a whole number >= 0, got ${JSON.stringify(n)}; pass e.g. 500`);
  }
  return n as number;
}

/** Validate options against the world; throws DatasetConfigError. */
export function validateDatasetOptions(world: WorldConfig, o: DatasetOptions): Required<DatasetOptions> {
  const iftCount = checkCount('iftCount', o.iftCount);
  const eftCount = checkCount('eftCount', o.eftCount);
  const eftTestCount = checkCount('eftTestCount', o.eftTestCount);
  const testCount = checkCount('testCount', o.testCount);
  if (!Array.isArray(o.poolSizes) || o.poolSizes.length > 32) {
    throw new DatasetConfigError('poolSizes must be a list of at most 32 sizes; pass e.g. [64, 128, 192]');
  }
  o.poolSizes.forEach((n, i) => checkCount(`poolSizes[${i}]`, n));
  const total = iftCount + eftCount + eftTestCount + testCount + o.poolSizes.reduce((a, b) => a + b, 0);
  if (total > MAX_DATASET_PROBLEMS) {
    throw new DatasetConfigError(`the datasets would need ${total} problems, above the limit of ${MAX_DATASET_PROBLEMS}; lower the counts`);
  }
  const levels = world.difficulties.length;
  // A list of levels of this world (repeats allowed: a repeated level weighs more), or the fallback when absent.
  const levelList = (name: string, given: number[] | undefined, fallback: number[], example: string): number[] => {
    const list = given ?? fallback;
    if (list.length === 0 || list.some((d) => !Number.isInteger(d) || d < 1 || d > levels)) {
      throw new DatasetConfigError(`${name} must be levels from 1 to ${levels}, got ${JSON.stringify(given)}; pass e.g. ${example}`);
    }
    return list;
  };
  const difficulties = levelList('difficulties', o.difficulties, Array.from({ length: levels }, (_, i) => i + 1), '[1, 2, 3]');
  const poolDifficulties = levelList('poolDifficulties', o.poolDifficulties, difficulties, '[2, 3, 4]');
  const trainingDifficulties = levelList('trainingDifficulties', o.trainingDifficulties, difficulties, '[1, 2, 3, 3, 4, 4, 5, 6]');
  const mistakeKinds = o.mistakeKinds ?? MISTAKE_KINDS.filter((k) => k !== 'malformed');
  const eftMistakeKinds = o.eftMistakeKinds ?? mistakeKinds;
  const trainingRound = o.trainingRound ?? 0;
  if (!Number.isInteger(trainingRound) || trainingRound < 0 || trainingRound > 1000) {
    throw new DatasetConfigError(`trainingRound must be a whole number from 0 to 1000, got ${JSON.stringify(o.trainingRound)}; pass e.g. 1`);
  }
  for (const [name, kinds] of [['mistakeKinds', mistakeKinds], ['eftMistakeKinds', eftMistakeKinds]] as const) {
    if (kinds.length === 0 || kinds.some((k) => !MISTAKE_KINDS.includes(k))) {
      throw new DatasetConfigError(`${name} must be a non-empty list of ${MISTAKE_KINDS.join(', ')} (repeats weight a kind)`);
    }
  }
  return { ...o, iftCount, eftCount, eftTestCount, testCount, difficulties, poolDifficulties, mistakeKinds, eftMistakeKinds, trainingRound, trainingDifficulties, seed: o.seed };
}

/**
 * A rotation of wrong-step kinds in which each kind appears as often as its weight (kinds not
 * named weigh 1, weight 0 leaves a kind out), interleaved so any stretch of the rotation mixes
 * the kinds: {arithmetic_error: 3} → arithmetic, unknown, …, arithmetic, arithmetic.
 */
export function weightedMistakeKinds(weights: Partial<Record<MistakeKind, number>>): MistakeKind[] {
  const kinds: MistakeKind[] = MISTAKE_KINDS.filter((k) => k !== 'malformed');
  for (const [k, w] of Object.entries(weights)) {
    if (!kinds.includes(k as MistakeKind)) throw new DatasetConfigError(`unknown mistake kind "${k}"; use one of ${kinds.join(', ')}`);
    if (!Number.isInteger(w) || (w as number) < 0 || (w as number) > 20) throw new DatasetConfigError(`the weight of ${k} must be an integer from 0 to 20, got ${w}`);
  }
  const weight = (k: MistakeKind) => weights[k] ?? 1;
  const out: MistakeKind[] = [];
  for (let round = 0; round < Math.max(...kinds.map(weight)); round++) for (const k of kinds) if (weight(k) > round) out.push(k);
  if (out.length === 0) throw new DatasetConfigError('every mistake kind has weight 0; give at least one a positive weight');
  return out;
}

/** Draws fresh problems (never seen by any split so far) from one split's stream. */
class ProblemSource {
  constructor(
    private world: WorldConfig,
    private rng: Rng,
    private seen: Set<string>,
    private name: string,
  ) {}

  next(difficulty: number): GeneratedProblem {
    for (let i = 0; i < 1000; i++) {
      const p = generateProblem(this.world, this.rng, difficulty);
      if (this.seen.has(p.question)) continue;
      this.seen.add(p.question);
      return p;
    }
    throw new DatasetConfigError(
      `split "${this.name}" found no new difficulty-${difficulty} question in 1000 draws: the world is too small for these counts; lower them or widen the number ranges`,
    );
  }
}

/** `count` difficulties spread evenly (remainder to the first levels): sorted, or shuffled by `rng`. */
function levelsFor(count: number, difficulties: number[], rng: Rng | null): number[] {
  const even = Array.from({ length: count }, (_, i) => difficulties[i % difficulties.length]).sort((a, b) => a - b);
  return rng ? rng.shuffle(even) : even;
}

function stripAnswer(step: string): string {
  return step.replace(/ The answer is \d+\.$/, '');
}

/** One EFT pair for a problem, trying the mistake kinds in rotation from `first`. */
function eftExample(world: WorldConfig, p: GeneratedProblem, rng: Rng, kinds: MistakeKind[], first: number): { ex: Omit<EftExample, 'verdict' | 'candidateA' | 'candidateB' | 'id'> & { valid: string; wrong: string }; redrawn: number } | null {
  const t = world.templates;
  const order = randomOrder(p.graph, rng);
  const k = order.length;
  let redrawn = 0;
  for (let j = 0; j < kinds.length; j++) {
    const kind = kinds[(first + j) % kinds.length];
    // Final-answer mistakes need the final step to be next; premature answers need a later one.
    let l: number;
    if (kind === 'wrong_final_answer') l = k - 1;
    else if (kind === 'premature_answer') {
      if (k < 2) continue;
      l = rng.int(0, k - 2);
    } else l = rng.int(0, k - 1);
    const previousSteps = order.slice(0, l).map((node, i) => numberStep(i + 1, stripAnswer(stepBody(t, p.graph, node, { variant: rng.int(0, 99), swap: rng.chance(0.3) }))));
    const state = stateAfter(p.question, previousSteps, t);
    for (let attempt = 0; attempt < 4; attempt++) {
      const valid = validStep(t, state, rng, l + 1);
      const wrong = wrongStep(t, state, rng, l + 1, kind);
      if (valid === null || wrong === null) break;
      const vv = judgeStep(state, valid);
      const vw = judgeStep(state, wrong);
      if (!vv.valid || vw.kind !== kind) {
        redrawn++;
        continue;
      }
      return {
        ex: { problemId: p.id, difficulty: p.difficulty, question: p.question, previousSteps, wrongKind: kind, validKind: vv.kind, valid, wrong },
        redrawn,
      };
    }
  }
  return null;
}

function buildEft(world: WorldConfig, src: ProblemSource, rng: Rng, count: number, o: Required<DatasetOptions>, prefix: string): { list: EftExample[]; redrawn: number } {
  const drafts: { ex: NonNullable<ReturnType<typeof eftExample>>['ex'] }[] = [];
  let redrawn = 0;
  const levels = levelsFor(count, o.difficulties, rng);
  let guard = 0;
  while (drafts.length < count) {
    if (++guard > count * 20 + 100) {
      throw new DatasetConfigError(`could not build ${count} ${prefix} judge pairs; allow more mistakeKinds or difficulties`);
    }
    const p = src.next(levels[drafts.length]);
    const r = eftExample(world, p, rng, o.mistakeKinds, drafts.length);
    if (!r) continue;
    redrawn += r.redrawn;
    drafts.push({ ex: r.ex });
  }
  // Exactly balanced positions: half A (rounded up), half B, in a random order.
  const verdicts = rng.shuffle(Array.from({ length: count }, (_, i): Verdict => (i < Math.ceil(count / 2) ? 'A' : 'B')));
  const list = drafts.map(({ ex }, i): EftExample => {
    const { valid, wrong, ...rest } = ex;
    const v = verdicts[i];
    return {
      id: `${prefix}-${i}`,
      ...rest,
      candidateA: v === 'A' ? valid : wrong,
      candidateB: v === 'A' ? wrong : valid,
      verdict: v,
    };
  });
  return { list, redrawn };
}

function summarize(problems: Problem[] | EftExample[]): SplitSummary {
  const byDifficulty: Record<string, number> = {};
  for (const p of problems) byDifficulty[p.difficulty] = (byDifficulty[p.difficulty] ?? 0) + 1;
  return { count: problems.length, byDifficulty };
}

function eftStats(list: EftExample[]): DatasetSummary['eft'] {
  const wrongKinds: Record<string, number> = {};
  const verdicts: Record<Verdict, number> = { A: 0, B: 0 };
  for (const e of list) {
    wrongKinds[e.wrongKind] = (wrongKinds[e.wrongKind] ?? 0) + 1;
    verdicts[e.verdict]++;
  }
  return { wrongKinds, verdicts };
}

/** Questions that occur in more than one split (by question text). */
export function splitOverlaps(d: Pick<Datasets, 'test' | 'eftTest' | 'pools' | 'ift' | 'eft'>): string[] {
  const owner = new Map<string, string>();
  const clashes: string[] = [];
  const splits: [string, { question: string }[]][] = [
    ['test', d.test],
    ['eftTest', d.eftTest],
    ...d.pools.map((p, i): [string, Problem[]] => [`pool${i + 1}`, p]),
    ['ift', d.ift],
    ['eft', d.eft],
  ];
  for (const [name, items] of splits) {
    const mine = new Set(items.map((x) => x.question));
    for (const q of mine) {
      const o = owner.get(q);
      if (o !== undefined && o !== name) clashes.push(q);
      else owner.set(q, name);
    }
  }
  return clashes;
}

/** Build every split. Deterministic in (world, options). */
export function buildDatasets(world: WorldConfig, options: DatasetOptions): Datasets {
  validateWorldConfig(world);
  const o = validateDatasetOptions(world, options);
  const root = createRng(o.seed);
  const seen = new Set<string>();
  const source = (name: string) => new ProblemSource(world, root.fork(`src-${name}`), seen, name);

  const testSrc = source('test');
  const test = levelsFor(o.testCount, o.difficulties, null).map((d) => toProblem(testSrc.next(d)));
  const eftTest = buildEft(world, source('eftTest'), root.fork('eftTest'), o.eftTestCount, o, 'eft-test');
  const pools = o.poolSizes.map((n, i) => {
    const src = source(`pool${i + 1}`);
    return levelsFor(n, o.poolDifficulties, root.fork(`pool${i + 1}-levels`)).map((d) => toProblem(src.next(d)));
  });
  // Round 0 keeps the stream names every earlier dataset was built with.
  const round = o.trainingRound === 0 ? '' : `-round${o.trainingRound}`;
  const iftSrc = source(`ift${round}`);
  const ift = levelsFor(o.iftCount, o.trainingDifficulties, root.fork(`ift-levels${round}`)).map((d) => toProblem(iftSrc.next(d)));
  // Built last: its mistake mix cannot change the questions of any split above.
  const eftOptions = { ...o, mistakeKinds: o.eftMistakeKinds, difficulties: o.trainingDifficulties };
  const eft = buildEft(world, source(`eft${round}`), root.fork(`eft${round}`), o.eftCount, eftOptions, 'eft');

  const all = { test, eftTest: eftTest.list, pools, ift, eft: eft.list };
  const overlaps = splitOverlaps(all);
  if (overlaps.length > 0) {
    throw new DatasetConfigError(`internal error: ${overlaps.length} questions occur in two splits (e.g. "${overlaps[0]}"); report this with the seed`);
  }
  const splits: Record<string, SplitSummary> = { test: summarize(test), eftTest: summarize(eftTest.list), ift: summarize(ift), eft: summarize(eft.list) };
  pools.forEach((p, i) => (splits[`pool${i + 1}`] = summarize(p)));
  return {
    ...all,
    summary: {
      seed: o.seed,
      splits,
      eft: eftStats(eft.list),
      eftTest: eftStats(eftTest.list),
      redrawn: eftTest.redrawn + eft.redrawn,
      overlaps: overlaps.length,
    },
  };
}
