// The recorded chain: the loop's multi-seed results M1 … M_{K+1} (from the metrics.json of `psr run`
// folders) in one small JSON file that ships beside the model, so that the page can show the
// paper-like table and chart with intervals, and re-evaluate M1 and the shipped final adapter on the
// same held-out problems ("check it yourself") and compare, problem by problem, with the record.
import { ImportError } from '../errors.ts';
import { parseWorldFile } from '../math/world-file.ts';
import { presetSettings, type RunSettings } from '../settings/table.ts';
import { planLoop } from './plan.ts';
import { meanSd, pooledPairedGain, variantLabel, type PooledGain } from './run-summary.ts';

export const CHAIN_FORMAT = 'psr-lab-chain/1';

/** One model of one run on the chain's evaluation set. */
export interface ChainModel {
  /** "M1", "M2", … */
  label: string;
  accuracy: number;
  /** Accuracy per difficulty level ("2" → 0.69). */
  byDifficulty: Record<string, number>;
  /** "1"/"0" per problem of the evaluation set, in its order. */
  correct: string;
  judge: number | null;
  swap: number | null;
}

export interface ChainRun {
  /** The method and the controls that change it ("psr · sft", "srlm", "psr · oracle judge"): runs with one label are seeds of one variant. */
  label: string;
  /** A short name for tables ("PSR · SFT", "SRLM · step-DPO", "PSR · coin judge · SFT"). */
  name: string;
  /** What the variant does, in a sentence (search, judge, training step, pairs used, pools). */
  about: string;
  seed: number;
  models: ChainModel[];
  /** Per iteration: pairs found, pairs trained on, right-ordered minus inverted share (the oracle's grading). */
  pairs: number[];
  trainedPairs: (number | null)[];
  pairSignal: (number | null)[];
  /** Per iteration: the judge's chosen step valid against M_t's greedy step valid at the trained prefixes (null where not audited). */
  chosenVsGreedy: ({ chosen: number; greedy: number; lo: number; hi: number; pairs: number } | null)[];
  seconds: number;
  /** The command that made this run. */
  command: string;
}

export interface RecordedChain {
  format: typeof CHAIN_FORMAT;
  /** What this record shows, in a sentence or two (including what it does not). */
  summary: string;
  /** The evaluation set every model of every run was solved on (greedy, the plan's even spread). */
  evalSet: { datasetSeed: number; problems: number; difficulties: number[]; judgePairs: number; problemIds: string[] };
  runs: ChainRun[];
  /** The final adapter shipped beside the record (a folder of PEFT files, relative to the record), and whose it is. */
  adapter: { path: string; label: string; seed: number; model: string } | null;
}

/** The parts of a `psr run` metrics.json the chain reads (see cli/commands/run.ts). */
export interface ChainRunMetrics {
  method: string;
  judge?: string;
  seed: number;
  dataset_seed: number;
  eval_problems: number;
  eval_pairs: number;
  settings: { objective?: string; evalDifficulties?: number[] } & Partial<RunSettings>;
  /** The world the run's model was trained on (world.json's form). */
  world?: unknown;
  command?: string;
  start: EvalMetrics | null;
  reports: {
    pairs: number;
    trainedPairs?: number;
    pairQuality: { shares: Record<string, number> } | null;
    greedyAudit?: { pairs: number; chosenValid: { value: number | null }; greedyValid: { value: number | null }; advantage: { lo: number | null; hi: number | null } } | null;
    evaluation: EvalMetrics | null;
    seconds: number;
  }[];
}

interface EvalMetrics {
  solve: { accuracy: number; accuracy_by_difficulty: Record<string, number>; correct?: string };
  judge: { judge_accuracy: number; swap_consistency: number } | null;
}

/** The short name of a run's variant for tables. */
export function variantName(m: ChainRunMetrics): string {
  const parts = [m.method.toUpperCase()];
  if (m.judge === 'oracle') parts.push('oracle judge');
  if (m.judge === 'random') parts.push('coin judge');
  parts.push(m.settings.objective === 'sft' ? 'SFT' : 'step-DPO');
  return parts.join(' · ');
}

