// `psr eval --model DIR [--adapter DIR] [--json]`: greedy accuracy on the held-out test problems
// (per difficulty), the oracle's breakdown of first wrong steps, mean steps and step length, and
// the pairwise judge on the held-out EFT pairs (accuracy, single-order accuracy, swap consistency);
// with --select N, test-time step-wise selection (best of w by self-judging) on N test problems
// against greedy decoding on the same N; with --vote K, the majority answer of K sampled solutions
// against greedy on the evaluated problems (self-consistency), with the paired difference.
import type { Command } from '../command.ts';
import { intFlag } from '../math-flags.ts';
import { openBackend } from '../backends.ts';
import { settingsFromFlags, settingsUsage } from '../settings-flags.ts';
import type { SettingKey } from '../../lib/settings/table.ts';
import { evenSpread, searchSettingsOf } from '../../lib/psr/plan.ts';
import { loadModelDir } from '../model-dir.ts';
import { ModelParams, keepQuantized } from '../../lib/model/params.ts';
import { WORLD_OPTION, WORLD_USAGE, worldForModel } from '../world-flag.ts';
import { buildDatasets, DEFAULT_DATASET_OPTIONS } from '../../lib/math/datasets.ts';
import { evaluateJudge, solveGreedy, summariseSolutions, type SolutionFormat } from '../../lib/psr/evaluate.ts';
import { SettingsError, UsageError } from '../../lib/errors.ts';
import { evaluateStepwiseSelection } from '../../lib/psr/test-time.ts';
import { judgeOptionsFor, TinyStepModel, tinyStepOptionsFor } from '../../lib/psr/step-model.ts';
import { solveByVote } from '../../lib/psr/vote.ts';
import { bootstrapMean, formatInterval, type Interval } from '../../lib/psr/intervals.ts';

const SETTINGS_TAKEN: readonly SettingKey[] = ['evalProblems', 'evalPairs', 'difficulties', 'datasetSeed', 'w', 'temperature', 'topP', 'maxSteps', 'tieThreshold', 'pairMargin', 'judgeOrder', 'maxRollbacks', 'seed', 'backend', 'threads'];

