// Loading a PSR Lab model from any FileSource (disk in Node, fetch or IndexedDB in the browser):
// config.json, model.safetensors (f32 or int8/q4 quantized; quantized bases are dequantized for
// compute), tokenizer.json + tokenizer_config.json, psr_model.json (which M_t the folder holds and
// where its adapter is; model-meta.ts) and the PEFT adapter it names, or one given explicitly, and
// world.json (the math world it was trained on; the default world without one).
// Everything is cross-checked with named errors: vocabulary size vs tokenizer, special token ids,
// adapter target modules and shapes vs the base.
import type { ModelConfig } from './config.ts';
import type { ModelWeights } from './weights.ts';
import { checkAdapter, type LoraAdapter } from './lora.ts';
import { loadAdapter, loadCheckpoint } from './checkpoint.ts';
import type { FileSource } from '../formats/files.ts';
import { dequantizeWeights, loadQuantizedCheckpoint, readQuantizationBlock, type QuantizedModelWeights } from './quant-checkpoint.ts';
import { fromTokenizerJson } from '../tokenizer/tokenizer-json.ts';
import type { Tokenizer } from '../tokenizer/tokenizer.ts';
import { CheckpointFileError, TokenizerFormatError } from '../errors.ts';
import { defaultModelMeta, MODEL_META_FILE, parseModelMeta, type ModelMeta } from './model-meta.ts';
import { defaultWorldConfig, type WorldConfig } from '../math/config.ts';
import { parseWorldFile, WORLD_FILE } from '../math/world-file.ts';

export interface LoadedModel {
  config: ModelConfig;
  weights: ModelWeights;
  adapter: LoraAdapter | null;
  tok: Tokenizer;
  /** How the base weights are stored: 'f32', 'int8' or 'q4'. */
  storage: string;
  /** The quantized linears as stored (null for an f32 base); pass to ModelParams.create to keep them quantized. */
  quantized: QuantizedModelWeights | null;
  /** psr_model.json (or what the folder is taken to be without one). */
  meta: ModelMeta;
  /** The math world the model was trained on (world.json; the default world without one). */
  world: WorldConfig;
}

export interface LoadModelSources {
  /** The model folder. */
  model: FileSource;
  /** Opens a sub-folder of the model folder (for the adapter psr_model.json names); without it only `adapter` is used. */
  subfolder?: (path: string) => FileSource;
  /** An adapter folder given explicitly (the CLI's --adapter): used instead of psr_model.json's. */
  adapter?: FileSource;
}

async function json(src: FileSource, name: string): Promise<unknown> {
  const bytes = await src.read(name);
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new CheckpointFileError(`${name} is not valid JSON (${(e as Error).message}); re-export the model directory.`, { cause: e });
  }
}

/** psr_model.json when present (validated), else M1 with an adapter/ folder or M0 without one. */
async function readMeta(src: FileSource, subfolder?: (path: string) => FileSource): Promise<ModelMeta> {
  if (await src.exists(MODEL_META_FILE)) return parseModelMeta(await json(src, MODEL_META_FILE));
  return defaultModelMeta(subfolder !== undefined && (await subfolder('adapter/').exists('adapter_config.json')), await src.exists(WORLD_FILE));
}

export async function loadModel(sources: LoadModelSources | FileSource, explicitAdapter?: FileSource): Promise<LoadedModel> {
  const s: LoadModelSources = 'model' in sources ? sources : { model: sources, adapter: explicitAdapter };
  const src = s.model;
  const meta = await readMeta(src, s.subfolder);
  const quant = readQuantizationBlock(await json(src, 'config.json'));
  let config: ModelConfig;
  let weights: ModelWeights;
  let quantized: QuantizedModelWeights | null = null;
  if (quant) {
    const q = await loadQuantizedCheckpoint(src);
    config = q.config;
    quantized = q.weights;
    weights = dequantizeWeights(q.config, q.weights);
  } else {
    const c = await loadCheckpoint(src);
    config = c.config;
    weights = c.weights;
  }
  if (!(await src.exists('tokenizer.json'))) {
    throw new CheckpointFileError('the model directory has no tokenizer.json; a PSR Lab model needs config.json, model.safetensors and tokenizer.json.');
  }
  const tokConfig = (await src.exists('tokenizer_config.json')) ? await json(src, 'tokenizer_config.json') : undefined;
  const tok = fromTokenizerJson(await json(src, 'tokenizer.json'), tokConfig);
  if (tok.size !== config.vocabSize) {
    throw new TokenizerFormatError(
      `tokenizer.json has ${tok.size} tokens but config.json says vocab_size = ${config.vocabSize}; the tokenizer does not belong to this model — ` +
        'put the matching tokenizer.json in the model directory.',
    );
  }
  for (const [field, id, expected] of [['bos_token_id', config.bosTokenId, tok.bosId], ['pad_token_id', config.padTokenId, tok.padId]] as const) {
    if (id !== null && id !== expected) {
      throw new TokenizerFormatError(`config.json ${field} = ${id} but the tokenizer's is ${expected}; re-export the model with its own tokenizer.`);
    }
  }
  let adapter: LoraAdapter | null = null;
  let adapterSrc = s.adapter ?? null;
  if (!adapterSrc && meta.adapter && s.subfolder) {
    adapterSrc = s.subfolder(meta.adapter);
    if (!(await adapterSrc.exists('adapter_config.json'))) {
      throw new CheckpointFileError(`${MODEL_META_FILE} names the adapter folder ${meta.adapter}, which has no adapter_config.json; put the PEFT adapter there or set "adapter": null.`);
    }
  }
  if (adapterSrc) {
    adapter = await loadAdapter(adapterSrc, config);
    checkAdapter(config, adapter);
  }
  // The world file psr_model.json names (no request at all when it names none: a page loads no 404s).
  const world = meta.world ? parseWorldFile(await json(src, meta.world)) : defaultWorldConfig();
  if (world.digitOrder !== tok.digitOrder) {
    throw new TokenizerFormatError(`${WORLD_FILE} writes numbers ${world.digitOrder} first but the tokenizer reads them ${tok.digitOrder} first; the world file does not belong to this model.`);
  }
  return { config, weights, adapter, tok, storage: quant ?? 'f32', quantized, meta, world };
}