/** What a run's variant does, in words (from its settings). */
export function describeVariant(m: ChainRunMetrics): string {
  const s = m.settings;
  const judge = m.judge === 'oracle' ? 'the step checker judges them (a diagnostic control, never the method)' : m.judge === 'random' ? 'a seeded coin judges them (a control: no judgment at all)' : 'the model judges them pairwise, in both orders';
  const search = m.method === 'srlm'
    ? `${s.srlmSamples ?? 4} whole solutions per problem, scored by the model itself; the best and worst form a pair (the outcome-level baseline)`
    : `${s.w ?? 6} candidate steps per step, ${judge}; the best and worst of each step form a pair`;
  const objective = s.objective === 'sft' ? "trains on the chosen side's likelihood only (the rejected side unused)" : `trains with ${m.method === 'srlm' ? 'DPO' : 'step-DPO'} (β ${s.beta ?? 0.1}${s.nllWeight ? `, plus ${s.nllWeight} × the chosen NLL` : ''}) against M_t`;
  const sel = [s.trainMaxStep ? `of steps 1–${s.trainMaxStep}` : '', (s.trainMinCount ?? 1) > 1 ? `whose chosen step at least ${s.trainMinCount} of the samples wrote` : ''].filter((x) => x !== '');
  const pools = (s.problems ?? 0) > 0 ? `; pools of ${Array.from({ length: m.reports.length }, (_, i) => (s.poolGrowth === 'constant' ? 1 : i + 1) * (s.problems ?? 0)).join(' / ')} fresh problems` : '';
  const levels = s.difficulties && s.difficulties.length > 0 ? ` at levels ${s.difficulties.join(', ')}` : '';
  return `${search}; ${objective}${sel.length > 0 ? `, on the pairs ${sel.join(' and ')}` : ''}, lr ${s.lr ?? '?'}, ${s.epochs ?? '?'} epochs${pools}${levels}.`;
}

/**
 * The ids of the problems a run was evaluated on, in order: the plan's evaluation set for its
 * settings and world (the set does not depend on the pools). ImportError without the world.
 */
export function evalProblemIds(m: ChainRunMetrics): string[] {
  if (m.world === undefined) throw new ImportError(`run ${variantLabel(m)} seed ${m.seed} does not record its world; rerun it with this version of \`psr run\`.`);
  const settings = { ...presetSettings('demo'), ...m.settings, problems: 1, poolGrowth: 'constant' as const };
  return planLoop(settings, { firstIteration: 1, iterations: 1, world: parseWorldFile(m.world) }).eval.test.map((p) => p.id);
}

/**
 * A chain from the metrics of runs evaluated on one evaluation set (`problemIds`, as evalProblemIds
 * gives for each of them); ImportError when they differ or lack per-problem results.
 */