export const evalCommand: Command = {
  name: 'eval',
  summary: 'Evaluate a model: greedy accuracy per difficulty, wrong-step kinds, steps, and the pairwise judge on held-out pairs.',
  usage:
    `eval --model DIR [--adapter DIR] [--format steps|plain] [--no-judge] [--select N] [--vote K] ${settingsUsage(SETTINGS_TAKEN)} ${WORLD_USAGE} [--json]`,
  settings: SETTINGS_TAKEN,
  options: {
    model: { type: 'string' },
    adapter: { type: 'string' },
    format: { type: 'string' },
    'no-judge': { type: 'boolean' },
    select: { type: 'string' },
    vote: { type: 'string' },
    ...WORLD_OPTION,
    json: { type: 'boolean' },
  },
  async run(flags, _positionals, io) {
    if (typeof flags.model !== 'string') throw new UsageError('--model DIR is required.');
    const format = (flags.format ?? 'steps') as SolutionFormat;
    if (format !== 'steps' && format !== 'plain') throw new UsageError(`--format must be steps or plain (got ${String(flags.format)}).`);
    const s = settingsFromFlags(flags, SETTINGS_TAKEN);
    const { datasetSeed, evalProblems: nProblems, evalPairs: nPairs, seed } = s;
    const nSelect = intFlag(flags, 'select', 0, DEFAULT_DATASET_OPTIONS.testCount, 0);
    const nVote = intFlag(flags, 'vote', 0, 64, 0);
    if (nSelect > 0 && format !== 'steps') throw new UsageError('--select needs the Step-n format (a model after the cold start); drop --format plain.');
    // Test-time selection searches with the loop's settings (the settings table's).
    const selection = searchSettingsOf(s, 0);
    const m = await loadModelDir(flags.model, typeof flags.adapter === 'string' ? flags.adapter : undefined);
    const world = await worldForModel(flags, m, io);
    const all = buildDatasets(world, { seed: datasetSeed, ...DEFAULT_DATASET_OPTIONS, iftCount: 0, eftCount: 0 });
    // --difficulties (default: every level) restricts the held-out problems and judge pairs to those levels.
    const keep = (d: number) => s.difficulties.length === 0 || s.difficulties.includes(d);
    const data = { test: all.test.filter((p) => keep(p.difficulty)), eftTest: all.eftTest.filter((e) => keep(e.difficulty)) };
    if (data.test.length === 0) throw new SettingsError(`--difficulties ${s.difficulties.join(',')}: the model's world has levels 1 to ${world.difficulties.length}.`, 'difficulties');
    // Every k-th problem, so a subset keeps the difficulty mix (the same subset the loop evaluates on).
    const pick = evenSpread;
    const { backend, name: backendName, reason, dispose } = await openBackend(s.backend, s.threads);
    io.err(`backend: ${backendName} (${reason})\n`);
    const t0 = performance.now();
    try {
      const params = ModelParams.create(backend, m.config, m.weights, m.adapter, 'none', keepQuantized(backend, m.quantized));
      const solved = await solveGreedy(params, m.tok, pick(data.test, nProblems), { format, rowsPerBatch: 32, maxNewTokens: 320 }, (d, n) =>
        io.err(`solving ${d}/${n}\n`),
      );
      const solve = summariseSolutions(solved);
      const judge = flags['no-judge'] ? null : await evaluateJudge(params, m.tok, pick(data.eftTest, nPairs), judgeOptionsFor(m.meta.judgeWorking));
      let stepwise_selection = null;
      if (nSelect > 0) {
        // The same N problems solved greedily and by selection, side by side.
        const chosen = pick(data.test, nSelect);
        const t1 = performance.now();
        // Greedy solutions of these problems were usually made above (the same picks when N ≤ --problems).
        const done = new Map(solved.map((x) => [x.problemId, x]));
        const missing = chosen.filter((p) => !done.has(p.id));
        for (const x of await solveGreedy(params, m.tok, missing, { format, rowsPerBatch: 32, maxNewTokens: 320 })) done.set(x.problemId, x);
        const greedy = summariseSolutions(chosen.map((p) => done.get(p.id)!));
        const model = new TinyStepModel(params, m.tok, tinyStepOptionsFor(m.meta.judgeWorking));
        const t2 = performance.now();
        const sel = await evaluateStepwiseSelection(model, m.tok, chosen, selection, seed, { onProgress: (d, n) => io.err(`selecting ${d}/${n}\n`) });
        stepwise_selection = {
          ...sel.summary,
          greedy_accuracy: greedy.accuracy,
          greedy_accuracy_by_difficulty: greedy.accuracy_by_difficulty,
          greedy_seconds: (t2 - t1) / 1000,
          seconds: (performance.now() - t2) / 1000,
          examples: sel.solved.slice(0, 3).map((s) => ({ problem: s.problemId, steps: s.steps, answer: s.answer, correct: s.correct })),
        };
      }
      let vote = null;
      if (nVote > 0) {
        // K sampled solutions of each evaluated problem (the settings' temperature and top-p), the majority answer against greedy's.
        const t1 = performance.now();
        const problems = pick(data.test, nProblems);
        const voted = await solveByVote(params, m.tok, problems, nVote, { format, temperature: s.temperature, topP: s.topP, rowsPerBatch: 32, maxNewTokens: 320, seed }, (d, n) =>
          io.err(`voting ${d}/${n}\n`),
        );
        const share = (xs: number[]): Interval => bootstrapMean(xs.map((x) => [x, 1]), `${seed}:vote`);
        vote = {
          k: nVote, temperature: s.temperature, top_p: s.topP, problems: voted.length,
          accuracy: share(voted.map((v) => (v.correct ? 1 : 0))),
          greedy_accuracy: share(solved.map((x) => (x.correct ? 1 : 0))),
          // Paired: the same problems, resampled together.
          difference: share(voted.map((v, i) => (v.correct ? 1 : 0) - (solved[i].correct ? 1 : 0))),
          any_correct: share(voted.map((v) => (v.anyCorrect ? 1 : 0))),
          mean_sample_accuracy: voted.reduce((a, v) => a + v.sampleAccuracy, 0) / Math.max(1, voted.length),
          seconds: (performance.now() - t1) / 1000,
        };
      }
      const result = {
        model: flags.model,
        adapter: flags.adapter ?? null,
        storage: m.storage,
        format,
        dataset_seed: datasetSeed,
        ...solve,
        ...(judge ?? {}),
        ...(stepwise_selection ? { stepwise_selection } : {}),
        ...(vote ? { vote } : {}),
        seconds: (performance.now() - t0) / 1000,
        examples: solved.slice(0, 3).map((s) => ({ problem: s.problemId, steps: s.steps, answer: s.answer, correct: s.correct })),
      };
      io.out(flags.json ? JSON.stringify(result, null, 2) + '\n' : formatEval(result));
      return 0;
    } finally {
      await dispose();
    }
  },
};

function pct(x: number): string {
  return `${(100 * x).toFixed(1)} %`;
}

function formatEval(
  r: ReturnType<typeof summariseSolutions> &
    Partial<{
      judge_accuracy: number; swap_consistency: number; judge_accuracy_one_order: number;
      stepwise_selection: { accuracy: number; greedy_accuracy: number; problems: number; w: number } | null;
      vote: { k: number; problems: number; accuracy: Interval; greedy_accuracy: Interval; difference: Interval; any_correct: Interval } | null;
    }>,
): string {
  const lines = [
    `accuracy ${pct(r.accuracy)} (${r.problems} problems); by difficulty: ${Object.entries(r.accuracy_by_difficulty).map(([d, a]) => `${d}: ${pct(a)}`).join(', ')}`,
    `perfect solutions ${pct(r.perfect_rate)}; mean steps ${r.mean_steps.toFixed(2)}; mean step length ${r.mean_step_tokens.toFixed(1)} tokens`,
    `first wrong step: ${JSON.stringify(r.first_error_kinds)}`,
  ];
  if (r.judge_accuracy !== undefined) {
    lines.push(`judge accuracy ${pct(r.judge_accuracy)} (one order ${pct(r.judge_accuracy_one_order!)}), swap consistency ${r.swap_consistency!.toFixed(3)}`);
  }
  const sel = r.stepwise_selection;
  if (sel) lines.push(`step-wise selection (best of ${sel.w}) ${pct(sel.accuracy)} vs greedy ${pct(sel.greedy_accuracy)} on the same ${sel.problems} problems`);
  const v = r.vote;
  if (v) {
    lines.push(`majority of ${v.k} sampled solutions ${formatInterval(v.accuracy)} vs greedy ${formatInterval(v.greedy_accuracy)}, difference ${formatInterval(v.difference)} ` +
      `on the same ${v.problems} problems; any of the ${v.k} right ${formatInterval(v.any_correct)}`);
  }
  return lines.join('\n') + '\n';
}
