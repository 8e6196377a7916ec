// The math-world CLI commands (problems, check, datasets), in process with a fake CliIo, plus
// one end-to-end run of the real CLI entry.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIo, FlagValues } from '../../../src/cli/command.ts';
import { checkCommand } from '../../../src/cli/commands/check.ts';
import { datasetsCommand } from '../../../src/cli/commands/datasets.ts';
import { problemsCommand } from '../../../src/cli/commands/problems.ts';
import { CheckInputError, UsageError } from '../../../src/lib/errors.ts';
import { generateProblems } from '../../../src/lib/math/generator.ts';
import { CHAIN_Q, world } from './helpers.ts';

function fakeIo(stdin = ''): CliIo & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out: (t: string) => void (io.stdout += t),
    err: (t: string) => void (io.stderr += t),
    readStdin: async () => stdin,
  };
  return io;
}

async function run(cmd: typeof problemsCommand, flags: FlagValues, stdin = '') {
  const io = fakeIo(stdin);
  const code = await cmd.run(flags, [], io);
  return { code, ...io };
}

describe('problems command', () => {
  it('prints the seeded problems as JSON', async () => {
    const r = await run(problemsCommand, { seed: '7', count: '5', difficulty: '3', json: true });
    expect(r.code).toBe(0);
    const ps = JSON.parse(r.stdout);
    expect(ps).toEqual(generateProblems(world, { seed: 7, count: 5, difficulty: 3 }));
  });

  it('prints readable text without --json', async () => {
    const r = await run(problemsCommand, { seed: '1', count: '2' });
    expect(r.stdout).toMatch(/^\[d\d-[0-9a-f]{16}\] difficulty \d\n/);
    expect(r.stdout).toContain('Step 1: ');
  });

  it('rejects bad flags with UsageError', async () => {
    await expect(run(problemsCommand, { seed: 'abc', count: '2' })).rejects.toThrow(UsageError);
    await expect(run(problemsCommand, { seed: '1', count: '1000001' })).rejects.toThrow(/--count must be between 0 and 100000/);
    await expect(run(problemsCommand, { seed: '1', count: '3', difficulty: '9' })).rejects.toThrow(/--difficulty must be between 1 and 6/);
  });
});

describe('check command', () => {
  it('prints the verdict and the judge working line', async () => {
    const input = { question: CHAIN_Q, steps: ['Step 1: Ann has 12 + 5 = 17 apples.'], candidate: 'Step 2: Ben has 17 × 3 = 50 apples.' };
    const r = await run(checkCommand, {}, JSON.stringify(input));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ valid: false, kind: 'arithmetic_error', working: '17 × 3 = 51 not 50.' });
  });

  it('rejects malformed JSON, missing fields and empty input with CheckInputError', async () => {
    await expect(run(checkCommand, {}, '{"question": ')).rejects.toThrow(/not valid JSON/);
    await expect(run(checkCommand, {}, '')).rejects.toThrow(CheckInputError);
    await expect(run(checkCommand, {}, JSON.stringify({ question: CHAIN_Q, steps: [] }))).rejects.toThrow(/"candidate" must be a string/);
  });
});

describe('datasets command', () => {
  it('writes every split as JSONL with a summary', async () => {
    const out = await mkdtemp(join(tmpdir(), 'psr-ds-'));
    try {
      const r = await run(datasetsCommand, { seed: '2', out, ift: '12', eft: '10', 'eft-test': '6', test: '6', pools: '3,4' });
      expect(r.code).toBe(0);
      const summary = JSON.parse(r.stdout);
      expect(summary.splits.ift.count).toBe(12);
      expect((await readdir(out)).sort()).toEqual(['eft-test.jsonl', 'eft.jsonl', 'ift.jsonl', 'pool-1.jsonl', 'pool-2.jsonl', 'summary.json', 'test.jsonl']);
      const eft = (await readFile(join(out, 'eft.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
      expect(eft).toHaveLength(10);
      expect(eft[0]).toHaveProperty('candidateA');
      expect((await readFile(join(out, 'pool-2.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(4);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it('requires --out and sane sizes', async () => {
    await expect(run(datasetsCommand, { seed: '1' })).rejects.toThrow(/--out DIR is required/);
    await expect(run(datasetsCommand, { seed: '1', out: '/tmp/x', ift: '-5' })).rejects.toThrow(UsageError);
    await expect(run(datasetsCommand, { seed: '1', out: '/tmp/x', pools: '1,x' })).rejects.toThrow(/whole number/);
  });
});

describe('CLI end to end', () => {
  it('runs `psr problems` and exits non-zero with a named error on bad check input', () => {
    const args = ['tsx', '--import', './src/cli/register.ts', 'src/cli/main.ts'];
    const ok = spawnSync('npx', [...args, 'problems', '--seed', '4', '--count', '2', '--json'], { encoding: 'utf8', timeout: 60_000 });
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual(generateProblems(world, { seed: 4, count: 2 }));
    const bad = spawnSync('npx', [...args, 'check'], { input: '{oops', encoding: 'utf8', timeout: 60_000 });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^CheckInputError: stdin is not valid JSON/m);
  }, 60_000);
});
