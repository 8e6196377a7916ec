// Loading a model directory: f32 and int8 bases, our tokenizer with its digit order, an adapter;
// a tokenizer from another model and an adapter for another base are refused with named errors.
import { describe, expect, it } from 'vitest';
import { MemoryFiles } from '../../../src/lib/formats/memory-files.ts';
import { saveAdapter, saveCheckpoint } from '../../../src/lib/model/checkpoint.ts';
import { loadModel } from '../../../src/lib/model/load-model.ts';
import { defineConfig } from '../../../src/lib/model/config.ts';
import { initWeights } from '../../../src/lib/model/weights.ts';
import { initLora } from '../../../src/lib/model/lora.ts';
import { defineLoraConfig } from '../../../src/lib/model/lora-config.ts';
import { quantizeWeights, saveQuantizedCheckpoint } from '../../../src/lib/model/quant-checkpoint.ts';
import { toTokenizerConfig, toTokenizerJson } from '../../../src/lib/tokenizer/index.ts';
import { createTokenizer } from '../../../src/lib/math/vocab.ts';
import { defaultWorldConfig } from '../../../src/lib/math/config.ts';
import { seededRng } from './helpers.ts';

const tok = createTokenizer(defaultWorldConfig());
const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

function config(vocabSize = tok.size) {
  return defineConfig({
    modelType: 'llama', hiddenSize: 16, intermediateSize: 24, numLayers: 2, numHeads: 2, vocabSize,
    tieWordEmbeddings: true, bosTokenId: tok.bosId, padTokenId: tok.padId, eosTokenId: tok.eosId,
  });
}

async function modelDir(c = config(), quant = false): Promise<MemoryFiles> {
  const files = new MemoryFiles();
  const weights = initWeights(c, seededRng(1));
  if (quant) await saveQuantizedCheckpoint(files, c, quantizeWeights(c, weights, 'int8'));
  else await saveCheckpoint(files, { config: c, weights });
  await files.write('tokenizer.json', enc(toTokenizerJson(tok)));
  await files.write('tokenizer_config.json', enc(toTokenizerConfig(tok)));
  return files;
}

describe('loadModel', () => {
  it('loads an f32 and an int8 base with our tokenizer, and an adapter', async () => {
    const c = config();
    const adapterFiles = new MemoryFiles();
    await saveAdapter(adapterFiles, c, initLora(c, defineLoraConfig({ r: 2, alpha: 2, targetModules: ['q_proj', 'up_proj'] }), seededRng(2)));
    const f32 = await loadModel(await modelDir(c), adapterFiles);
    expect(f32.storage).toBe('f32');
    expect(f32.tok.digitOrder).toBe(tok.digitOrder);
    expect(f32.adapter?.config.targetModules).toEqual(['q_proj', 'up_proj']);
    const int8 = await loadModel(await modelDir(c, true));
    expect(int8.storage).toBe('int8');
    const maxDiff = Math.max(...Array.from(int8.weights.layers[0].qProj, (x, i) => Math.abs(x - f32.weights.layers[0].qProj[i])));
    expect(maxDiff).toBeGreaterThan(0);
    expect(maxDiff).toBeLessThan(1e-3);
  });

  it('refuses a tokenizer whose size differs from vocab_size', async () => {
    await expect(loadModel(await modelDir(config(tok.size + 3)))).rejects.toMatchObject({ name: 'TokenizerFormatError' });
  });

  it('refuses an adapter made for another base', async () => {
    const other = defineConfig({ modelType: 'llama', hiddenSize: 24, intermediateSize: 24, numLayers: 2, numHeads: 2, vocabSize: tok.size, tieWordEmbeddings: true });
    const adapterFiles = new MemoryFiles();
    await saveAdapter(adapterFiles, other, initLora(other, defineLoraConfig({ r: 2, alpha: 2, targetModules: ['q_proj'] }), seededRng(3)));
    await expect(loadModel(await modelDir(), adapterFiles)).rejects.toMatchObject({ name: 'TensorShapeError' });
  });
});
