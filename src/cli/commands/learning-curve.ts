// `psr learning-curve --run DIR [--format plain|steps] [--eval-problems N] [--dataset-seed 2]`: the
// learning curve of a training run — every model folder train-base --snapshots wrote
// (DIR/snapshots/tokens-N/, and the finished model in DIR itself) solved greedily on the same
// held-out problems — as Markdown or JSON: accuracy overall and per difficulty against tokens.
// It is the evidence for choosing a token budget; choose on validation data (dataset seed 2).
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from '../command.ts';
import { openBackend } from '../backends.ts';
import { loadModelDir } from '../model-dir.ts';
import { settingsFromFlags, settingsUsage } from '../settings-flags.ts';
import type { SettingKey } from '../../lib/settings/table.ts';
import { ModelParams, keepQuantized } from '../../lib/model/params.ts';
import { buildDatasets, DEFAULT_DATASET_OPTIONS } from '../../lib/math/datasets.ts';
import { solveGreedy, summariseSolutions, type SolutionFormat } from '../../lib/psr/evaluate.ts';
import { evenSpread } from '../../lib/psr/plan.ts';
import { UsageError } from '../../lib/errors.ts';
import type { Problem } from '../../lib/math/generator.ts';
import { worldToJson } from '../../lib/math/world-file.ts';

const SETTINGS_TAKEN: readonly SettingKey[] = ['evalProblems', 'datasetSeed', 'backend', 'threads'];

export interface CurvePoint {
  model: string;
  tokens: number | null;
  accuracy: number;
  byDifficulty: Record<string, number>;
  problems: number;
}

/** The run's model folders in token order: snapshots/tokens-N/ and, when finished, the run folder itself. */
async function curveFolders(run: string): Promise<{ dir: string; tokens: number | null }[]> {
  const snaps = join(run, 'snapshots');
  const out: { dir: string; tokens: number | null }[] = [];
  const names = await readdir(snaps).catch(() => [] as string[]);
  for (const n of names) {
    const m = /^tokens-(\d+)$/.exec(n);
    if (m) out.push({ dir: join(snaps, n), tokens: Number(m[1]) });
  }
  out.sort((a, b) => a.tokens! - b.tokens!);
  if (await stat(join(run, 'model.safetensors')).then(() => true, () => false)) out.push({ dir: run, tokens: null });
  return out;
}

export function curveMarkdown(points: CurvePoint[]): string {
  const levels = [...new Set(points.flatMap((p) => Object.keys(p.byDifficulty)))].sort();
  const head = `| tokens | accuracy | ${levels.map((d) => `d${d}`).join(' | ')} |`;
  const rule = `| ---: | ---: | ${levels.map(() => '---:').join(' | ')} |`;
  const pct = (x: number | undefined) => (x === undefined ? '—' : (100 * x).toFixed(1));
  const rows = points.map((p) => `| ${p.tokens === null ? 'final' : p.tokens.toLocaleString('en-US')} | ${pct(p.accuracy)} | ${levels.map((d) => pct(p.byDifficulty[d])).join(' | ')} |`);
  return [head, rule, ...rows].join('\n') + '\n';
}

export const learningCurveCommand: Command = {
  name: 'learning-curve',
  summary: 'Greedy accuracy of every snapshot of a train-base --snapshots run on the same held-out problems (the learning curve).',
  usage: `learning-curve --run DIR [--format plain|steps] ${settingsUsage(SETTINGS_TAKEN)} [--json]`,
  settings: SETTINGS_TAKEN,
  options: { run: { type: 'string' }, format: { type: 'string' }, json: { type: 'boolean' } },
  async run(flags, _positionals, io) {
    if (typeof flags.run !== 'string') throw new UsageError('--run DIR (a train-base run folder) is required.');
    const format = (flags.format ?? 'plain') as SolutionFormat;
    if (format !== 'steps' && format !== 'plain') throw new UsageError(`--format must be plain or steps (got ${String(flags.format)}).`);
    const s = settingsFromFlags(flags, SETTINGS_TAKEN);
    const folders = await curveFolders(flags.run);
    if (folders.length === 0) throw new UsageError(`${flags.run} has no snapshots/tokens-N/ folders and no model; run train-base with --snapshots.`);
    const opened = await openBackend(s.backend, s.threads);
    const points: CurvePoint[] = [];
    // The snapshots of a run share its world: its held-out problems are built once.
    const tests = new Map<string, Problem[]>();
    try {
      for (const f of folders) {
        const m = await loadModelDir(f.dir);
        const key = JSON.stringify(worldToJson(m.world));
        if (!tests.has(key)) tests.set(key, evenSpread(buildDatasets(m.world, { seed: s.datasetSeed, ...DEFAULT_DATASET_OPTIONS, iftCount: 0, eftCount: 0 }).test, s.evalProblems));
        const params = ModelParams.create(opened.backend, m.config, m.weights, m.adapter, 'none', keepQuantized(opened.backend, m.quantized));
        try {
          const solved = summariseSolutions(await solveGreedy(params, m.tok, tests.get(key)!, { format, rowsPerBatch: 32, maxNewTokens: 320 }));
          points.push({ model: f.dir, tokens: f.tokens, accuracy: solved.accuracy, byDifficulty: solved.accuracy_by_difficulty, problems: solved.problems });
          io.err(`${f.tokens ?? 'final'}: accuracy ${(100 * solved.accuracy).toFixed(1)} %\n`);
        } finally {
          params.free();
        }
      }
    } finally {
      await opened.dispose();
    }
    io.out(flags.json ? JSON.stringify({ run: flags.run, format, dataset_seed: s.datasetSeed, points }, null, 2) + '\n' : curveMarkdown(points));
    return 0;
  },
};
