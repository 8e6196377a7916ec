// `psr datasets --seed S --out DIR`: write the math world's splits as JSONL (test, eft-test,
// pool-1..n, ift, eft) plus summary.json, and print the summary (counts per split and
// difficulty, wrong-step kinds, A/B balance).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from '../command.ts';
import { UsageError } from '../../lib/errors.ts';
import { WORLD_OPTION, WORLD_USAGE, worldOrDefault } from '../world-flag.ts';
import { buildDatasets, DEFAULT_DATASET_OPTIONS, MAX_DATASET_PROBLEMS, type Datasets } from '../../lib/math/datasets.ts';
import { intFlag, intListFlag, seedFlag } from '../math-flags.ts';

function jsonl(items: readonly unknown[]): string {
  return items.map((x) => JSON.stringify(x)).join('\n') + (items.length > 0 ? '\n' : '');
}

/** File name → JSONL content for every split. */
export function datasetFiles(d: Datasets): Record<string, string> {
  const files: Record<string, string> = {
    'test.jsonl': jsonl(d.test),
    'eft-test.jsonl': jsonl(d.eftTest),
    'ift.jsonl': jsonl(d.ift),
    'eft.jsonl': jsonl(d.eft),
  };
  d.pools.forEach((p, i) => (files[`pool-${i + 1}.jsonl`] = jsonl(p)));
  files['summary.json'] = JSON.stringify(d.summary, null, 2) + '\n';
  return files;
}

export const datasetsCommand: Command = {
  name: 'datasets',
  summary: 'Write IFT / EFT / EFT-test / test / iteration-pool JSONL files of the math world, with a summary.',
  usage: `datasets --seed S --out DIR [--ift N] [--eft N] [--eft-test N] [--test N] [--pools 64,128,192] [--difficulties 1,2,3] ${WORLD_USAGE}`,
  options: {
    seed: { type: 'string' },
    out: { type: 'string' },
    ift: { type: 'string' },
    eft: { type: 'string' },
    'eft-test': { type: 'string' },
    test: { type: 'string' },
    pools: { type: 'string' },
    difficulties: { type: 'string' },
    ...WORLD_OPTION,
  },
  async run(flags, _positionals, io) {
    const world = await worldOrDefault(flags);
    const out = flags.out;
    if (typeof out !== 'string' || out.trim() === '') throw new UsageError('--out DIR is required; pass the folder to write the JSONL files into');
    const D = DEFAULT_DATASET_OPTIONS;
    const max = MAX_DATASET_PROBLEMS;
    const datasets = buildDatasets(world, {
      seed: seedFlag(flags),
      iftCount: intFlag(flags, 'ift', 0, max, D.iftCount),
      eftCount: intFlag(flags, 'eft', 0, max, D.eftCount),
      eftTestCount: intFlag(flags, 'eft-test', 0, max, D.eftTestCount),
      testCount: intFlag(flags, 'test', 0, max, D.testCount),
      poolSizes: intListFlag(flags, 'pools', 0, max, D.poolSizes),
      difficulties: flags.difficulties === undefined ? undefined : intListFlag(flags, 'difficulties', 1, world.difficulties.length, []),
    });
    await mkdir(out, { recursive: true });
    const files = datasetFiles(datasets);
    for (const [name, content] of Object.entries(files)) await writeFile(join(out, name), content);
    io.out(JSON.stringify({ out, files: Object.keys(files), ...datasets.summary }, null, 2) + '\n');
    return 0;
  },
};
