// `psr loop-table DIR…`: the loop's results across runs as Markdown tables (or JSON rows): each
// DIR is a folder written by `psr run --out`, read through its metrics.json.
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { Command } from '../command.ts';
import { loopTables, runRow, variantLabel, type RunMetrics } from '../../lib/psr/run-summary.ts';
import { buildChain, chainTables, evalProblemIds, type ChainRunMetrics } from '../../lib/psr/chain.ts';
import { CHECKPOINT_FILES } from '../../lib/model/checkpoint.ts';
import { ImportError, UsageError } from '../../lib/errors.ts';
import { GREEDY_AUDIT_FILE } from './pair-audit.ts';

export const loopTableCommand: Command = {
  name: 'loop-table',
  summary:
    'Summarise `run` folders: accuracy and judge accuracy per iteration, per run and mean ± sd per method. --chain OUT_DIR also writes OUT_DIR/chain.json (the recorded chain the page shows; the runs must share their evaluation set) and copies the last adapter of --chain-adapter DIR (default the first run) into OUT_DIR/adapter-M<k>/ for the page\'s "check it yourself".',
  usage: 'loop-table DIR… [--json] [--chain OUT_DIR [--chain-adapter DIR] [--summary TEXT]]',
  options: { json: { type: 'boolean' }, chain: { type: 'string' }, 'chain-adapter': { type: 'string' }, summary: { type: 'string' } },
  async run(flags, positionals, io) {
    if (positionals.length === 0) throw new UsageError('pass one or more folders written by `psr run --out DIR`.');
    const rows = [];
    const metrics: ChainRunMetrics[] = [];
    for (const dir of positionals) {
      let text: string;
      try {
        text = await readFile(join(dir, 'metrics.json'), 'utf8');
      } catch {
        throw new UsageError(`${join(dir, 'metrics.json')} cannot be read; pass a folder written by \`psr run --out\` (the run may not have finished).`);
      }
      const m = JSON.parse(text);
      await addAudit(dir, m);
      rows.push(runRow(m as RunMetrics));
      metrics.push(m as ChainRunMetrics);
    }
    // The problems each run was evaluated on (recomputed from its settings and world); null for runs too old to say.
    const ids = sharedEvalIds(metrics);
    if (typeof flags.chain === 'string') {
      if (ids === null) throw new UsageError('these runs were not all evaluated on the same problems (or do not record their world); a chain compares runs on one evaluation set.');
      await writeChain(flags.chain, positionals, metrics, ids, flags['chain-adapter'] as string | undefined, (flags.summary as string | undefined) ?? '');
    }
    if (flags.json) {
      io.out(JSON.stringify(rows, null, 2) + '\n');
    } else {
      io.out(loopTables(rows));
      const pooled = ids === null ? null : pooledTables(metrics, ids);
      if (pooled) io.out('\n' + pooled);
    }
    return 0;
  },
};

/** chain.json and the chosen run's last adapter (PEFT files) into `out`. */
async function writeChain(out: string, dirs: string[], metrics: ChainRunMetrics[], ids: string[], adapterDir: string | undefined, summary: string): Promise<void> {
  const which = adapterDir === undefined ? 0 : dirs.findIndex((d) => resolve(d) === resolve(adapterDir));
  if (which < 0) throw new UsageError(`--chain-adapter ${adapterDir} is not one of the run folders passed; pass one of them.`);
  const m = metrics[which];
  const model = `M${m.reports.length + 1}`;
  const path = `adapter-${model}`;
  const chain = buildChain(metrics, { summary, adapter: { path, label: variantLabel(m), seed: m.seed, model }, problemIds: ids });
  await mkdir(join(out, path), { recursive: true });
  for (const f of [CHECKPOINT_FILES.adapterConfig, CHECKPOINT_FILES.adapterWeights]) {
    const from = join(dirs[which], path, f);
    await copyFile(from, join(out, path, basename(f))).catch(() => {
      throw new UsageError(`${from} cannot be read; the run in ${dirs[which]} did not save its last adapter (did it finish?).`);
    });
  }
  // Commands as one would type them in the project folder: the project's own path dropped, run folders under runs/.
  const here = `${process.cwd()}/`;
  for (const r of chain.runs) r.command = r.command.split(here).join('').replace(/--out \S*\/([^/\s]+)/, '--out runs/$1');
  await writeFile(join(out, 'chain.json'), JSON.stringify(chain) + '\n');
}

/** The evaluation problems' ids shared by every run, or null when they differ or a run does not record its world. */
function sharedEvalIds(metrics: ChainRunMetrics[]): string[] | null {
  try {
    const ids = metrics.map(evalProblemIds);
    return ids.every((x) => x.join() === ids[0].join()) ? ids[0] : null;
  } catch (e) {
    if (e instanceof ImportError) return null;
    throw e;
  }
}

/** The pooled tables when every run kept its per-problem results (else null: runs older than per-problem results). */
function pooledTables(metrics: ChainRunMetrics[], ids: string[]): string | null {
  try {
    return chainTables(buildChain(metrics, { summary: '', adapter: null, problemIds: ids }));
  } catch (e) {
    if (e instanceof ImportError) return null;
    throw e;
  }
}

/** A run made before the loop audited itself: its greedy-audit.json (written by `pair-audit --run`) fills the reports. */
async function addAudit(dir: string, m: { reports?: { greedyAudit?: unknown }[] }): Promise<void> {
  const text = await readFile(join(dir, GREEDY_AUDIT_FILE), 'utf8').catch(() => null);
  if (text === null || !Array.isArray(m.reports)) return;
  const audits = JSON.parse(text) as { iteration: number }[];
  m.reports.forEach((r, i) => {
    if (r.greedyAudit == null) r.greedyAudit = audits.find((a) => a.iteration === i + 1) ?? null;
  });
}
