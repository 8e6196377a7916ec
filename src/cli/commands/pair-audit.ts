// `psr pair-audit --model DIR [--adapter DIR] --pairs FILE.jsonl`: at the prefixes of an iteration's
// pairs (those its training step uses, by --train-max-step / --train-min-count), is the judge's chosen
// step valid more often than the step the model writes greedily there (src/lib/psr/greedy-audit.ts)?
// Pass the model that searched (M_t: the run's adapter-M_t, or none for M1). The checker grades both.
// `--run DIR` audits every iteration of a `psr run` folder made before runs audited themselves (each
// iteration's pairs with its M_t, the run's own pair selection, up to GREEDY_AUDIT_PAIRS prefixes as the
// loop does) and writes DIR/greedy-audit.json, which loop-table and the recorded chain then read.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from '../command.ts';
import { intFlag } from '../math-flags.ts';
import { openBackend } from '../backends.ts';
import { loadModelDir } from '../model-dir.ts';
import { settingsFromFlags, settingsUsage } from '../settings-flags.ts';
import type { SettingKey } from '../../lib/settings/table.ts';
import { ModelParams, keepQuantized } from '../../lib/model/params.ts';
import { parsePairsJsonl } from '../../lib/psr/pairs.ts';
import { selectTrainingPairs } from '../../lib/psr/train-selection.ts';
import { evenSpread } from '../../lib/psr/plan.ts';
import { DEFAULT_TINY_STEP_OPTIONS, TinyStepModel } from '../../lib/psr/step-model.ts';
import { auditAgainstGreedy, summariseAudit, type GreedyAudit } from '../../lib/psr/greedy-audit.ts';
import { GREEDY_AUDIT_PAIRS } from '../../lib/psr/loop.ts';
import type { CliIo } from '../command.ts';
import { formatInterval } from '../../lib/psr/intervals.ts';
import { UsageError } from '../../lib/errors.ts';

const SETTINGS_TAKEN: readonly SettingKey[] = ['trainMaxStep', 'trainMinCount', 'seed', 'backend', 'threads'];

export const pairAuditCommand: Command = {
  name: 'pair-audit',
  summary: "At an iteration's trained prefixes: the judge's chosen step against the model's own greedy step, both graded by the checker.",
  usage: `pair-audit --model DIR ([--adapter DIR] --pairs FILE.jsonl [--sample N] | --run RUN_DIR) ${settingsUsage(SETTINGS_TAKEN)} [--json]`,
  settings: SETTINGS_TAKEN,
  options: { model: { type: 'string' }, adapter: { type: 'string' }, pairs: { type: 'string' }, sample: { type: 'string' }, run: { type: 'string' }, json: { type: 'boolean' } },
  async run(flags, _positionals, io) {
    if (typeof flags.model !== 'string') throw new UsageError('--model DIR is required (the model that searched: M1, or M1 with --adapter runs/X/adapter-M_t).');
    if (typeof flags.run === 'string') return auditRun(flags.model, flags.run, flags, io);
    if (typeof flags.pairs !== 'string') throw new UsageError('--pairs FILE.jsonl is required (an iteration\'s pairs-iterN.jsonl).');
    const s = settingsFromFlags(flags, SETTINGS_TAKEN);
    let text: string;
    try {
      text = await readFile(flags.pairs, 'utf8');
    } catch {
      throw new UsageError(`${flags.pairs} cannot be read; pass a pairs-iterN.jsonl written by \`psr run\`.`);
    }
    const all = parsePairsJsonl(text);
    const trained = selectTrainingPairs(all, { maxStep: s.trainMaxStep, minCount: s.trainMinCount });
    const sample = intFlag(flags, 'sample', 1, 100_000, trained.length || 1);
    const pairs = evenSpread(trained, sample);
    if (pairs.length === 0) throw new UsageError('no pair is left after --train-max-step / --train-min-count; loosen them.');
    const m = await loadModelDir(flags.model, typeof flags.adapter === 'string' ? flags.adapter : undefined);
    const opened = await openBackend(s.backend, s.threads);
    io.err(`backend: ${opened.name}; ${pairs.length} of ${trained.length} trained pairs (${all.length} in the file)\n`);
    const t0 = performance.now();
    const params = ModelParams.create(opened.backend, m.config, m.weights, m.adapter, 'none', keepQuantized(opened.backend, m.quantized));
    try {
      const rows = await auditAgainstGreedy(new TinyStepModel(params, m.tok, DEFAULT_TINY_STEP_OPTIONS), pairs, (d, n) => d % 100 === 0 && io.err(`${d}/${n}\n`));
      const a = summariseAudit(rows, s.seed);
      const result = { model: flags.model, adapter: flags.adapter ?? null, pairs_file: flags.pairs, trained: trained.length, audited: a.pairs, ...a, seconds: (performance.now() - t0) / 1000 };
      if (flags.json) io.out(JSON.stringify(result, null, 2) + '\n');
      else {
        io.out(
          `${a.pairs} prefixes: chosen step valid ${formatInterval(a.chosenValid)}, greedy step valid ${formatInterval(a.greedyValid)}, ` +
            `chosen − greedy ${formatInterval(a.advantage)} (paired, 95 % over problems); the chosen step is greedy's own in ${a.chosenIsGreedy}; ` +
            `only the chosen valid in ${a.onlyChosen}, only greedy's in ${a.onlyGreedy}.\n`,
        );
      }
      return 0;
    } finally {
      params.free();
      await opened.dispose();
    }
  },
};

