// Tables of the loop's results across runs (the paper's Table 1 / 2 / 3 layout): from each run's
// metrics.json (written by `psr run`), accuracy and judge accuracy of M1 … M_{K+1}, pairs per
// iteration with the oracle's grading, and per method the mean and spread over seeds.
import { InvalidInputError } from '../errors.ts';
import { BOOTSTRAP_RESAMPLES, bootstrapMean, type Interval } from './intervals.ts';

/** The parts of a run's metrics.json that the tables read. */
export interface RunMetrics {
  method: string;
  /** 'oracle' / 'random' for the oracle- and coin-judged controls (older runs: absent = self). */
  judge?: string;
  settings?: { objective?: string; trainMaxStep?: number; trainMinCount?: number };
  seed: number;
  start: { solve: { accuracy: number; correct?: string }; judge: { judge_accuracy: number; swap_consistency: number } } | null;
  reports: {
    iteration: number;
    pairs: number;
    pairQuality: { shares: Record<string, number> } | null;
    /** The chosen step against M_t's greedy step at the trained prefixes (step-wise runs of this version). */
    greedyAudit?: { chosenValid: { value: number | null }; greedyValid: { value: number | null } } | null;
    evaluation: { solve: { accuracy: number; correct?: string }; judge: { judge_accuracy: number; swap_consistency: number } } | null;
    error: { name: string } | null;
    seconds: number;
  }[];
}

export interface RunRow {
  method: string;
  seed: number;
  /** Greedy accuracy of M1, M2, … (null where a model was not evaluated). */
  accuracy: (number | null)[];
  judge: (number | null)[];
  /** Accuracy of the last model minus M1's (null when either was not evaluated). */
  gain: number | null;
  /** 95 % paired-bootstrap interval of the gain over the evaluation problems (null for runs without per-problem results). */
  gainInterval: Interval | null;
  pairs: number[];
  /** Share of pairs whose chosen step is valid and rejected invalid, minus the share inverted. */
  pairSignal: (number | null)[];
  /** Per iteration: [chosen valid, greedy valid] at the trained prefixes, or null where not audited. */
  chosenVsGreedy: ([number, number] | null)[];
  seconds: number;
}

/** A run's row label: the method, and the controls that change it (oracle judge, SFT objective), so that they are grouped apart. */
export function variantLabel(m: Pick<RunMetrics, 'method' | 'judge' | 'settings'>): string {
  const parts = [m.method];
  if (m.judge === 'oracle') parts.push('oracle judge');
  if (m.judge === 'random') parts.push('coin judge');
  if (m.settings?.objective === 'sft') parts.push('sft');
  // Training on a subset of the pairs (psr/train-selection.ts) is another variant.
  const sel = [m.settings?.trainMaxStep ? `steps ≤ ${m.settings.trainMaxStep}` : '', (m.settings?.trainMinCount ?? 1) > 1 ? `chosen ×${m.settings?.trainMinCount}+` : ''].filter((x) => x !== '');
  if (sel.length > 0) parts.push(sel.join(', '));
  return parts.join(' · ');
}

export function runRow(m: RunMetrics): RunRow {
  if (!m || typeof m.method !== 'string' || !Array.isArray(m.reports)) {
    throw new InvalidInputError('not a metrics.json of `psr run` (needs method and reports); pass the folders that `run --out` wrote.');
  }
  const evals = [m.start, ...m.reports.map((r) => r.evaluation)];
  const first = evals[0]?.solve.accuracy;
  const last = evals[evals.length - 1]?.solve.accuracy;
  return {
    method: variantLabel(m),
    seed: m.seed,
    accuracy: evals.map((e) => e?.solve.accuracy ?? null),
    judge: evals.map((e) => e?.judge.judge_accuracy ?? null),
    gain: first !== undefined && last !== undefined ? last - first : null,
    gainInterval: pairedGain(evals[0]?.solve.correct, evals[evals.length - 1]?.solve.correct, `${m.method}:${m.seed}`),
    pairs: m.reports.map((r) => r.pairs),
    pairSignal: m.reports.map((r) => (r.pairQuality ? (r.pairQuality.shares['correct-order'] ?? 0) - (r.pairQuality.shares['inverted'] ?? 0) : null)),
    chosenVsGreedy: m.reports.map((r) => {
      const c = r.greedyAudit?.chosenValid.value;
      const g = r.greedyAudit?.greedyValid.value;
      return typeof c === 'number' && typeof g === 'number' ? [c, g] : null;
    }),
    seconds: m.reports.reduce((a, r) => a + r.seconds, 0),
  };
}

/** Paired bootstrap of last − first over the same problems ("1"/"0" per problem, same order). */
export function pairedGain(first: string | undefined, last: string | undefined, seed: string): Interval | null {
  if (!first || !last || first.length !== last.length || first.length === 0) return null;
  return pooledPairedGain([first], [last], seed).gain;
}

/** Per-problem correctness in evaluation order: "0110…" as evaluations store it, or booleans / 0–1. */
export type Correctness = string | readonly (boolean | number)[];

