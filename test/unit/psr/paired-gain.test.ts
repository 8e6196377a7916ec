// The paired gain pooled over seeds, and `psr compare` on run folders and eval reports.
import { describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pooledPairedGain as pairedGain } from '../../../src/lib/psr/run-summary.ts';
import { InvalidInputError } from '../../../src/lib/errors.ts';
import { runCli } from '../../../src/cli/cli.ts';
import { captureIo } from '../../util/cli-io.ts';

describe('pairedGain', () => {
  it('averages after − before per problem over the seeds; the interval brackets it', () => {
    const before = [[1, 0, 0, 1, 0, 0, 1, 0], [1, 0, 0, 1, 0, 0, 1, 0]];
    const after = [[1, 1, 0, 1, 1, 0, 1, 0], [1, 1, 0, 0, 0, 0, 1, 0]]; // +2 and 0 of 8 problems
    const r = pairedGain(before, after, 1);
    expect(r.gain.value).toBeCloseTo((2 / 8 + 0 / 8) / 2);
    expect(r.gain.lo!).toBeLessThanOrEqual(r.gain.value!);
    expect(r.gain.hi!).toBeGreaterThanOrEqual(r.gain.value!);
    expect(r.before).toEqual([0.375, 0.375]);
    expect(r.after).toEqual([0.625, 0.375]);
  });
  it('refuses evaluations of different problems or unmatched seeds', () => {
    expect(() => pairedGain([[1, 0]], [[1, 0, 1]], 1)).toThrow(InvalidInputError);
    expect(() => pairedGain([[1]], [[1], [0]], 1)).toThrow(/as many/);
  });
});

describe('psr compare', () => {
  it('reads run folders (their own start) and eval --json reports ("0110" strings)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'psr-compare-'));
    try {
      for (const [name, start, final] of [['r1', '0000', '1100'], ['r2', '0000', '1000']]) {
        await mkdir(join(dir, name));
        await writeFile(join(dir, name, 'metrics.json'), JSON.stringify({ start: { solve: { correct: start } }, reports: [{ evaluation: { solve: { correct: final } } }] }));
      }
      await writeFile(join(dir, 'base.json'), JSON.stringify({ correct: '1000' }));
      let io = captureIo();
      expect(await runCli(['compare', '--after', `${join(dir, 'r1')},${join(dir, 'r2')}`], io)).toBe(0);
      expect(io.stdout).toMatch(/2 seed\(s\), 4 problems: before 0\.0 % \/ 0\.0 %, after 50\.0 % \/ 25\.0 %/);
      expect(io.stdout).toMatch(/paired gain, pooled over seeds: 37\.5 \[/);
      io = captureIo();
      expect(await runCli(['compare', '--after', join(dir, 'r1'), '--before', join(dir, 'base.json'), '--json'], io)).toBe(0);
      expect(JSON.parse(io.stdout).gain.value).toBeCloseTo(0.25);
      io = captureIo();
      expect(await runCli(['compare', '--after', join(dir, 'base.json')], io)).toBe(2);
      expect(io.stderr).toMatch(/no starting evaluation; pass --before/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
