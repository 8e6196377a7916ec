// The SFT loop on the CPU backend: a tiny model memorises a fixed batch (full and LoRA training),
// logs what it promises, and a NaN learning rate stops with NonFiniteError leaving weights intact.
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../../src/lib/backend/cpu-backend.ts';
import { defineConfig } from '../../../src/lib/model/config.ts';
import { initWeights } from '../../../src/lib/model/weights.ts';
import { initLora } from '../../../src/lib/model/lora.ts';
import { defineLoraConfig } from '../../../src/lib/model/lora-config.ts';
import { ModelParams } from '../../../src/lib/model/params.ts';
import { trainSft, type SftTrainConfig } from '../../../src/lib/train/trainer.ts';
import { memoriseExample } from '../../util/memorise.ts';
import { fillNormal } from '../../../src/lib/model/random-init.ts';
import { seededRng } from '../model/helpers.ts';

const config = defineConfig({
  modelType: 'llama', hiddenSize: 24, intermediateSize: 48, numLayers: 2, numHeads: 4, numKvHeads: 2,
  vocabSize: 20, tieWordEmbeddings: true, maxPositionEmbeddings: 16,
});

const cfg = (steps: number, maxLr: number): SftTrainConfig => ({
  steps, batchRows: 3, seqLen: 6, logEvery: 5,
  lr: { maxLr, minLr: maxLr / 10, warmupSteps: 3 },
  adamw: { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.01, maxGradNorm: 1 },
});

describe('trainSft (CPU)', () => {
  it('full training memorises a batch: the loss falls by more than half', async () => {
    const params = ModelParams.create(new CpuBackend(), config, initWeights(config, seededRng(1)), null, 'full');
    const ex = memoriseExample();
    const log = await trainSft(params, () => ex, cfg(40, 3e-2));
    expect(log.map((e) => e.step)).toEqual([5, 10, 15, 20, 25, 30, 35, 40]);
    expect(log.at(-1)!.loss).toBeLessThan(0.5 * log[0].loss);
    expect(log.every((e) => e.tokensPerSec > 0 && e.gradNorm > 0 && Number.isFinite(e.lr))).toBe(true);
  });

  it('LoRA training lowers the loss and leaves the base weights untouched', async () => {
    const rng = seededRng(2);
    const weights = initWeights(config, rng);
    // A frozen output head (tied embeddings) at HF's 0.02 init caps every logit near 0: give the
    // frozen base trained-size embeddings so LoRA has something to steer.
    fillNormal(weights.embedTokens, 1, rng);
    const adapter = initLora(config, defineLoraConfig({ r: 4, alpha: 8, targetModules: ['q_proj', 'v_proj', 'gate_proj', 'up_proj', 'down_proj'] }), rng);
    const params = ModelParams.create(new CpuBackend(), config, weights, adapter, 'lora');
    const log = await trainSft(params, () => memoriseExample(), cfg(40, 3e-2));
    expect(log.at(-1)!.loss).toBeLessThan(0.6 * log[0].loss);
    const after = await params.readWeights();
    expect(Array.from(after.layers[0].qProj)).toEqual(Array.from(weights.layers[0].qProj));
    const trained = await params.readAdapter();
    expect(trained.layers[0].q_proj!.b.some((x) => x !== 0)).toBe(true);
  });

  it('stops with NonFiniteError on a NaN learning rate and keeps the last good weights', async () => {
    const weights = initWeights(config, seededRng(3));
    const params = ModelParams.create(new CpuBackend(), config, weights, null, 'full');
    const ex = memoriseExample();
    // A poisoned batch: an infinite loss weight makes the gradient non-finite.
    const bad = { ...ex, weights: ex.weights.map((w, i) => (i === 0 ? Infinity : w)) };
    await expect(trainSft(params, (s) => (s === 0 ? bad : ex), cfg(3, 1e-2))).rejects.toMatchObject({ name: 'NonFiniteError' });
    const after = await params.readWeights();
    expect(Array.from(after.embedTokens)).toEqual(Array.from(weights.embedTokens));
  });
});
