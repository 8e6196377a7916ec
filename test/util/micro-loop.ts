// A micro model and data for end-to-end tests of the self-rewarding loop on any backend.
import type { Backend } from '../../src/lib/backend/backend.ts';
import { defineConfig } from '../../src/lib/model/config.ts';
import { initWeights } from '../../src/lib/model/weights.ts';
import { initLora } from '../../src/lib/model/lora.ts';
import { defineLoraConfig, LORA_TARGETS } from '../../src/lib/model/lora-config.ts';
import { fillNormal } from '../../src/lib/model/random-init.ts';
import { createTokenizer } from '../../src/lib/math/vocab.ts';
import { defaultWorldConfig } from '../../src/lib/math/config.ts';
import { buildDatasets, DEFAULT_DATASET_OPTIONS } from '../../src/lib/math/datasets.ts';
import { createRng } from '../../src/lib/math/rng.ts';
import type { LoopContext } from '../../src/lib/psr/loop.ts';

export function microLoop(backend: Backend) {
  const world = defaultWorldConfig();
  const tok = createTokenizer(world);
  const config = defineConfig({
    modelType: 'llama', hiddenSize: 16, intermediateSize: 32, numLayers: 1, numHeads: 2, numKvHeads: 1,
    vocabSize: tok.size, tieWordEmbeddings: true, maxPositionEmbeddings: 512,
    bosTokenId: tok.bosId, eosTokenId: tok.eosId, padTokenId: tok.padId,
  });
  const rng = createRng(7);
  const base = initWeights(config, rng);
  fillNormal(base.embedTokens, 1, rng);
  const adapter = initLora(config, defineLoraConfig({ r: 2, alpha: 2, targetModules: [...LORA_TARGETS] }), rng);
  for (const l of adapter.layers) for (const p of Object.values(l)) fillNormal(p!.b, 0.2, rng);
  const data = buildDatasets(world, {
    seed: 3, ...DEFAULT_DATASET_OPTIONS, iftCount: 0, eftCount: 0, testCount: 6, eftTestCount: 2, poolSizes: [2], difficulties: [1],
  });
  const ctx: LoopContext = { backend, config, base, tok, eval: { test: data.test.slice(0, 2), eftTest: data.eftTest, maxSolutionTokens: 24 } };
  return { ctx, adapter, pools: data.pools };
}
