// Checkpoint directories, HF/PEFT layout, over an abstract file source so the same code runs in Node
// (node-files.ts), the browser (fetch / IndexedDB) and tests (memory-files.ts):
//   config.json + model.safetensors (or model.safetensors.index.json + shards) + tokenizer.json
//   adapter_config.json + adapter_model.safetensors
import { CheckpointFileError, MissingTensorError } from '../errors.ts';
import { checkFileName, type FileSink, type FileSource } from '../formats/files.ts';
import { configToHf, parseConfig } from './config.ts';
import type { ModelConfig } from './config.ts';
import { loadLoraTensors, saveLoraTensors } from './lora.ts';
import type { LoraAdapter } from './lora.ts';
import { loraConfigToPeft, parseLoraConfig } from './lora-config.ts';
import { parseSafetensors } from '../formats/safetensors.ts';
import type { SafetensorsFile, TensorInfo, TensorReader } from '../formats/safetensors.ts';
import { listSome, loadWeights, saveWeights } from './weights.ts';
import type { ModelWeights } from './weights.ts';

export const CHECKPOINT_FILES = {
  config: 'config.json',
  weights: 'model.safetensors',
  weightsIndex: 'model.safetensors.index.json',
  tokenizer: 'tokenizer.json',
  adapterConfig: 'adapter_config.json',
  adapterWeights: 'adapter_model.safetensors',
} as const;

/** PEFT's name of an adapter file whose name carries a prefix, as the page's exports do ("M3-adapter_config.json"); other names unchanged. */
export function peftFileName(name: string): string {
  for (const f of [CHECKPOINT_FILES.adapterConfig, CHECKPOINT_FILES.adapterWeights]) if (name.endsWith(f)) return f;
  return name;
}

async function readJson(src: FileSource, name: string): Promise<unknown> {
  const bytes = await src.read(name);
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw new CheckpointFileError(
      `${name} is not valid UTF-8 JSON (${err instanceof Error ? err.message : String(err)}); fix or re-export the file.`,
      { cause: err },
    );
  }
}

const encodeJson = (v: unknown): Uint8Array => new TextEncoder().encode(`${JSON.stringify(v, null, 2)}\n`);

export interface Checkpoint {
  config: ModelConfig;
  weights: ModelWeights;
  /** tokenizer.json as parsed JSON (the tokenizer module interprets it), or null when absent. */
  tokenizerJson: unknown | null;
}

/** Load config.json, the weights (single file or sharded) and tokenizer.json if present. */
export async function loadCheckpoint(src: FileSource): Promise<Checkpoint> {
  const config = parseConfig(await readJson(src, CHECKPOINT_FILES.config));
  let reader: TensorReader;
  if (await src.exists(CHECKPOINT_FILES.weights)) {
    reader = parseSafetensors(await src.read(CHECKPOINT_FILES.weights));
  } else if (await src.exists(CHECKPOINT_FILES.weightsIndex)) {
    reader = await readShards(src);
  } else {
    throw new CheckpointFileError(
      `checkpoint has neither ${CHECKPOINT_FILES.weights} nor ${CHECKPOINT_FILES.weightsIndex}; ` +
        'point at a directory holding HF safetensors weights (PyTorch .bin files must be converted first).',
    );
  }
  const weights = loadWeights(config, reader);
  const tokenizerJson = (await src.exists(CHECKPOINT_FILES.tokenizer)) ? await readJson(src, CHECKPOINT_FILES.tokenizer) : null;
  return { config, weights, tokenizerJson };
}

/** Write config.json, model.safetensors (dtype default F32) and tokenizer.json when given. */
export async function saveCheckpoint(
  sink: FileSink,
  checkpoint: { config: ModelConfig; weights: ModelWeights; tokenizerJson?: unknown | null },
  options: { dtype?: 'F32' | 'F16' | 'BF16' } = {},
): Promise<void> {
  const dtype = options.dtype ?? 'F32';
  const torchDtype = dtype === 'F32' ? 'float32' : dtype === 'F16' ? 'float16' : 'bfloat16';
  const bytes = saveWeights(checkpoint.config, checkpoint.weights, dtype);
  await sink.write(CHECKPOINT_FILES.config, encodeJson(configToHf({ ...checkpoint.config, torchDtype })));
  await sink.write(CHECKPOINT_FILES.weights, bytes);
  if (checkpoint.tokenizerJson !== undefined && checkpoint.tokenizerJson !== null) {
    await sink.write(CHECKPOINT_FILES.tokenizer, encodeJson(checkpoint.tokenizerJson));
  }
}

