// One full process-based self-rewarding iteration on WebGPU (Dawn): search, self-judging,
// step-DPO on LoRA in WGSL and evaluation, on a micro model.
import { expect, it } from 'vitest';
import { gpuContext } from './context.ts';
import { GpuBackend } from '../../src/lib/backend/gpu-backend.ts';
import { runIterations } from '../../src/lib/psr/loop.ts';
import { searchSettings } from '../../src/lib/psr/search-config.ts';
import { DEFAULT_SRLM_SETTINGS } from '../../src/lib/psr/srlm.ts';
import { DEFAULT_STEP_DPO } from '../../src/lib/train/step-dpo.ts';
import { microLoop } from '../util/micro-loop.ts';

it('runs one PSR iteration end to end on the GPU backend', async () => {
  const { ctx, adapter, pools } = microLoop(new GpuBackend(await gpuContext()));
  ctx.eval.test = ctx.eval.test.slice(0, 1);
  ctx.eval.eftTest = ctx.eval.eftTest.slice(0, 1);
  const { reports } = await runIterations(
    ctx,
    adapter,
    {
      method: 'psr',
      pools: [pools[0].slice(0, 1)],
      search: searchSettings({ w: 2, maxSteps: 1, temperature: 1 }),
      srlm: DEFAULT_SRLM_SETTINGS,
      dpo: { ...DEFAULT_STEP_DPO, epochs: 1 },
      seed: 2,
    },
    {},
    { evaluateStart: false },
  );
  expect(reports).toHaveLength(1);
  expect(reports[0].error).toBeNull();
  expect(reports[0].evaluation?.solve.problems).toBe(1);
  expect(reports[0].searchStats?.problems).toBe(1);
});
