// The SFT loop on WebGPU: a tiny model's loss falls over a few steps and follows the CPU
// backend's trajectory step for step.
import { expect, it } from 'vitest';
import { gpuContext } from './context.ts';
import { CpuBackend } from '../../src/lib/backend/cpu-backend.ts';
import { GpuBackend } from '../../src/lib/backend/gpu-backend.ts';
import type { Backend } from '../../src/lib/backend/backend.ts';
import { defineConfig } from '../../src/lib/model/config.ts';
import { initWeights } from '../../src/lib/model/weights.ts';
import { ModelParams } from '../../src/lib/model/params.ts';
import { trainSft } from '../../src/lib/train/trainer.ts';
import { memoriseExample } from '../util/memorise.ts';
import { seededRng } from '../unit/model/helpers.ts';
import { expectClose } from '../util/compare.ts';

it('a tiny model trains on WebGPU: the loss falls and matches the CPU run', async () => {
  const config = defineConfig({
    modelType: 'llama', hiddenSize: 24, intermediateSize: 48, numLayers: 2, numHeads: 4, numKvHeads: 2,
    vocabSize: 20, tieWordEmbeddings: true, maxPositionEmbeddings: 16,
  });
  const weights = initWeights(config, seededRng(1));
  const run = async (be: Backend) => {
    const params = ModelParams.create(be, config, weights, null, 'full');
    const ex = memoriseExample();
    return trainSft(params, () => ex, {
      steps: 12, batchRows: 3, seqLen: 6, logEvery: 1,
      lr: { maxLr: 3e-2, minLr: 3e-3, warmupSteps: 3 },
      adamw: { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.01, maxGradNorm: 1 },
    });
  };
  const cpu = await run(new CpuBackend());
  const gpu = await run(new GpuBackend(await gpuContext()));
  expect(gpu.at(-1)!.loss).toBeLessThan(0.8 * gpu[0].loss);
  expectClose(gpu.map((e) => e.loss), cpu.map((e) => e.loss), { atol: 1e-3, rtol: 1e-3, label: 'loss per step' });
});