/** Load a PEFT LoRA adapter for `base`. */
export async function loadAdapter(src: FileSource, base: ModelConfig): Promise<LoraAdapter> {
  const lora = parseLoraConfig(await readJson(src, CHECKPOINT_FILES.adapterConfig));
  const file = parseSafetensors(await src.read(CHECKPOINT_FILES.adapterWeights));
  return loadLoraTensors(base, lora, file);
}

/** Write adapter_config.json + adapter_model.safetensors in PEFT's layout. */
export async function saveAdapter(
  sink: FileSink,
  base: ModelConfig,
  adapter: LoraAdapter,
  options: { dtype?: 'F32' | 'F16' | 'BF16' } = {},
): Promise<void> {
  const bytes = saveLoraTensors(base, adapter, options.dtype ?? 'F32');
  await sink.write(CHECKPOINT_FILES.adapterConfig, encodeJson(loraConfigToPeft(adapter.config)));
  await sink.write(CHECKPOINT_FILES.adapterWeights, bytes);
}

// ---- sharded weights -----------------------------------------------------------------------

/** Several safetensors shards seen as one TensorReader. */
class ShardedReader implements TensorReader {
  readonly names: string[] = [];
  readonly #owner = new Map<string, SafetensorsFile>();

  constructor(shards: Map<string, SafetensorsFile>) {
    const where = new Map<string, string>();
    for (const [shardName, file] of shards) {
      for (const n of file.names) {
        const other = where.get(n);
        if (other !== undefined) {
          throw new CheckpointFileError(
            `tensor "${n}" appears in both ${other} and ${shardName}; each tensor must live in exactly one shard, re-shard the checkpoint.`,
          );
        }
        where.set(n, shardName);
        this.#owner.set(n, file);
        this.names.push(n);
      }
    }
  }

  has(name: string): boolean {
    return this.#owner.has(name);
  }
  info(name: string): TensorInfo {
    return this.#file(name).info(name);
  }
  getF32(name: string): Float32Array {
    return this.#file(name).getF32(name);
  }
  #file(name: string): SafetensorsFile {
    const f = this.#owner.get(name);
    if (f === undefined) throw new MissingTensorError(`tensor "${name}" is in none of the shards; check model.safetensors.index.json.`);
    return f;
  }
}

async function readShards(src: FileSource): Promise<TensorReader> {
  const index = (await readJson(src, CHECKPOINT_FILES.weightsIndex)) as { weight_map?: unknown } | null;
  const map = index?.weight_map;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw new CheckpointFileError(
      `${CHECKPOINT_FILES.weightsIndex} has no "weight_map" object {tensor name: shard file}; re-export the sharded checkpoint.`,
    );
  }
  const entries = Object.entries(map as Record<string, unknown>);
  const shardNames = new Set<string>();
  for (const [tensor, file] of entries) {
    if (typeof file !== 'string') {
      throw new CheckpointFileError(`${CHECKPOINT_FILES.weightsIndex}: weight_map["${tensor}"] must be a shard file name.`);
    }
    checkFileName(file);
    shardNames.add(file);
  }
  const shards = new Map<string, SafetensorsFile>();
  for (const name of [...shardNames].sort()) shards.set(name, parseSafetensors(await src.read(name)));
  const reader = new ShardedReader(shards);
  const misplaced = entries.filter(([t, f]) => !shards.get(f as string)!.has(t)).map(([t, f]) => `${t} (in ${f})`);
  if (misplaced.length > 0) {
    throw new MissingTensorError(
      `${CHECKPOINT_FILES.weightsIndex} lists tensors their shard does not hold: ${listSome(misplaced)}; ` +
        'the index and the shards disagree, download the checkpoint again.',
    );
  }
  return reader;
}
