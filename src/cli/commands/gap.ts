// `psr gap --model DIR [--adapter DIR] [--difficulties 2-4] [--per-difficulty N] [--reference] [--select]`:
// the generation–verification gap on the model's own samples (src/lib/psr/gap.ts) on held-out
// problems — at greedy's first wrong step, and with --reference at every step of the reference
// solution — per difficulty and overall with 95 % bootstrap intervals over problems; with --select,
// test-time step-wise selection against greedy on the same problems (and their paired difference).
// Choose settings on --dataset-seed 2 (validation), report on 1 (held-out).
import type { Command } from '../command.ts';
import { intFlag } from '../math-flags.ts';
import { openBackend } from '../backends.ts';
import { loadModelDir } from '../model-dir.ts';
import { settingsFromFlags, settingsUsage } from '../settings-flags.ts';
import { WORLD_OPTION, WORLD_USAGE, worldForModel } from '../world-flag.ts';
import type { SettingKey } from '../../lib/settings/table.ts';
import { ModelParams, keepQuantized } from '../../lib/model/params.ts';
import { buildDatasets, DEFAULT_DATASET_OPTIONS } from '../../lib/math/datasets.ts';
import type { Problem } from '../../lib/math/generator.ts';
import { solveGreedy } from '../../lib/psr/evaluate.ts';
import { TinyStepModel, tinyStepOptionsFor, type StepModel } from '../../lib/psr/step-model.ts';
import { DEFAULT_LOOKAHEAD, LookaheadStepModel } from '../../lib/psr/lookahead-judge.ts';
import { searchSettingsOf } from '../../lib/psr/plan.ts';
import { firstWrongPrefix, gapMetrics, measureRound, sweepRounds, type GapMetrics, type GapRound, type SweepRow } from '../../lib/psr/gap.ts';
import { evaluateStepwiseSelection } from '../../lib/psr/test-time.ts';
import { bootstrapMean, formatInterval, type Interval } from '../../lib/psr/intervals.ts';
import { SettingsError, UsageError } from '../../lib/errors.ts';

const SETTINGS_TAKEN: readonly SettingKey[] = ['difficulties', 'w', 'temperature', 'topP', 'tieThreshold', 'pairMargin', 'judgeOrder', 'maxSteps', 'maxRollbacks', 'seed', 'datasetSeed', 'backend', 'threads'];

interface GapTable {
  place: 'first-wrong' | 'reference';
  overall: GapMetrics;
  byDifficulty: Record<string, GapMetrics>;
}

function table(rounds: GapRound[], place: GapTable['place'], seed: number): GapTable {
  const levels = [...new Set(rounds.map((r) => r.difficulty))].sort((a, b) => a - b);
  return {
    place,
    overall: gapMetrics(rounds, seed),
    byDifficulty: Object.fromEntries(levels.map((d) => [String(d), gapMetrics(rounds.filter((r) => r.difficulty === d), seed)])),
  };
}

function tableMarkdown(t: GapTable): string {
  const head = '| difficulty | problems | rounds | validShare | anyValidShare | mixed rounds | judgeValidPick | randomValidPick | pairSignal | kept pairs | keptPairSignal |';
  const row = (name: string, m: GapMetrics) =>
    `| ${name} | ${m.problems} | ${m.rounds} | ${formatInterval(m.validShare)} | ${formatInterval(m.anyValidShare)} | ${m.mixedRounds} | ${formatInterval(m.judgeValidPick)} | ${formatInterval(m.randomValidPick)} | ${formatInterval(m.pairSignal)} | ${m.keptPairs} | ${formatInterval(m.keptPairSignal)} |`;
  return [
    `${t.place === 'first-wrong' ? "At greedy's first wrong step" : 'At every step of the reference solution'}:`,
    '',
    head,
    '| --- | ---: | ---: | --- | --- | ---: | --- | --- | --- | ---: | --- |',
    ...Object.entries(t.byDifficulty).map(([d, m]) => row(d, m)),
    row('all', t.overall),
  ].join('\n') + '\n';
}

/** The tie thresholds and pair margins --sweep rescores the rounds with. */
const SWEEP_TIES = [1e-9, 0.05, 0.1, 0.2] as const;
const SWEEP_MARGINS = [0, 0.1, 0.2, 0.3] as const;