export function buildChain(metrics: ChainRunMetrics[], o: { summary: string; adapter: RecordedChain['adapter']; problemIds: string[] }): RecordedChain {
  if (metrics.length === 0) throw new ImportError('a recorded chain needs at least one run; pass the folders `psr run --out` wrote.');
  const first = metrics[0];
  const evalSet = {
    datasetSeed: first.dataset_seed,
    problems: first.eval_problems,
    difficulties: [...(first.settings.evalDifficulties ?? [])],
    judgePairs: first.eval_pairs,
    problemIds: [...o.problemIds],
  };
  const runs = metrics.map((m): ChainRun => {
    const same = m.dataset_seed === evalSet.datasetSeed && m.eval_problems === evalSet.problems && JSON.stringify(m.settings.evalDifficulties ?? []) === JSON.stringify(evalSet.difficulties);
    if (!same) throw new ImportError(`run ${variantLabel(m)} seed ${m.seed} was evaluated on other problems than the first run; a chain compares runs on one evaluation set.`);
    const evals = [m.start, ...m.reports.map((r) => r.evaluation)];
    const models = evals.map((e, i): ChainModel => {
      if (!e || typeof e.solve.correct !== 'string') {
        throw new ImportError(`run ${variantLabel(m)} seed ${m.seed}: M${i + 1} has no per-problem results (an older or failed run); rerun it with \`psr run\`.`);
      }
      return {
        label: `M${i + 1}`,
        accuracy: e.solve.accuracy,
        byDifficulty: { ...e.solve.accuracy_by_difficulty },
        correct: e.solve.correct,
        judge: e.judge?.judge_accuracy ?? null,
        swap: e.judge?.swap_consistency ?? null,
      };
    });
    return {
      label: variantLabel(m),
      name: variantName(m),
      about: describeVariant(m),
      seed: m.seed,
      models,
      pairs: m.reports.map((r) => r.pairs),
      trainedPairs: m.reports.map((r) => r.trainedPairs ?? null),
      pairSignal: m.reports.map((r) => (r.pairQuality ? (r.pairQuality.shares['correct-order'] ?? 0) - (r.pairQuality.shares['inverted'] ?? 0) : null)),
      chosenVsGreedy: m.reports.map((r) => {
        const g = r.greedyAudit;
        if (!g || g.chosenValid.value === null || g.greedyValid.value === null || g.advantage.lo === null || g.advantage.hi === null) return null;
        return { chosen: g.chosenValid.value, greedy: g.greedyValid.value, lo: g.advantage.lo, hi: g.advantage.hi, pairs: g.pairs };
      }),
      seconds: m.reports.reduce((a, r) => a + r.seconds, 0),
      command: m.command ?? '',
    };
  });
  return parseChain({ format: CHAIN_FORMAT, summary: o.summary, evalSet, runs, adapter: o.adapter });
}

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isNumOrNull = (x: unknown) => x === null || isNum(x);

/** A recorded chain checked field by field; ImportError names the first thing wrong. */
export function parseChain(json: unknown): RecordedChain {
  const bad = (what: string): never => {
    throw new ImportError(`this is not a usable recorded chain (${what}); write it again with \`psr loop-table DIR… --chain OUT\`.`);
  };
  if (typeof json !== 'object' || json === null) bad('not a JSON object');
  const c = json as RecordedChain;
  if (c.format !== CHAIN_FORMAT) bad(`format is ${JSON.stringify(c.format)}, expected ${CHAIN_FORMAT}`);
  if (typeof c.summary !== 'string') bad('no summary');
  const e = c.evalSet;
  if (!e || !Number.isInteger(e.datasetSeed) || !Number.isInteger(e.problems) || e.problems < 1 || !Array.isArray(e.difficulties) || !Number.isInteger(e.judgePairs)) bad('evalSet needs datasetSeed, problems, difficulties and judgePairs');
  if (!Array.isArray(e.problemIds) || e.problemIds.length !== e.problems || !e.problemIds.every((id) => typeof id === 'string')) bad(`evalSet.problemIds needs the id of each of the ${e.problems} problems`);
  if (!Array.isArray(c.runs) || c.runs.length === 0) bad('no runs');
  for (const r of c.runs) {
    const name = `run ${String(r?.label)} seed ${String(r?.seed)}`;
    if (typeof r?.name !== 'string' || typeof r?.about !== 'string') bad(`${name} needs a name and an about text`);
    if (typeof r?.label !== 'string' || !Number.isInteger(r.seed) || !Array.isArray(r.models) || r.models.length < 2) bad(`${name} needs a label, a seed and at least two models`);
    r.models.forEach((m, i) => {
      if (m?.label !== `M${i + 1}`) bad(`${name}: model ${i + 1} is labelled ${JSON.stringify(m?.label)}`);
      if (!isNum(m.accuracy) || typeof m.correct !== 'string' || !/^[01]*$/.test(m.correct) || m.correct.length !== e.problems) bad(`${name} ${m.label}: accuracy and one "0"/"1" per evaluation problem (${e.problems}) are needed`);
      if (!isNumOrNull(m.judge) || !isNumOrNull(m.swap) || typeof m.byDifficulty !== 'object' || m.byDifficulty === null) bad(`${name} ${m.label}: judge, swap and byDifficulty`);
    });
    const k = r.models.length - 1;
    for (const key of ['pairs', 'trainedPairs', 'pairSignal'] as const) {
      if (!Array.isArray(r[key]) || r[key].length !== k || !r[key].every(isNumOrNull)) bad(`${name}: ${key} needs one entry per iteration (${k})`);
    }
    if (!Array.isArray(r.chosenVsGreedy) || r.chosenVsGreedy.length !== k || !r.chosenVsGreedy.every((g) => g === null || (isNum(g.chosen) && isNum(g.greedy) && isNum(g.lo) && isNum(g.hi) && isNum(g.pairs)))) {
      bad(`${name}: chosenVsGreedy needs one entry (or null) per iteration (${k})`);
    }
    if (!isNum(r.seconds) || typeof r.command !== 'string') bad(`${name}: seconds and command`);
  }
  if (c.adapter !== null) {
    const a = c.adapter;
    if (!a || typeof a.path !== 'string' || a.path === '' || a.path.includes('..') || typeof a.label !== 'string' || !Number.isInteger(a.seed) || typeof a.model !== 'string') bad('adapter needs a relative path, the run label, seed and model');
    const run = c.runs.find((r) => r.label === a.label && r.seed === a.seed);
    if (!run || !run.models.some((m) => m.label === a.model)) bad(`adapter names ${a.label} seed ${a.seed} ${a.model}, which is not among the runs`);
  }
  return c;
}

