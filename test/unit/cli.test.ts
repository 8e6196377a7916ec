// The CLI dispatcher: usage on no/unknown command and bad flags (exit 2), help (exit 0),
// named errors become exit 1 with the error's name on stderr.
import { describe, expect, it } from 'vitest';
import { runCli, usage } from '../../src/cli/cli.ts';
import { captureIo } from '../util/cli-io.ts';

describe('psr CLI dispatcher', () => {
  it('lists every command in the usage text', () => {
    const text = usage();
    expect(text).toContain('usage: npm run psr -- <command>');
    expect(text).toMatch(/gpu-info\s+Show the WebGPU adapter/);
    expect(text).toMatch(/self-test\s+/);
  });

  it('prints usage and exits 2 without a command', async () => {
    const io = captureIo();
    expect(await runCli([], io)).toBe(2);
    expect(io.stderr).toContain('commands:');
    expect(io.stdout).toBe('');
  });

  it('rejects an unknown command with exit 2 and usage', async () => {
    const io = captureIo();
    expect(await runCli(['frobnicate'], io)).toBe(2);
    expect(io.stderr).toContain('unknown command "frobnicate"');
    expect(io.stderr).toContain('commands:');
  });

  it('rejects an unknown flag with exit 2 and the command usage', async () => {
    const io = captureIo();
    expect(await runCli(['gpu-info', '--bogus'], io)).toBe(2);
    expect(io.stderr).toContain("Unknown option '--bogus'");
    expect(io.stderr).toContain('usage: npm run psr -- gpu-info [--json]');
  });

  it('turns a UsageError from a command into exit 2', async () => {
    const io = captureIo();
    expect(await runCli(['self-test', '--n', 'many'], io)).toBe(2);
    expect(io.stderr).toContain('UsageError: --n must be an integer');
  });

  it('prints help for one command with exit 0', async () => {
    const io = captureIo();
    expect(await runCli(['gpu-info', '--help'], io)).toBe(0);
    expect(io.stdout).toContain('gpu-info [--json]');
  });
});