function sweepMarkdown(place: string, rows: SweepRow[]): string {
  return [
    `Settings sweep (${place === 'firstWrong' ? "greedy's first wrong step" : 'reference steps'}), the same rounds rescored:`,
    '',
    '| tie threshold | pair margin | judgeValidPick | pair rounds | pairSignal | kept pairs | keptPairSignal |',
    '| ---: | ---: | --- | ---: | --- | ---: | --- |',
    ...rows.map((r) => `| ${r.tieThreshold} | ${r.pairMargin} | ${formatInterval(r.metrics.judgeValidPick)} | ${r.metrics.pairRounds} | ${formatInterval(r.metrics.pairSignal)} | ${r.metrics.keptPairs} | ${formatInterval(r.metrics.keptPairSignal)} |`),
  ].join('\n') + '\n';
}

export const gapCommand: Command = {
  name: 'gap',
  summary: "The generation–verification gap on the model's own samples: does its self-judge pick valid steps better than its sampling does?",
  usage: `gap --model DIR [--adapter DIR] [--per-difficulty N] [--reference] [--select] [--sweep] [--lookahead R] ${settingsUsage(SETTINGS_TAKEN)} ${WORLD_USAGE} [--json]`,
  settings: SETTINGS_TAKEN,
  options: {
    model: { type: 'string' },
    adapter: { type: 'string' },
    'per-difficulty': { type: 'string' },
    reference: { type: 'boolean' },
    select: { type: 'boolean' },
    sweep: { type: 'boolean' },
    lookahead: { type: 'string' },
    ...WORLD_OPTION,
    json: { type: 'boolean' },
  },
  async run(flags, _positionals, io) {
    if (typeof flags.model !== 'string') throw new UsageError('--model DIR is required.');
    const s = settingsFromFlags(flags, SETTINGS_TAKEN);
    const perDifficulty = intFlag(flags, 'per-difficulty', 1, DEFAULT_DATASET_OPTIONS.testCount, DEFAULT_DATASET_OPTIONS.testCount);
    // --lookahead R: the experimental lookahead judge (src/lib/psr/lookahead-judge.ts), R continuations per candidate; 0 = the model's pairwise judge.
    const lookahead = intFlag(flags, 'lookahead', 0, 64, 0);
    const m = await loadModelDir(flags.model, typeof flags.adapter === 'string' ? flags.adapter : undefined);
    const world = await worldForModel(flags, m, io);
    const levels = s.difficulties.length > 0 ? s.difficulties : world.difficulties.map((_, i) => i + 1);
    const beyond = levels.filter((d) => d > world.difficulties.length);
    if (beyond.length > 0) throw new SettingsError(`--difficulties: level ${beyond.join(', ')} is not in the model's world (levels 1 to ${world.difficulties.length}).`, 'difficulties');
    // The held-out test problems of the dataset seed (the standard evaluation set), N per difficulty.
    const data = buildDatasets(world, { seed: s.datasetSeed, ...DEFAULT_DATASET_OPTIONS, iftCount: 0, eftCount: 0 });
    const problems: Problem[] = levels.flatMap((d) => data.test.filter((p) => p.difficulty === d).slice(0, perDifficulty));
    const search = searchSettingsOf(s, 0);
    const opened = await openBackend(s.backend, s.threads);
    io.err(`backend: ${opened.name} (${opened.reason}); ${problems.length} held-out problems at difficulties ${levels.join(', ')}\n`);
    const t0 = performance.now();
    let params: ModelParams | null = null;
    try {
      params = ModelParams.create(opened.backend, m.config, m.weights, m.adapter, 'none', keepQuantized(opened.backend, m.quantized));
      const pairwise = new TinyStepModel(params, m.tok, tinyStepOptionsFor(m.meta.judgeWorking));
      const model: StepModel = lookahead > 0 ? new LookaheadStepModel(pairwise, params, m.tok, { ...DEFAULT_LOOKAHEAD, rollouts: lookahead, seed: s.seed }) : pairwise;
      const greedy = await solveGreedy(params, m.tok, problems, { format: 'steps', rowsPerBatch: 32, maxNewTokens: 320 });
      const firstWrong: GapRound[] = [];
      for (const [i, p] of problems.entries()) {
        const prefix = firstWrongPrefix(p, greedy[i].steps);
        if (prefix) {
          const r = await measureRound(model, p, prefix, 'first-wrong', search, `${s.seed}:${p.id}:first-wrong`);
          if (r) firstWrong.push(r);
        }
        if ((i + 1) % 20 === 0) io.err(`first wrong step: ${i + 1}/${problems.length}\n`);
      }
      const reference: GapRound[] = [];
      if (flags.reference) {
        for (const [i, p] of problems.entries()) {
          for (let k = 0; k < p.steps.length; k++) {
            const r = await measureRound(model, p, p.steps.slice(0, k), 'reference', search, `${s.seed}:${p.id}:ref${k}`);
            if (r) reference.push(r);
          }
          if ((i + 1) % 20 === 0) io.err(`reference steps: ${i + 1}/${problems.length}\n`);
        }
      }
      let selection: null | { greedyAccuracy: Interval; selectionAccuracy: Interval; difference: Interval; byDifficulty: Record<string, { greedy: number; selection: number; problems: number }> } = null;
      if (flags.select) {
        const sel = await evaluateStepwiseSelection(model, m.tok, problems, search, s.seed, { onProgress: (d, n) => d % 20 === 0 && io.err(`selection: ${d}/${n}\n`) });
        const pairs = problems.map((_, i) => [greedy[i].correct ? 1 : 0, sel.solved[i].correct ? 1 : 0] as const);
        const byDifficulty: Record<string, { greedy: number; selection: number; problems: number }> = {};
        for (const d of levels) {
          const idx = problems.flatMap((p, i) => (p.difficulty === d ? [i] : []));
          byDifficulty[String(d)] = { greedy: idx.filter((i) => pairs[i][0]).length / idx.length, selection: idx.filter((i) => pairs[i][1]).length / idx.length, problems: idx.length };
        }
        selection = {
          greedyAccuracy: bootstrapMean(pairs.map(([g]) => [g, 1]), `${s.seed}:greedy`),
          selectionAccuracy: bootstrapMean(pairs.map(([, v]) => [v, 1]), `${s.seed}:selection`),
          // Paired: the same problems, resampled together.
          difference: bootstrapMean(pairs.map(([g, v]) => [v - g, 1]), `${s.seed}:difference`),
          byDifficulty,
        };
      }
      const tables = [table(firstWrong, 'first-wrong', s.seed), ...(flags.reference ? [table(reference, 'reference', s.seed)] : [])];
      // --sweep: the same rounds rescored under other tie thresholds and pair margins (no new samples).
      const sweep = flags.sweep
        ? {
            firstWrong: sweepRounds(firstWrong, SWEEP_TIES, SWEEP_MARGINS, s.seed),
            ...(flags.reference ? { reference: sweepRounds(reference, SWEEP_TIES, SWEEP_MARGINS, s.seed) } : {}),
          }
        : null;
      const result = {
        model: flags.model, adapter: flags.adapter ?? null, judge: lookahead > 0 ? { lookahead: { ...DEFAULT_LOOKAHEAD, rollouts: lookahead, seed: s.seed } } : { pairwise: m.meta.judgeWorking }, dataset_seed: s.datasetSeed, difficulties: levels, problems: problems.length,
        greedy_solved: greedy.filter((g) => g.correct).length, search, tables, sweep, selection, seconds: (performance.now() - t0) / 1000,
        command: `npm run psr -- gap --model ${flags.model}${typeof flags.adapter === 'string' ? ` --adapter ${flags.adapter}` : ''} --difficulties ${levels.join(',')} --per-difficulty ${perDifficulty}` +
          `${flags.reference ? ' --reference' : ''}${flags.select ? ' --select' : ''}${flags.sweep ? ' --sweep' : ''}${lookahead > 0 ? ` --lookahead ${lookahead}` : ''} --dataset-seed ${s.datasetSeed} --w ${s.w} --temperature ${s.temperature} --seed ${s.seed}`,
      };
      if (flags.json) io.out(JSON.stringify(result, null, 2) + '\n');
      else {
        io.out(tables.map(tableMarkdown).join('\n'));
        if (sweep) for (const [place, rows] of Object.entries(sweep)) io.out(`\n${sweepMarkdown(place, rows)}`);
        if (selection) {
          io.out(`\nStep-wise selection (best of ${s.w}) ${formatInterval(selection.selectionAccuracy)} vs greedy ${formatInterval(selection.greedyAccuracy)}; ` +
            `difference ${formatInterval(selection.difference)} on the same ${problems.length} problems\n`);
        }
        io.out(`\nValues with 95 % bootstrap intervals over problems; ${result.seconds.toFixed(0)} s.\n`);
      }
      return 0;
    } finally {
      params?.free();
      await opened.dispose();
    }
  },
};
