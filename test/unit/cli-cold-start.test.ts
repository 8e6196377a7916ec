// `psr cold-start` on the micro model with a world file: the M1 folder records that world
// (world.json, here the nameless-steps templates) and the command that made it names the file.
import { afterAll, describe, expect, it } from 'vitest';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../../src/cli/cli.ts';
import { captureIo } from '../util/cli-io.ts';
import { microModelDir } from './engine/micro-model-dir.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('psr cold-start --world', () => {
  it('trains M1 in the given world, keeps it in the folder and names it in the recorded command', async () => {
    const base = await microModelDir();
    dirs.push(base);
    const out = join(base, 'm1');
    const io = captureIo();
    const args = ['cold-start', '--base', base, '--out', out, '--ift', '8', '--eft', '8', '--score', '0', '--world', 'worlds/nameless-steps.json', '--backend', 'wasm', '--json'];
    expect(await runCli(args, io), io.stderr).toBe(0);
    expect(io.stderr).toContain('--world differs from the world the model was trained on');
    const summary = JSON.parse(io.stdout) as { command: string };
    expect(summary.command).toContain('--world worlds/nameless-steps.json');
    const world = JSON.parse(await readFile(join(out, 'world.json'), 'utf8')) as { templates: string };
    expect(world.templates).toBe('nameless-steps');
    const meta = JSON.parse(await readFile(join(out, 'psr_model.json'), 'utf8')) as { world: string; generation: number };
    expect(meta).toMatchObject({ world: 'world.json', generation: 1, judge_working: 'check' });
  }, 60_000);

  it("--judge-working separate is recorded in the model folder, which every later command reads, and in the command", async () => {
    const base = await microModelDir();
    dirs.push(base);
    const out = join(base, 'm1-separate');
    const io = captureIo();
    const args = ['cold-start', '--base', base, '--out', out, '--ift', '8', '--eft', '8', '--score', '0', '--judge-working', 'separate', '--backend', 'wasm', '--json'];
    expect(await runCli(args, io), io.stderr).toBe(0);
    expect((JSON.parse(io.stdout) as { command: string }).command).toContain('--judge-working separate');
    const meta = JSON.parse(await readFile(join(out, 'psr_model.json'), 'utf8')) as { judge_working: string };
    expect(meta.judge_working).toBe('separate');
    const bad = captureIo();
    expect(await runCli(['cold-start', '--base', base, '--out', join(base, 'x'), '--judge-working', 'both'], bad)).not.toBe(0);
    expect(bad.stderr).toContain('--judge-working must be one of none, check, separate');
  }, 60_000);
});