/** Per method: mean ± sd over seeds of every model's accuracy and judge accuracy, and the pooled paired gain last − M1. */
export interface ChainMethodSummary {
  label: string;
  name: string;
  about: string;
  seeds: number[];
  models: string[];
  accuracy: ({ mean: number; sd: number; n: number } | null)[];
  judge: ({ mean: number; sd: number; n: number } | null)[];
  /** M_last − M1 over the same problems, pooled over seeds (per-problem mean), 95 % bootstrap interval. */
  gain: PooledGain;
}

export function summariseChain(c: RecordedChain): ChainMethodSummary[] {
  const labels = [...new Set(c.runs.map((r) => r.label))];
  return labels.map((label) => {
    const runs = c.runs.filter((r) => r.label === label);
    const K = Math.min(...runs.map((r) => r.models.length));
    const models = runs[0].models.slice(0, K).map((m) => m.label);
    const col = (pick: (m: ChainModel) => number | null, i: number) => meanSd(runs.map((r) => pick(r.models[i])).filter((x): x is number => x !== null));
    return {
      label,
      name: runs[0].name,
      about: runs[0].about,
      seeds: runs.map((r) => r.seed),
      models,
      accuracy: models.map((_, i) => col((m) => m.accuracy, i)),
      judge: models.map((_, i) => col((m) => m.judge, i)),
      gain: pooledPairedGain(runs.map((r) => r.models[0].correct), runs.map((r) => r.models[K - 1].correct), `chain:${label}`),
    };
  });
}

/**
 * Method a − method b at their last models over the same problems, pairing seeds (seed s of a with
 * seed s of b; seeds only one of them has are left out); null when they share no seed.
 */
export function methodDifference(c: RecordedChain, a: string, b: string): PooledGain | null {
  const last = (label: string, seed: number) => {
    const r = c.runs.find((x) => x.label === label && x.seed === seed);
    return r ? r.models[r.models.length - 1].correct : null;
  };
  const seeds = [...new Set(c.runs.filter((r) => r.label === a).map((r) => r.seed))].filter((s) => last(b, s) !== null);
  if (seeds.length === 0) return null;
  return pooledPairedGain(seeds.map((s) => last(b, s)!), seeds.map((s) => last(a, s)!), `chain:${a}-${b}`);
}

