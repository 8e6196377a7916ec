// `psr memory`: the plan of the tiny model as JSON (categories summing to the total), the refusal of a
// config whose attention scores exceed the guaranteed 128 MiB binding (exit 1, MemoryBudgetError naming
// the buffer and what to reduce), and bad flags (exit 2).
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.ts';
import { captureIo } from '../util/cli-io.ts';

describe('psr memory', () => {
  it('prints the tiny model plan as JSON with categories that add up to the total', async () => {
    const io = captureIo();
    const code = await runCli(['memory', '--batch-rows', '8', '--seq-len', '256', '--kv-rows', '6', '--kv-slots', '512', '--train', 'lora', '--quant', 'q4', '--json'], io);
    expect(code).toBe(0);
    const out = JSON.parse(io.stdout);
    const { weights, lora, gradients, optimizer, activations, kv_cache, total } = out.bytes;
    expect(weights + lora + gradients + optimizer + activations + kv_cache).toBe(total);
    expect(gradients).toBe(lora); // LoRA training: one gradient per adapter value
    expect(optimizer).toBe(2 * lora);
    expect(out.largest_buffers[0].bytes).toBeGreaterThanOrEqual(out.largest_buffers[1].bytes);
  });

  it('refuses attention scores over the guaranteed binding size, naming them and the remedy', async () => {
    const io = captureIo();
    const code = await runCli(['memory', '--batch-rows', '64', '--seq-len', '512', '--kv-rows', '0', '--train', 'none', '--quant', 'f32'], io);
    expect(code).toBe(1);
    expect(io.stderr).toMatch(/^MemoryBudgetError: ws:l\d\.att \(activations\) needs 256\.0 MiB.*fewer batch rows or a shorter sequence/);
  });

  it('exits 2 on a bad training mode', async () => {
    const io = captureIo();
    expect(await runCli(['memory', '--train', 'sometimes'], io)).toBe(2);
    expect(io.stderr).toContain('--train must be one of none, lora, full');
  });
});
