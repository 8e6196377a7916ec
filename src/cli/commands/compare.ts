// `psr compare --after X… [--before Y…]`: the paired gain over the same problems, pooled over seeds,
// with a bootstrap interval over problems. Each X / Y is a folder written by `psr run --out` (its final
// evaluation; without --before, each run is compared with its own starting evaluation) or a report
// written by `psr eval --json` (its per-problem results).
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from '../command.ts';
import { UsageError } from '../../lib/errors.ts';
import { pooledPairedGain, type Correctness } from '../../lib/psr/run-summary.ts';
import { formatInterval } from '../../lib/psr/intervals.ts';

interface Evaluated {
  start: Correctness | null;
  final: Correctness;
}

async function readEvaluated(path: string): Promise<Evaluated> {
  const isDir = await stat(path).then((s) => s.isDirectory(), () => false);
  const file = isDir ? join(path, 'metrics.json') : path;
  let json: { start?: { solve?: { correct?: Correctness } }; reports?: { evaluation?: { solve?: { correct?: Correctness } } }[]; correct?: Correctness };
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    throw new UsageError(`${file} cannot be read as JSON; pass folders written by \`psr run --out\` or reports of \`psr eval --json\`.`);
  }
  if (json.correct !== undefined) return { start: null, final: json.correct };
  const final = json.reports?.at(-1)?.evaluation?.solve?.correct;
  if (final === undefined) throw new UsageError(`${file} has no per-problem results; pass a finished \`psr run\` folder or an \`eval --json\` report.`);
  return { start: json.start?.solve?.correct ?? null, final };
}

const list = (v: unknown) => (typeof v === 'string' ? v.split(',').map((x) => x.trim()).filter(Boolean) : []);

export const compareCommand: Command = {
  name: 'compare',
  summary: 'Paired gain over the same problems, pooled over seeds, with a bootstrap interval: run folders or eval --json reports.',
  usage: 'compare --after A1,A2,… [--before B1,B2,…] [--json]',
  options: { after: { type: 'string' }, before: { type: 'string' }, json: { type: 'boolean' } },
  async run(flags, _positionals, io) {
    const afterPaths = list(flags.after);
    const beforePaths = list(flags.before);
    if (afterPaths.length === 0) throw new UsageError('--after needs one or more run folders or eval reports, comma-separated (one per seed).');
    const after = await Promise.all(afterPaths.map(readEvaluated));
    let before: Correctness[];
    if (beforePaths.length > 0) {
      if (beforePaths.length !== 1 && beforePaths.length !== afterPaths.length) {
        throw new UsageError(`--before has ${beforePaths.length} entries and --after ${afterPaths.length}; give one per seed, or one shared by all.`);
      }
      const b = await Promise.all(beforePaths.map(readEvaluated));
      before = afterPaths.map((_, i) => b[b.length === 1 ? 0 : i].final);
    } else {
      before = after.map((a, i) => {
        if (!a.start) throw new UsageError(`${afterPaths[i]} has no starting evaluation; pass --before.`);
        return a.start;
      });
    }
    const r = pooledPairedGain(before, after.map((a) => a.final), 'compare', 4000);
    const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
    io.out(
      flags.json
        ? JSON.stringify(r, null, 2) + '\n'
        : `${r.seeds} seed(s), ${r.gain.n} problems: before ${r.before.map(pct).join(' / ')}, after ${r.after.map(pct).join(' / ')}\n` +
            `paired gain, pooled over seeds: ${formatInterval({ ...r.gain, value: r.gain.value! * 100, lo: r.gain.lo! * 100, hi: r.gain.hi! * 100 }, 1)} points\n`,
    );
    return 0;
  },
};
