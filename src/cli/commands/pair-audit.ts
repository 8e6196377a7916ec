// `psr pair-audit --model DIR [--adapter DIR] --pairs FILE.jsonl`: at the prefixes of an iteration's
// pairs (those its training step uses, by --train-max-step / --train-min-count), is the judge's chosen
// step valid more often than the step the model writes greedily there (src/lib/psr/greedy-audit.ts)?
// Pass the model that searched (M_t: the run's adapter-M_t, or none for M1). The checker grades both.
import { readFile } from 'node:fs/promises';
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
import { auditAgainstGreedy, summariseAudit } from '../../lib/psr/greedy-audit.ts';
import { formatInterval } from '../../lib/psr/intervals.ts';
import { UsageError } from '../../lib/errors.ts';

const SETTINGS_TAKEN: readonly SettingKey[] = ['trainMaxStep', 'trainMinCount', 'seed', 'backend', 'threads'];

export const pairAuditCommand: Command = {
  name: 'pair-audit',
  summary: "At an iteration's trained prefixes: the judge's chosen step against the model's own greedy step, both graded by the checker.",
  usage: `pair-audit --model DIR [--adapter DIR] --pairs FILE.jsonl [--sample N] ${settingsUsage(SETTINGS_TAKEN)} [--json]`,
  settings: SETTINGS_TAKEN,
  options: { model: { type: 'string' }, adapter: { type: 'string' }, pairs: { type: 'string' }, sample: { type: 'string' }, json: { type: 'boolean' } },
  async run(flags, _positionals, io) {
    if (typeof flags.model !== 'string') throw new UsageError('--model DIR is required (the model that searched: M1, or M1 with --adapter runs/X/adapter-M_t).');
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