/** Every iteration of a `psr run` folder, as the loop audits itself; writes RUN_DIR/greedy-audit.json. */
async function auditRun(model: string, dir: string, flags: Record<string, string | boolean | undefined>, io: CliIo): Promise<number> {
  const s = settingsFromFlags(flags, SETTINGS_TAKEN);
  let metrics: { method: string; seed: number; settings?: { trainMaxStep?: number; trainMinCount?: number }; reports: unknown[] };
  try {
    metrics = JSON.parse(await readFile(join(dir, 'metrics.json'), 'utf8'));
  } catch {
    throw new UsageError(`${join(dir, 'metrics.json')} cannot be read; pass a folder written by \`psr run --out\`.`);
  }
  if (metrics.method !== 'psr') throw new UsageError(`${dir} is a ${metrics.method} run; the audit is for the step-wise search's pairs (--method psr).`);
  const selection = { maxStep: metrics.settings?.trainMaxStep ?? 0, minCount: metrics.settings?.trainMinCount ?? 1 };
  const opened = await openBackend(s.backend, s.threads);
  const out: (GreedyAudit & { iteration: number })[] = [];
  try {
    for (let t = 1; t <= metrics.reports.length; t++) {
      const all = parsePairsJsonl(await readFile(join(dir, `pairs-iter${t}.jsonl`), 'utf8'));
      const pairs = evenSpread(selectTrainingPairs(all, selection), GREEDY_AUDIT_PAIRS);
      // M_t: the model the run started from for t = 1 (--adapter when it started from one), else the adapter it saved after iteration t − 1.
      const first = typeof flags.adapter === 'string' ? flags.adapter : undefined;
      const m = await loadModelDir(model, t === 1 ? first : join(dir, `adapter-M${t}`));
      const params = ModelParams.create(opened.backend, m.config, m.weights, m.adapter, 'none', keepQuantized(opened.backend, m.quantized));
      try {
        const a = summariseAudit(await auditAgainstGreedy(new TinyStepModel(params, m.tok, DEFAULT_TINY_STEP_OPTIONS), pairs), `${metrics.seed}:${t}`);
        out.push({ iteration: t, ...a });
        io.err(`iteration ${t}: ${a.pairs} prefixes, chosen ${formatInterval(a.chosenValid)}, greedy ${formatInterval(a.greedyValid)}\n`);
      } finally {
        params.free();
      }
    }
  } finally {
    await opened.dispose();
  }
  await writeFile(join(dir, GREEDY_AUDIT_FILE), JSON.stringify(out, null, 2) + '\n');
  if (flags.json) io.out(JSON.stringify(out, null, 2) + '\n');
  else io.out(`wrote ${join(dir, GREEDY_AUDIT_FILE)} (${out.length} iterations)\n`);
  return 0;
}

/** Where `pair-audit --run` leaves a run's audit (read by loop-table for runs made before the loop audited itself). */
export const GREEDY_AUDIT_FILE = 'greedy-audit.json';
