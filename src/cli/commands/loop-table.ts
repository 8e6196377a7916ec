// `psr loop-table DIR…`: the loop's results across runs as Markdown tables (or JSON rows): each
// DIR is a folder written by `psr run --out`, read through its metrics.json.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from '../command.ts';
import { loopTables, runRow, type RunMetrics } from '../../lib/psr/run-summary.ts';
import { UsageError } from '../../lib/errors.ts';

export const loopTableCommand: Command = {
  name: 'loop-table',
  summary: 'Summarise `run` folders: accuracy and judge accuracy per iteration, per run and mean ± sd per method.',
  usage: 'loop-table DIR… [--json]',
  options: { json: { type: 'boolean' } },
  async run(flags, positionals, io) {
    if (positionals.length === 0) throw new UsageError('pass one or more folders written by `psr run --out DIR`.');
    const rows = [];
    for (const dir of positionals) {
      let text: string;
      try {
        text = await readFile(join(dir, 'metrics.json'), 'utf8');
      } catch {
        throw new UsageError(`${join(dir, 'metrics.json')} cannot be read; pass a folder written by \`psr run --out\` (the run may not have finished).`);
      }
      rows.push(runRow(JSON.parse(text) as RunMetrics));
    }
    io.out(flags.json ? JSON.stringify(rows, null, 2) + '\n' : loopTables(rows));
    return 0;
  },
};
