// `psr run --model DIR --out DIR [settings]`: the self-rewarding loop headless, on the same
// iteration plan as the app (src/lib/psr/plan.ts) with the settings table's flags. Writes
// per-iteration metrics (metrics.json), the preference pairs of each iteration as Step-DPO JSONL,
// and each iteration's PEFT adapter; the CLI keeps only this I/O.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from '../command.ts';
import { openBackend } from '../backends.ts';
import { loadModelDir } from '../model-dir.ts';
import { settingsCommandLine, settingsFromFlags, settingsUsage } from '../settings-flags.ts';
import { WORLD_OPTION, WORLD_USAGE, worldForModel } from '../world-flag.ts';
import { keepQuantized } from '../../lib/model/params.ts';
import { runIterations, type LoopEvent } from '../../lib/psr/loop.ts';
import { planLoop, startAdapter } from '../../lib/psr/plan.ts';
import { pairsToJsonl, parsePairsJsonl } from '../../lib/psr/pairs.ts';
import { saveAdapter } from '../../lib/model/checkpoint.ts';
import { NodeFiles } from '../../lib/formats/node-files.ts';
import { UsageError } from '../../lib/errors.ts';
import { SETTINGS, type SettingKey } from '../../lib/settings/table.ts';
import { worldToJson } from '../../lib/math/world-file.ts';

/** Every run setting is a flag of `psr run`. */
const RUN_SETTINGS = Object.keys(SETTINGS) as SettingKey[];

export const runCommand: Command = {
  name: 'run',
  summary: 'Run the self-rewarding loop headless (PSR or the SRLM baseline): pairs as Step-DPO JSONL, adapters, metrics.',
  usage: `run --model DIR [--adapter DIR] --out DIR [--pairs-from FILE.jsonl] ${settingsUsage(RUN_SETTINGS)} ${WORLD_USAGE} [--events] [--json]`,
  settings: RUN_SETTINGS,
  options: {
    model: { type: 'string' },
    adapter: { type: 'string' },
    out: { type: 'string' },
    'pairs-from': { type: 'string' },
    events: { type: 'boolean' },
    ...WORLD_OPTION,
    json: { type: 'boolean' },
  },
  async run(flags, _positionals, io) {
    for (const f of ['model', 'out']) if (typeof flags[f] !== 'string') throw new UsageError(`--${f} DIR is required.`);
    const s = settingsFromFlags(flags, RUN_SETTINGS);
    if (s.judge !== 'self' && s.method !== 'psr') throw new UsageError(`--judge ${s.judge} is a control for the step-wise search; use it with --method psr.`);
    const out = flags.out as string;
    await mkdir(out, { recursive: true });
    const m = await loadModelDir(flags.model as string, typeof flags.adapter === 'string' ? flags.adapter : undefined);
    // The iterations are numbered 1 … K here whatever the model's generation (M1 → M_{K+1}).
    const world = await worldForModel(flags, m, io);
    const plan = planLoop(s, { firstIteration: 1, iterations: s.iterations, world, frontier: m.meta.frontier });
    const start = startAdapter(m.config, s, m.adapter);
    // --pairs-from: the first iteration trains on an earlier run's pairs instead of searching (to compare
    // training settings on the very same pairs; the pairs must come from the same model, pool and judge).
    const pairsFrom = typeof flags['pairs-from'] === 'string' ? flags['pairs-from'] : null;
    const firstPairs = pairsFrom === null ? undefined : parsePairsJsonl(await readFile(pairsFrom, 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new UsageError(`--pairs-from ${pairsFrom} cannot be read (${e.code ?? e.message}); pass a pairs-iter1.jsonl written by psr run.`);
    }));
    if (firstPairs && firstPairs.length === 0) throw new UsageError(`--pairs-from ${pairsFrom} holds no pairs; pass a pairs-iter1.jsonl with at least one pair.`);
    const events: string[] = [];
    const opened = await openBackend(s.backend, s.threads);
    io.err(`backend: ${opened.name} (${opened.reason})\n`);
    const t0 = performance.now();
    try {
      const ctx = { backend: opened.backend, config: m.config, base: m.weights, quantized: keepQuantized(opened.backend, m.quantized), tok: m.tok, eval: plan.eval, judgeWorking: m.meta.judgeWorking };
      const result = await runIterations(ctx, start, plan.loop, {
        onEvent(e: LoopEvent) {
          if (flags.events) events.push(JSON.stringify(e));
          if (e.type === 'stage') io.err(`[iteration ${e.iteration}] ${e.stage}\n`);
          else if (e.type === 'search' && e.event.type === 'problem-end') io.err(`  problem ${e.event.problemId}: ${e.event.steps.length} steps, ${e.event.pairs} pairs\n`);
          else if (e.type === 'evaluation') io.err(`  ${e.model}: accuracy ${(100 * e.result.solve.accuracy).toFixed(1)} %, judge ${(100 * e.result.judge.judge_accuracy).toFixed(1)} %\n`);
        },
        async onIteration(report, adapter, pairs) {
          await writeFile(join(out, `pairs-iter${report.iteration}.jsonl`), pairsToJsonl(pairs));
          const dir = join(out, `adapter-M${report.iteration + 1}`);
          await mkdir(dir, { recursive: true });
          await saveAdapter(new NodeFiles(dir), m.config, adapter);
        },
      }, { evaluateStart: true, resumeFrom: firstPairs ? { pairs: firstPairs, searchStats: null, srlmStats: null } : undefined });
      const metrics = {
        method: s.method, judge: s.judge, iterations: s.iterations, problems: s.problems,
        pool_sizes: plan.loop.pools.map((p) => p.length), pool_difficulties: plan.poolDifficulties ?? 'all', seed: s.seed, dataset_seed: s.datasetSeed,
        settings: s, backend: opened.name, threads: opened.threads, search: plan.loop.search, dpo: plan.loop.dpo,
        eval_problems: plan.eval.test.length, eval_pairs: plan.eval.eftTest.length,
        start: result.start, reports: result.reports, seconds: (performance.now() - t0) / 1000,
        world: worldToJson(world),
        pairs_from: pairsFrom,
        command: `npm run psr -- run --model ${flags.model}${typeof flags.adapter === 'string' ? ` --adapter ${flags.adapter}` : ''}${typeof flags.world === 'string' ? ` --world ${flags.world}` : ''} --out ${out}${pairsFrom ? ` --pairs-from ${pairsFrom}` : ''} ${settingsCommandLine(s, RUN_SETTINGS)}`,
      };
      await writeFile(join(out, 'metrics.json'), JSON.stringify(metrics, null, 2) + '\n');
      if (flags.events) await writeFile(join(out, 'events.jsonl'), events.join('\n') + '\n');
      io.out(flags.json ? JSON.stringify(metrics, null, 2) + '\n' : `done: ${result.reports.length} iterations in ${metrics.seconds.toFixed(0)} s; metrics in ${join(out, 'metrics.json')}\n`);
      return 0;
    } finally {
      await opened.dispose();
    }
  },
};
