// A small Qwen2-style model with its linears quantized (int8 or q4), its dequantized copy, a
// LoRA adapter and an SFT batch: shared by the CPU and GPU quantized-model tests.
import { defineConfig } from '../../src/lib/model/config.ts';
import { initWeights } from '../../src/lib/model/weights.ts';
import { initLora } from '../../src/lib/model/lora.ts';
import { defineLoraConfig, LORA_TARGETS } from '../../src/lib/model/lora-config.ts';
import { fillNormal } from '../../src/lib/model/random-init.ts';
import { dequantizeWeights, quantizeWeights } from '../../src/lib/model/quant-checkpoint.ts';
import { nextTokenTargets, packBatch } from '../../src/lib/model/batch.ts';
import { seededRng } from '../unit/model/helpers.ts';

export const config = defineConfig({
  modelType: 'qwen2', hiddenSize: 40, intermediateSize: 72, numLayers: 2, numHeads: 4, numKvHeads: 2,
  vocabSize: 23, tieWordEmbeddings: false, maxPositionEmbeddings: 64,
});

export function quantizedSetup(format: 'int8' | 'q4') {
  const rng = seededRng(9);
  const weights = initWeights(config, rng);
  for (const l of weights.layers) for (const k of ['qProj', 'kProj', 'vProj', 'oProj', 'gateProj', 'upProj', 'downProj'] as const) fillNormal(l[k], 0.2, rng);
  fillNormal(weights.embedTokens, 0.5, rng);
  const q = quantizeWeights(config, weights, format);
  const deq = dequantizeWeights(config, q);
  const adapter = initLora(config, defineLoraConfig({ r: 4, alpha: 8, targetModules: [...LORA_TARGETS] }), rng);
  for (const l of adapter.layers) for (const p of Object.values(l)) fillNormal(p!.b, 0.1, rng);
  const batch = packBatch([[1, 4, 9, 16, 2, 5, 7], [3, 3, 8, 1]], 0, 7);
  const { targets, weights: w } = nextTokenTargets(batch, (_b, t) => (t > 1 ? 1 : 0));
  return { q, deq, adapter, ex: { batch, targets, weights: w } };
}