/** The chain with its summaries (computed where the chain is read: the bootstraps take tens of ms, off the page's thread). */
export interface RecordedChainView {
  chain: RecordedChain;
  methods: ChainMethodSummary[];
  /** The first variant minus each other one at the last model (names, and the pooled difference). */
  differences: { a: string; b: string; d: PooledGain }[];
}

export function chainView(c: RecordedChain): RecordedChainView {
  const methods = summariseChain(c);
  const differences = methods.slice(1).flatMap((m) => {
    const d = methodDifference(c, methods[0].label, m.label);
    return d ? [{ a: methods[0].name, b: m.name, d }] : [];
  });
  return { chain: c, methods, differences };
}

/** Indices of `n` problems spread evenly over an evaluation set of `total` (all of them when n ≥ total): the check's subset. */
export function checkSubset(total: number, n: number): number[] {
  if (n >= total) return Array.from({ length: total }, (_, i) => i);
  return Array.from({ length: n }, (_, i) => Math.floor((i * total) / n));
}

/** How a live re-evaluation compares with the record on the same problems (indices into the evaluation set). */
export function compareWithRecord(recorded: string, indices: readonly number[], live: readonly boolean[]): { same: number; n: number; recordedAccuracy: number; liveAccuracy: number } {
  if (indices.length !== live.length) throw new ImportError(`the check solved ${live.length} problems but ${indices.length} were asked for; run the check again.`);
  let same = 0;
  let rec = 0;
  let liv = 0;
  indices.forEach((idx, i) => {
    const r = recorded[idx] === '1';
    if (r === live[i]) same++;
    rec += Number(r);
    liv += Number(live[i]);
  });
  const n = indices.length;
  return { same, n, recordedAccuracy: n ? rec / n : 0, liveAccuracy: n ? liv / n : 0 };
}

const pct1 = (x: number | null | undefined) => (x === null || x === undefined ? '–' : (100 * x).toFixed(1));
const signed1 = (x: number | null) => (x === null ? '–' : `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}`);
const interval = (g: PooledGain) => `${signed1(g.gain.value)} [${signed1(g.gain.lo)}, ${signed1(g.gain.hi)}]`;

/**
 * Markdown: per method the pooled paired change M_last − M1 with its interval, the accuracy per
 * difficulty of M1 and M_last (mean over seeds), and the first method minus every other at M_last.
 */
export function chainTables(c: RecordedChain): string {
  const { methods, differences } = chainView(c);
  const levels = [...new Set(c.runs.flatMap((r) => Object.keys(r.models[0].byDifficulty)))].sort((a, b) => Number(a) - Number(b));
  const lines: string[] = [];
  lines.push(`Pooled over seeds, paired over the same ${c.evalSet.problems} problems (95 % bootstrap over problems):`, '');
  lines.push(`| method | seeds | last − M1 [95 %] | ${levels.map((d) => `M1 → last, level ${d}`).join(' | ')} |`);
  lines.push(`| ${Array(3 + levels.length).fill('---').join(' | ')} |`);
  for (const m of methods) {
    const runs = c.runs.filter((r) => r.label === m.label);
    const K = m.models.length;
    const level = (d: string, i: number) => meanSd(runs.map((r) => r.models[i].byDifficulty[d]).filter((x): x is number => typeof x === 'number'))?.mean ?? null;
    lines.push(`| ${m.name} | ${m.seeds.join(', ')} | ${interval(m.gain)} | ${levels.map((d) => `${pct1(level(d, 0))} → ${pct1(level(d, K - 1))}`).join(' | ')} |`);
  }
  for (const { a, b, d } of differences) lines.push('', `${a} − ${b} at the last model: ${interval(d)} (${d.seeds} seed${d.seeds === 1 ? '' : 's'} paired)`);
  lines.push('', ...methods.map((m) => `- ${m.name}: ${m.about}`));
  return lines.join('\n') + '\n';
}
