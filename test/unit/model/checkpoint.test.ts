// Checkpoint directories over FileSource/FileSink: in-memory and on-disk round trips (config.json,
// model.safetensors, tokenizer.json, PEFT adapters), sharded weights via model.safetensors.index.json,
// and the named errors for missing files, bad JSON and unsafe shard names.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointFileError, ConfigError, MissingTensorError } from '../../../src/lib/errors.ts';
import { loadAdapter, loadCheckpoint, saveAdapter, saveCheckpoint } from '../../../src/lib/model/checkpoint.ts';
import { defineLoraConfig } from '../../../src/lib/model/lora-config.ts';
import { initLora } from '../../../src/lib/model/lora.ts';
import { MemoryFiles } from '../../../src/lib/formats/memory-files.ts';
import { NodeFiles } from '../../../src/lib/formats/node-files.ts';
import { writeSafetensors } from '../../../src/lib/formats/safetensors.ts';
import type { TensorToWrite } from '../../../src/lib/formats/safetensors.ts';
import { initWeights, tensorOf, tensorSpecs } from '../../../src/lib/model/weights.ts';
import { seededRng, tinyConfig } from './helpers.ts';

const config = tinyConfig({ modelType: 'qwen2', tieWordEmbeddings: true, bosTokenId: 1, eosTokenId: 2 });
const weights = initWeights(config, seededRng(1));
const tokenizerJson = { version: '1.0', model: { type: 'BPE', vocab: { a: 0 } } };
const json = (bytes: Uint8Array): unknown => JSON.parse(new TextDecoder().decode(bytes));

describe('in memory', () => {
  it('saves HF-style files and loads them back', async () => {
    const files = new MemoryFiles();
    await saveCheckpoint(files, { config, weights, tokenizerJson });
    expect([...files.files.keys()].sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer.json']);
    expect(json(files.files.get('config.json')!)).toMatchObject({ model_type: 'qwen2', architectures: ['Qwen2ForCausalLM'], torch_dtype: 'float32', tie_word_embeddings: true });
    const loaded = await loadCheckpoint(files);
    expect(loaded.config).toEqual(config);
    expect(loaded.weights).toEqual(weights);
    expect(loaded.tokenizerJson).toEqual(tokenizerJson);
  });

  it('records the saved dtype in torch_dtype and works without a tokenizer', async () => {
    const files = new MemoryFiles();
    await saveCheckpoint(files, { config, weights }, { dtype: 'BF16' });
    expect(json(files.files.get('config.json')!)).toMatchObject({ torch_dtype: 'bfloat16' });
    const loaded = await loadCheckpoint(files);
    expect(loaded.tokenizerJson).toBeNull();
    expect(loaded.config.torchDtype).toBe('bfloat16');
  });

  it('adapters round-trip in PEFT layout', async () => {
    const files = new MemoryFiles();
    const adapter = initLora(config, defineLoraConfig({ r: 2, alpha: 4, targetModules: ['q_proj', 'v_proj'] }), seededRng(2));
    await saveAdapter(files, config, adapter);
    expect([...files.files.keys()].sort()).toEqual(['adapter_config.json', 'adapter_model.safetensors']);
    expect(json(files.files.get('adapter_config.json')!)).toMatchObject({ peft_type: 'LORA', r: 2, target_modules: ['q_proj', 'v_proj'] });
    expect(await loadAdapter(files, config)).toEqual(adapter);
  });

  it('named errors: missing config, missing weights, bad JSON, bad config', async () => {
    const empty = new MemoryFiles();
    await expect(loadCheckpoint(empty)).rejects.toThrow(CheckpointFileError);
    const noWeights = new MemoryFiles();
    await noWeights.write('config.json', new TextEncoder().encode('{"model_type":"llama"}'));
    await expect(loadCheckpoint(noWeights)).rejects.toThrow(ConfigError);
    const good = new MemoryFiles();
    await saveCheckpoint(good, { config, weights });
    good.files.delete('model.safetensors');
    await expect(loadCheckpoint(good)).rejects.toThrow(/neither model\.safetensors nor model\.safetensors\.index\.json/);
    await good.write('config.json', new TextEncoder().encode('{oops'));
    await expect(loadCheckpoint(good)).rejects.toThrow(/config\.json is not valid UTF-8 JSON/);
  });
});

describe('sharded weights', () => {
  /** Split the checkpoint's tensors over two shards with an index, as transformers does for big models. */
  async function sharded(edit?: (map: Record<string, string>) => void): Promise<MemoryFiles> {
    const files = new MemoryFiles();
    await saveCheckpoint(files, { config, weights });
    files.files.delete('model.safetensors');
    const shards: Record<string, TensorToWrite>[] = [{}, {}];
    const map: Record<string, string> = {};
    for (const s of tensorSpecs(config)) {
      const k = s.layer === 1 ? 1 : 0;
      shards[k][s.name] = { dtype: 'F32', shape: s.shape, data: tensorOf(weights, s)! };
      map[s.name] = `model-0000${k + 1}-of-00002.safetensors`;
    }
    await files.write('model-00001-of-00002.safetensors', writeSafetensors(shards[0], { format: 'pt' }));
    await files.write('model-00002-of-00002.safetensors', writeSafetensors(shards[1], { format: 'pt' }));
    edit?.(map);
    await files.write('model.safetensors.index.json', new TextEncoder().encode(JSON.stringify({ metadata: { total_size: 0 }, weight_map: map })));
    return files;
  }

  it('loads tensors spread over shards', async () => {
    expect((await loadCheckpoint(await sharded())).weights).toEqual(weights);
  });

  it('an index that points at the wrong shard is a MissingTensorError naming it', async () => {
    const files = await sharded((m) => (m['model.norm.weight'] = 'model-00002-of-00002.safetensors'));
    await expect(loadCheckpoint(files)).rejects.toThrow(MissingTensorError);
    await expect(loadCheckpoint(files)).rejects.toThrow(/model\.norm\.weight \(in model-00002-of-00002\.safetensors\)/);
  });

  it('a shard name that escapes the directory is refused', async () => {
    const files = await sharded((m) => (m['model.norm.weight'] = '../../etc/passwd'));
    await expect(loadCheckpoint(files)).rejects.toThrow(CheckpointFileError);
    await expect(loadCheckpoint(files)).rejects.toThrow(/must not contain "\/"/);
  });
});

describe('on disk (NodeFiles)', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'psr-ckpt-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips a checkpoint and an adapter through real files', async () => {
    const ckpt = new NodeFiles(join(dir, 'model'));
    await saveCheckpoint(ckpt, { config, weights, tokenizerJson });
    const cfg = JSON.parse(await readFile(join(dir, 'model', 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(cfg.model_type).toBe('qwen2');
    const loaded = await loadCheckpoint(new NodeFiles(join(dir, 'model')));
    expect(loaded.weights).toEqual(weights);
    const ad = new NodeFiles(join(dir, 'adapter'));
    const adapter = initLora(config, defineLoraConfig({ r: 1, alpha: 1, targetModules: ['up_proj'] }), seededRng(3));
    await saveAdapter(ad, config, adapter, { dtype: 'F32' });
    expect(await loadAdapter(ad, config)).toEqual(adapter);
  });

  it('missing directory and unsafe names are CheckpointFileErrors', async () => {
    const nowhere = new NodeFiles(join(dir, 'does-not-exist'));
    await expect(loadCheckpoint(nowhere)).rejects.toThrow(/does not exist/);
    await expect(nowhere.read('../config.json')).rejects.toThrow(CheckpointFileError);
    expect(await nowhere.exists('config.json')).toBe(false);
  });
});
