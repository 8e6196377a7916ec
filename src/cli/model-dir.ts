// Loading a PSR Lab model directory in Node: config.json, model.safetensors (f32, or int8/q4
// quantized — dequantized here for the CPU path), tokenizer.json + tokenizer_config.json (our
// own word-level tokenizer with its digit order), and optionally a PEFT adapter directory.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelConfig } from '../lib/model/config.ts';
import type { ModelWeights } from '../lib/model/weights.ts';
import type { LoraAdapter } from '../lib/model/lora.ts';
import { loadAdapter, loadCheckpoint } from '../lib/model/checkpoint.ts';
import { NodeFiles } from '../lib/model/node-files.ts';
import { dequantizeWeights, loadQuantizedCheckpoint, readQuantizationBlock } from '../lib/model/quant-checkpoint.ts';
import { fromTokenizerJson } from '../lib/tokenizer/tokenizer-json.ts';
import type { Tokenizer } from '../lib/tokenizer/tokenizer.ts';
import { CheckpointFileError } from '../lib/errors.ts';

export interface LoadedModel {
  config: ModelConfig;
  weights: ModelWeights;
  adapter: LoraAdapter | null;
  tok: Tokenizer;
  /** 'f32', 'int8' or 'q4': how the base weights are stored on disk. */
  storage: string;
}

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new CheckpointFileError(`cannot read ${path} (${(e as Error).message}); point at a PSR Lab model directory.`, { cause: e });
  }
}

export async function loadModelDir(dir: string, adapterDir?: string): Promise<LoadedModel> {
  const files = new NodeFiles(dir);
  const configJson = await readJson(join(dir, 'config.json'));
  const quant = readQuantizationBlock(configJson);
  let config: ModelConfig;
  let weights: ModelWeights;
  let tokenizerJson: unknown;
  if (quant) {
    const q = await loadQuantizedCheckpoint(files);
    config = q.config;
    weights = dequantizeWeights(q.config, q.weights);
    tokenizerJson = (await files.exists('tokenizer.json')) ? await readJson(join(dir, 'tokenizer.json')) : null;
  } else {
    const c = await loadCheckpoint(files);
    config = c.config;
    weights = c.weights;
    tokenizerJson = c.tokenizerJson;
  }
  if (tokenizerJson === null || tokenizerJson === undefined) {
    throw new CheckpointFileError(`${dir} has no tokenizer.json; a model directory needs config.json, model.safetensors and tokenizer.json.`);
  }
  const tokConfig = (await files.exists('tokenizer_config.json')) ? await readJson(join(dir, 'tokenizer_config.json')) : undefined;
  const tok = fromTokenizerJson(tokenizerJson, tokConfig);
  const adapter = adapterDir ? await loadAdapter(new NodeFiles(adapterDir), config) : null;
  return { config, weights, adapter, tok, storage: quant ?? 'f32' };
}
