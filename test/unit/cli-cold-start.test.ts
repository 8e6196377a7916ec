// `psr cold-start` on the micro model with a world file: the M1 folder records that world
// (world.json, here the nameless-steps templates) and the command that made it names the file; the
// on-policy judge data are kept in the run folder and read back by the next start of the same run.
import { afterAll, describe, expect, it } from 'vitest';
import { readFile, rm, writeFile } from 'node:fs/promises';
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

  it("--judge-working separate is recorded in the model folder, which every later command reads, and in the command (with --data-round and --train-difficulties)", async () => {
    const base = await microModelDir();
    dirs.push(base);
    const out = join(base, 'm1-separate');
    const io = captureIo();
    const args = ['cold-start', '--base', base, '--out', out, '--ift', '8', '--eft', '8', '--score', '0', '--judge-working', 'separate', '--data-round', '2', '--train-difficulties', '2,3,3', '--backend', 'wasm', '--json'];
    expect(await runCli(args, io), io.stderr).toBe(0);
    expect((JSON.parse(io.stdout) as { command: string }).command).toContain('--judge-working separate --data-round 2 --train-difficulties 2,3,3');
    const meta = JSON.parse(await readFile(join(out, 'psr_model.json'), 'utf8')) as { judge_working: string };
    expect(meta.judge_working).toBe('separate');
    const bad = captureIo();
    expect(await runCli(['cold-start', '--base', base, '--out', join(base, 'x'), '--judge-working', 'both'], bad)).not.toBe(0);
    expect(bad.stderr).toContain('--judge-working must be one of none, check, separate');
    const badRound = captureIo();
    expect(await runCli(['cold-start', '--base', base, '--out', join(base, 'y'), '--data-round', '-1'], badRound)).not.toBe(0);
    expect(badRound.stderr).toContain('--data-round');
  }, 60_000);

  it('keeps its on-policy judge data in the run folder and reads them back on the next start of the same run', async () => {
    const base = await microModelDir();
    dirs.push(base);
    const out = join(base, 'm1-onpolicy');
    const args = ['cold-start', '--base', base, '--out', out, '--ift', '8', '--eft', '8', '--score', '0', '--eft-source', 'mix', '--onpolicy-from', base, '--onpolicy', '3', '--backend', 'wasm', '--json'];
    const first = captureIo();
    expect(await runCli(args, first), first.stderr).toBe(0);
    const kept = JSON.parse(await readFile(join(out, 'onpolicy-eft.json'), 'utf8')) as { from: string; problems: number; stats: { problems: number }; examples: unknown[] };
    expect(kept).toMatchObject({ from: base, problems: 3, stats: { problems: 3 } });
    expect(first.stderr).toContain(`on-policy judge data from ${base}`);
    const weights = await readFile(join(out, 'model.safetensors'));
    const again = captureIo();
    expect(await runCli(args, again), again.stderr).toBe(0);
    expect(again.stderr).toContain(`on-policy judge data read back from ${join(out, 'onpolicy-eft.json')}: ${kept.examples.length} examples`);
    expect((await readFile(join(out, 'model.safetensors'))).equals(weights)).toBe(true);
    // Walks kept after the first problem only (as a stop during the sampling leaves them): the next start samples the rest.
    const first1 = kept.examples.filter((e) => (e as { problemId: string }).problemId === (kept.examples[0] as { problemId: string } | undefined)?.problemId);
    const partial = { ...kept, done: 1, examples: first1, stats: { ...kept.stats } };
    await writeFile(join(out, 'onpolicy-eft.json'), JSON.stringify(partial) + '\n');
    const rest = captureIo();
    expect(await runCli(args, rest), rest.stderr).toBe(0);
    expect(rest.stderr).toContain(`on-policy judge data: continuing after 1 of 3 problems kept in ${join(out, 'onpolicy-eft.json')}`);
    expect((JSON.parse(await readFile(join(out, 'onpolicy-eft.json'), 'utf8')) as { done: number }).done).toBe(3);
    // A damaged file is named, with what to do.
    await writeFile(join(out, 'onpolicy-eft.json'), '{"from": ');
    const damaged = captureIo();
    expect(await runCli(args, damaged)).not.toBe(0);
    expect(damaged.stderr).toMatch(/TrainStateError.*onpolicy-eft\.json is damaged .*delete it and the run samples its on-policy judge data again/s);
  }, 60_000);
});
