// `psr logits --backend webgpu` in-process on Dawn: the same tiny checkpoint (with and without a
// random-B LoRA adapter) gives the CPU backend's tokens, log-probs and last logits within 1e-4.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.ts';
import type { LogitsResult } from '../../src/cli/commands/logits.ts';
import { captureIo, writeLogitsCheckpoint } from '../util/logits-checkpoint.ts';
import type { LogitsCheckpoint } from '../util/logits-checkpoint.ts';
import { expectClose } from '../util/compare.ts';

let ck: LogitsCheckpoint;
beforeAll(async () => {
  ck = await writeLogitsCheckpoint();
});
afterAll(() => rmSync(ck.root, { recursive: true, force: true }));

async function run(backend: string, ...extra: string[]): Promise<LogitsResult> {
  const io = captureIo();
  const code = await runCli(['logits', '--model', ck.modelDir, '--text', 'Tom has 12 apples. Tom has 3 .', '--backend', backend, '--json', ...extra], io);
  expect(io.stderr).toBe('');
  expect(code).toBe(0);
  return JSON.parse(io.stdout) as LogitsResult;
}

describe('psr logits: WebGPU vs CPU', () => {
  for (const [what, extra] of [['base model', []], ['with a LoRA adapter', ['--adapter']]] as const) {
    it(`${what}: same tokens, log-probs and last logits within 1e-4`, async () => {
      const args = extra.length ? [...extra, ck.adapterDir] : [];
      const cpu = await run('cpu', ...args);
      const gpu = await run('webgpu', ...args);
      expect(gpu.backend).toBe('webgpu');
      expect(gpu.ids).toEqual(cpu.ids);
      expect(gpu.tokens).toEqual(cpu.tokens);
      expect(gpu.logprobs[0]).toBeNull();
      expectClose(gpu.logprobs.slice(1) as number[], cpu.logprobs.slice(1) as number[], { atol: 1e-4, rtol: 0, label: 'logprobs' });
      expectClose(gpu.last_logits, cpu.last_logits, { atol: 1e-4, rtol: 0, label: 'last_logits' });
      expect(Math.abs(gpu.sum_logprob - cpu.sum_logprob)).toBeLessThan(1e-3);
    });
  }
});