export interface PooledGain {
  /** Mean (after − before) over problems and seeds, with its bootstrap interval over problems; n: problems. */
  gain: Interval;
  seeds: number;
  /** Accuracy of each seed's before / after evaluation. */
  before: number[];
  after: number[];
}

/**
 * The paired gain over the same problems pooled over seeds: per problem the mean over seeds of
 * (after − before), a percentile bootstrap resampling problems. `before[i]` / `after[i]` are seed i's
 * evaluations (for one seed this is pairedGain).
 */
export function pooledPairedGain(before: readonly Correctness[], after: readonly Correctness[], seed: string | number, resamples = BOOTSTRAP_RESAMPLES): PooledGain {
  if (before.length === 0 || before.length !== after.length) {
    throw new InvalidInputError(`a pooled gain needs as many "before" as "after" evaluations (got ${before.length} and ${after.length}); pass one of each per seed.`);
  }
  const n = before[0].length;
  for (const v of [...before, ...after]) {
    if (v.length !== n) throw new InvalidInputError(`the evaluations cover ${n} and ${v.length} problems; compare evaluations of the same problems.`);
  }
  const S = before.length;
  const groups = Array.from({ length: n }, (_, i): [number, number] => {
    let d = 0;
    for (let k = 0; k < S; k++) d += Number(after[k][i]) - Number(before[k][i]);
    return [d / S, 1];
  });
  const accuracy = (v: Correctness) => Array.from({ length: n }, (_, i) => Number(v[i])).reduce((a, x) => a + x, 0) / n;
  return { gain: bootstrapMean(groups, seed, resamples), seeds: S, before: before.map(accuracy), after: after.map(accuracy) };
}

/** Mean and sample standard deviation (0 for one value); null when there are no values. */
export function meanSd(xs: number[]): { mean: number; sd: number; n: number } | null {
  if (xs.length === 0) return null;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean, sd, n: xs.length };
}

const pct = (x: number | null) => (x === null ? '–' : (100 * x).toFixed(1));
const pm = (s: { mean: number; sd: number } | null) => (s === null ? '–' : `${(100 * s.mean).toFixed(1)} ± ${(100 * s.sd).toFixed(1)}`);

/** Markdown: one row per run, then per method the mean ± sd over its runs, for accuracy and judge. */
export function loopTables(rows: RunRow[]): string {
  if (rows.length === 0) throw new InvalidInputError('no runs to summarise; pass one or more folders written by `psr run --out`.');
  const K = Math.max(...rows.map((r) => r.accuracy.length));
  const models = Array.from({ length: K }, (_, i) => `M${i + 1}`);
  const lines: string[] = [];
  lines.push(`| method | seed | ${models.map((m) => `acc ${m}`).join(' | ')} | gain | ${models.map((m) => `judge ${m}`).join(' | ')} | pairs per iteration | pair signal | chosen vs greedy valid | seconds |`);
  lines.push(`| ${Array(2 * K + 7).fill('---').join(' | ')} |`);
  for (const r of rows) {
    const signed = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}`;
    const ci = r.gainInterval?.lo != null && r.gainInterval.hi != null ? ` [${signed(r.gainInterval.lo)}, ${signed(r.gainInterval.hi)}]` : '';
    const gain = r.gain === null ? '–' : `${signed(r.gain)}${ci}`;
    lines.push(
      `| ${r.method} | ${r.seed} | ${models.map((_, i) => pct(r.accuracy[i] ?? null)).join(' | ')} | ${gain} | ${models.map((_, i) => pct(r.judge[i] ?? null)).join(' | ')} | ` +
        `${r.pairs.join(' / ')} | ${r.pairSignal.map((s) => (s === null ? '–' : s.toFixed(2))).join(' / ')} | ` +
        `${r.chosenVsGreedy.map((x) => (x === null ? '–' : `${pct(x[0])} vs ${pct(x[1])}`)).join(' / ')} | ${r.seconds.toFixed(0)} |`,
    );
  }
  lines.push('');
  lines.push(`| method | runs | ${models.map((m) => `acc ${m}`).join(' | ')} | gain M1→M${K} | ${models.map((m) => `judge ${m}`).join(' | ')} |`);
  lines.push(`| ${Array(2 * K + 3).fill('---').join(' | ')} |`);
  for (const method of [...new Set(rows.map((r) => r.method))]) {
    const mine = rows.filter((r) => r.method === method);
    const col = (pick: (r: RunRow) => number | null) => meanSd(mine.map(pick).filter((x): x is number => x !== null));
    const gain = col((r) => r.gain);
    lines.push(
      `| ${method} | ${mine.length} | ${models.map((_, i) => pm(col((r) => r.accuracy[i] ?? null))).join(' | ')} | ${pm(gain)} | ` +
        `${models.map((_, i) => pm(col((r) => r.judge[i] ?? null))).join(' | ')} |`,
    );
  }
  return lines.join('\n') + '\n';
}
