// train-base from the command line on a micro shape: the model folder with world.json, snapshots
// for the learning curve (--snapshots), and learning-curve reading them back in token order.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/cli.ts';
import { captureIo } from '../util/cli-io.ts';

let root = '';
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('train-base --snapshots and learning-curve', () => {
  it('writes the model, world.json and one snapshot per checkpoint; the curve has a point per snapshot and the final model', async () => {
    root = await mkdtemp(join(tmpdir(), 'psr-train-'));
    const out = join(root, 'm0');
    const io = captureIo();
    const code = await runCli(
      ['train-base', '--out', out, '--tokens', '40960', '--hidden', '16', '--intermediate', '32', '--layers', '1', '--heads', '2', '--kv-heads', '1',
        '--backend', 'wasm', '--checkpoint-every', '16384', '--snapshots', '--json'],
      io,
    );
    expect(code, io.stderr).toBe(0);
    expect(JSON.parse(io.stdout)).toMatchObject({ steps: 20, totalSteps: 20, backend: 'wasm', resumed: false });
    for (const f of ['config.json', 'model.safetensors', 'tokenizer.json', 'world.json', 'train-log.jsonl']) expect(existsSync(join(out, f)), f).toBe(true);
    // Finished: the resumable state is gone, the snapshots stay.
    expect(existsSync(join(out, 'train-state.json'))).toBe(false);
    expect((await readdir(join(out, 'snapshots'))).sort()).toEqual(['tokens-16384', 'tokens-32768']);

    const curve = captureIo();
    expect(await runCli(['learning-curve', '--run', out, '--eval-problems', '6', '--dataset-seed', '2', '--backend', 'wasm', '--json'], curve)).toBe(0);
    const points = JSON.parse(curve.stdout).points as { tokens: number | null; problems: number; accuracy: number }[];
    expect(points.map((p) => p.tokens)).toEqual([16384, 32768, null]);
    expect(points.every((p) => p.problems === 6 && p.accuracy >= 0 && p.accuracy <= 1)).toBe(true);
  }, 120_000);
});

describe('train-base stopped by a real signal', () => {
  it('SIGINT in the middle of a run: the handler runs between steps, a checkpoint is written, exit code 130, and --resume finishes it with the same options', async () => {
    const { spawn } = await import('node:child_process');
    const dir = await mkdtemp(join(tmpdir(), 'psr-signal-'));
    const out = join(dir, 'm0');
    try {
      // As `npm run psr` starts it: one node process with tsx as a loader (no wrapper process that
      // would relay the signal and kill a child too busy to answer within 30 ms).
      const args = ['--import', 'tsx', '--import', './src/cli/register.ts', 'src/cli/main.ts', 'train-base', '--out', out, '--tokens', '409600', '--hidden', '16',
        '--intermediate', '32', '--layers', '1', '--heads', '2', '--kv-heads', '1', '--backend', 'wasm', '--checkpoint-every', '81920', '--snapshots'];
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no training step logged in 60 s: ${stderr}`)), 60_000);
        child.stderr.on('data', (d: Buffer) => {
          stderr += d.toString();
          if (/^step \d+/m.test(stderr)) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      child.kill('SIGINT');
      // 130 comes only from the stopped path (a process killed by the signal has no exit code); its
      // message may be cut off, as the CLI exits while a pipe write is pending.
      expect(await exited, stderr).toBe(130);
      expect(existsSync(join(out, 'train-state.json'))).toBe(true);
      const io = captureIo();
      expect(await runCli(['train-base', '--resume', out, '--json'], io), io.stderr).toBe(0);
      expect(JSON.parse(io.stdout)).toMatchObject({ resumed: true, totalSteps: 200 });
      // The resumed run kept its own checkpoint interval and snapshots: every 40 steps of 2,048 tokens after the stop.
      const tokens = (await readdir(join(out, 'snapshots'))).map((n) => Number(n.replace('tokens-', ''))).sort((a, b) => a - b);
      const gaps = tokens.slice(1).map((t, i) => t - tokens[i]);
      expect(tokens.length, tokens.join(' ')).toBeGreaterThanOrEqual(4);
      expect(gaps.every((g) => g === 81920), gaps.join(' ')).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
