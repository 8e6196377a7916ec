// Quantized checkpoints: a whole model's linear layers in int8 or q4 (formats: quant.ts), the rest f32, in
// one model.safetensors plus a config.json that says so. Tensor names cannot be mistaken for HF's f32
// weights: `model.layers.0.self_attn.q_proj.weight` becomes `….q_proj.qweight` (I8 (OC,C) or U8 (OC,G·16))
// + `….q_proj.scales` (F32 (OC) or (OC,G)). Embeddings (gathered, not multiplied, and the tied lm_head),
// norms and biases stay f32: they are a few percent of the bytes and quantizing them buys nothing.
// File metadata {"psr_quant": "int8"|"q4", "psr_quant_group": "-1"|"32"}; config.json gains the same
// block under "quantization" and "quantization_config". HF transformers CANNOT load these files: older
// versions raise "Unknown quantization type, got psr"; newer ones only warn, skip the quantization and
// randomly initialise every linear whose .weight is absent. `npm run psr -- dequantize` makes an f32 copy.
import {
  CheckpointFileError, MissingTensorError, QuantFormatError, QuantTensorError, TensorShapeError, UnexpectedTensorError,
} from '../errors.ts';
import { CHECKPOINT_FILES } from './checkpoint.ts';
import type { FileSink, FileSource } from '../formats/files.ts';
import { configToHf, parseConfig } from './config.ts';
import type { ModelConfig } from './config.ts';
import { Q4_GROUP, checkQuantized, dequantize, q4Groups, q4RowBytes, quantize } from '../formats/quant.ts';
import type { QuantizedMatrix, StoredQuantFormat } from '../formats/quant.ts';
import { parseSafetensors, writeSafetensors } from '../formats/safetensors.ts';
import type { SafetensorsFile, TensorInfo, TensorReader, TensorToWrite } from '../formats/safetensors.ts';
import { listSome, loadWeights, tensorOf, tensorSpecs } from './weights.ts';
import type { ModelWeights } from './weights.ts';

/** A model with quantized linears. Maps are keyed by the HF f32 tensor name (spec.name, e.g. "….q_proj.weight"). */
export interface QuantizedModelWeights {
  format: StoredQuantFormat;
  /** Every tensor of kind 'linear' (q/k/v/o, gate/up/down, untied lm_head). */
  linears: Map<string, QuantizedMatrix>;
  /** Everything else, f32: embeddings, norms, biases. */
  others: Map<string, Float32Array>;
}

export const QUANT_METHOD = 'psr';
const BITS: Record<StoredQuantFormat, number> = { int8: 8, q4: 4 };
/** group_size as GPTQ-style configs write it: −1 = one scale per output channel. */
const GROUP: Record<StoredQuantFormat, number> = { int8: -1, q4: Q4_GROUP };

export function formatOfBits(bits: number): StoredQuantFormat {
  if (bits === 8) return 'int8';
  if (bits === 4) return 'q4';
  throw new QuantFormatError(`bits = ${bits} is not supported; PSR Lab quantizes to 8 (int8 per channel) or 4 (q4, groups of 32) bits.`);
}

/** `….x.weight` → `….x.qweight` / `….x.scales`. */
export function quantTensorNames(weightName: string): { qweight: string; scales: string } {
  const base = weightName.endsWith('.weight') ? weightName.slice(0, -'.weight'.length) : weightName;
  return { qweight: `${base}.qweight`, scales: `${base}.scales` };
}

/** The block written into config.json under "quantization" and "quantization_config". */
export function quantizationBlock(format: StoredQuantFormat): Record<string, unknown> {
  return { quant_method: QUANT_METHOD, bits: BITS[format], group_size: GROUP[format], sym: true };
}

/** The safetensors `__metadata__` of a quantized model file. */
export function quantMetadata(format: StoredQuantFormat): Record<string, string> {
  return { format: 'pt', psr_quant: format, psr_quant_group: String(GROUP[format]) };
}

/**
 * The quantization format a parsed config.json declares, or null when it has no quantization block.
 * Throws QuantFormatError for a block we cannot honour or two blocks that disagree.
 */
export function readQuantizationBlock(json: unknown): StoredQuantFormat | null {
  if (typeof json !== 'object' || json === null) return null;
  const j = json as Record<string, unknown>;
  const found: StoredQuantFormat[] = [];
  for (const key of ['quantization', 'quantization_config']) {
    const block = j[key];
    if (block === undefined || block === null) continue;
    const bad = (why: string): never => {
      throw new QuantFormatError(
        `config.json: "${key}" ${why}; PSR Lab reads only its own blocks {"quant_method": "psr", "bits": 8|4, "group_size": -1|32} — ` +
          're-quantize the f32 checkpoint with `npm run psr -- quantize`, or remove the block if the weights are plain f32.',
      );
    };
    if (typeof block !== 'object' || Array.isArray(block)) bad('must be an object');
    const b = block as Record<string, unknown>;
    if (b.quant_method !== QUANT_METHOD) bad(`has quant_method ${JSON.stringify(b.quant_method)}, not "psr" (GPTQ/AWQ/bitsandbytes files are not supported)`);
    if (typeof b.bits !== 'number') bad('lacks a numeric "bits"');
    const format = formatOfBits(b.bits as number);
    if (b.group_size !== GROUP[format]) bad(`says group_size ${JSON.stringify(b.group_size)} but ${b.bits}-bit weights use ${GROUP[format]}`);
    if (b.sym !== undefined && b.sym !== true) bad('says sym = false, but PSR Lab formats are symmetric');
    found.push(format);
  }
  if (found.length === 2 && found[0] !== found[1]) {
    throw new QuantFormatError(
      `config.json: "quantization" says ${found[0]} but "quantization_config" says ${found[1]}; they must agree — re-run quantize.`,
    );
  }
  return found[0] ?? null;
}

// ---- whole-model conversion ----------------------------------------------------------------

/** Quantize every linear of `weights` (shares the f32 arrays of the other tensors, no copy). */
export function quantizeWeights(config: ModelConfig, weights: ModelWeights, format: StoredQuantFormat): QuantizedModelWeights {
  const out: QuantizedModelWeights = { format, linears: new Map(), others: new Map() };
  for (const spec of tensorSpecs(config)) {
    const t = tensorOf(weights, spec);
    if (t === null) continue;
    if (spec.kind === 'linear') out.linears.set(spec.name, quantize(t, spec.shape[0], spec.shape[1], format));
    else out.others.set(spec.name, t);
  }
  return out;
}

/** A TensorReader over in-memory f32 tensors (so loadWeights' checks apply to a dequantized model). */
class F32MapReader implements TensorReader {
  constructor(private readonly map: Map<string, { shape: number[]; data: Float32Array }>) {}
  get names(): string[] {
    return [...this.map.keys()];
  }
  has(name: string): boolean {
    return this.map.has(name);
  }
  info(name: string): TensorInfo {
    return { dtype: 'F32', shape: this.map.get(name)!.shape.slice() };
  }
  getF32(name: string): Float32Array {
    return this.map.get(name)!.data.slice();
  }
}

/** f32 ModelWeights with every linear dequantized: the same function the quantized model computes. */
export function dequantizeWeights(config: ModelConfig, qw: QuantizedModelWeights): ModelWeights {
  const map = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const spec of tensorSpecs(config)) {
    const q = qw.linears.get(spec.name);
    const f = qw.others.get(spec.name);
    if (q !== undefined) map.set(spec.name, { shape: [q.OC, q.C], data: dequantize(q) });
    else if (f !== undefined) map.set(spec.name, { shape: spec.shape, data: f });
  }
  return loadWeights(config, new F32MapReader(map));
}

// ---- safetensors -----------------------------------------------------------------------------

/** model.safetensors bytes of a quantized model. */
export function saveQuantizedWeights(config: ModelConfig, qw: QuantizedModelWeights): Uint8Array {
  const tensors: Record<string, TensorToWrite> = {};
  for (const spec of tensorSpecs(config)) {
    if (spec.kind === 'linear') {
      const q = qw.linears.get(spec.name);
      if (q === undefined) throw new MissingTensorError(`quantized weights lack ${spec.name}; quantize the model with quantizeWeights().`);
      checkQuantized(q, spec.name);
      if (q.format !== qw.format || q.OC !== spec.shape[0] || q.C !== spec.shape[1]) {
        throw new QuantTensorError(
          `${spec.name} is ${q.format} (${q.OC}, ${q.C}) but the model is ${qw.format} with shape [${spec.shape.join(', ')}]; quantize every linear the same way.`,
        );
      }
      const names = quantTensorNames(spec.name);
      if (q.format === 'int8') {
        tensors[names.qweight] = { dtype: 'I8', shape: [q.OC, q.C], data: q.data };
        tensors[names.scales] = { dtype: 'F32', shape: [q.OC], data: q.scales };
      } else if (q.format === 'q4') {
        tensors[names.qweight] = { dtype: 'U8', shape: [q.OC, q4RowBytes(q.C)], data: q.data };
        tensors[names.scales] = { dtype: 'F32', shape: [q.OC, q4Groups(q.C)], data: q.scales };
      }
    } else {
      const f = qw.others.get(spec.name);
      if (f === undefined) throw new MissingTensorError(`quantized weights lack the f32 tensor ${spec.name}; build them with quantizeWeights().`);
      tensors[spec.name] = { dtype: 'F32', shape: spec.shape, data: f };
    }
  }
  return writeSafetensors(tensors, quantMetadata(qw.format));
}

const shapeStr = (s: readonly number[]): string => `[${s.join(', ')}]`;
const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);
const IGNORABLE = /^model\.layers\.\d+\.self_attn\.rotary_emb\.inv_freq$/;

/** Read and validate a quantized model.safetensors against the config and the declared format. */
export function loadQuantizedWeights(config: ModelConfig, file: SafetensorsFile, format: StoredQuantFormat): QuantizedModelWeights {
  const meta = file.metadata ?? {};
  if (meta.psr_quant !== format || meta.psr_quant_group !== String(GROUP[format])) {
    throw new QuantFormatError(
      `config.json declares ${format} weights but model.safetensors metadata says psr_quant = ${JSON.stringify(meta.psr_quant ?? null)}, ` +
        `psr_quant_group = ${JSON.stringify(meta.psr_quant_group ?? null)} (expected "${format}", "${GROUP[format]}"); ` +
        'the config and the weights come from different runs — re-run `npm run psr -- quantize` on the f32 checkpoint.',
    );
  }
  const specs = tensorSpecs(config);
  const expected = new Map<string, { dtype: string; shape: number[] }>();
  for (const s of specs) {
    if (s.kind === 'linear') {
      const [OC, C] = s.shape;
      const n = quantTensorNames(s.name);
      expected.set(n.qweight, format === 'int8' ? { dtype: 'I8', shape: [OC, C] } : { dtype: 'U8', shape: [OC, q4RowBytes(C)] });
      expected.set(n.scales, { dtype: 'F32', shape: format === 'int8' ? [OC] : [OC, q4Groups(C)] });
    } else expected.set(s.name, { dtype: 'F32', shape: s.shape });
  }
  const missing = [...expected.keys()].filter((n) => !file.has(n));
  if (missing.length > 0) {
    const f32Linears = specs.some((s) => s.kind === 'linear' && file.has(s.name));
    throw new MissingTensorError(
      `quantized checkpoint lacks ${missing.length} tensor(s): ${listSome(missing)}; ` +
        (f32Linears
          ? 'it holds f32 .weight tensors for its linears, so it is not quantized — remove the quantization block from config.json or run `npm run psr -- quantize` on it.'
          : 'check that config.json belongs to these weights, or re-run `npm run psr -- quantize`.'),
    );
  }
  const unexpected = file.names.filter((n) => !expected.has(n) && !IGNORABLE.test(n));
  if (unexpected.length > 0) {
    throw new UnexpectedTensorError(
      `quantized checkpoint holds ${unexpected.length} tensor(s) config.json does not explain: ${listSome(unexpected)}; ` +
        'check num_hidden_layers / attention_bias / tie_word_embeddings in config.json, or re-run quantize.',
    );
  }
  const wrong: string[] = [];
  for (const [name, want] of expected) {
    const got = file.info(name);
    if (got.dtype !== want.dtype || !sameShape(got.shape, want.shape)) {
      wrong.push(`${name} expected ${want.dtype} ${shapeStr(want.shape)} found ${got.dtype} ${shapeStr(got.shape)}`);
    }
  }
  if (wrong.length > 0) {
    const Err = wrong.every((w) => !/\.(qweight|scales) /.test(w)) ? TensorShapeError : QuantTensorError;
    throw new Err(
      `quantized checkpoint tensors have the wrong dtype or shape for ${format}: ${listSome(wrong, 5)}; ` +
        'the file was written for another config or format — re-run `npm run psr -- quantize` on the f32 checkpoint.',
    );
  }
  const out: QuantizedModelWeights = { format, linears: new Map(), others: new Map() };
  for (const s of specs) {
    if (s.kind !== 'linear') {
      out.others.set(s.name, file.getF32(s.name));
      continue;
    }
    const [OC, C] = s.shape;
    const n = quantTensorNames(s.name);
    const scales = Float32Array.from(file.getTyped(n.scales) as Float32Array);
    const q: QuantizedMatrix =
      format === 'int8'
        ? { format, OC, C, data: Int8Array.from(file.getTyped(n.qweight) as Int8Array), scales }
        : { format, OC, C, data: Uint8Array.from(file.getTyped(n.qweight) as Uint8Array), scales };
    checkQuantized(q, n.scales);
    out.linears.set(s.name, q);
  }
  return out;
}

// ---- checkpoint directories ------------------------------------------------------------------

async function readJson(src: FileSource, name: string): Promise<unknown> {
  const bytes = await src.read(name);
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw new CheckpointFileError(`${name} is not valid UTF-8 JSON (${(err as Error).message}); fix or re-export the file.`, { cause: err });
  }
}

const encodeJson = (v: unknown): Uint8Array => new TextEncoder().encode(`${JSON.stringify(v, null, 2)}\n`);

/** The quantization format config.json declares (null: a plain f32/f16/bf16 checkpoint). */
export async function checkpointQuantFormat(src: FileSource): Promise<StoredQuantFormat | null> {
  return readQuantizationBlock(await readJson(src, CHECKPOINT_FILES.config));
}

/** Write config.json (with the quantization blocks) and model.safetensors (quantized linears + f32 rest). */
export async function saveQuantizedCheckpoint(sink: FileSink, config: ModelConfig, qw: QuantizedModelWeights): Promise<Uint8Array> {
  const bytes = saveQuantizedWeights(config, qw);
  const block = quantizationBlock(qw.format);
  const hf = { ...configToHf({ ...config, torchDtype: 'float32' }), quantization: block, quantization_config: block };
  await sink.write(CHECKPOINT_FILES.config, encodeJson(hf));
  await sink.write(CHECKPOINT_FILES.weights, bytes);
  return bytes;
}

/** Load a quantized checkpoint directory (single model.safetensors; sharded quantized files are not supported). */
export async function loadQuantizedCheckpoint(src: FileSource): Promise<{ config: ModelConfig; weights: QuantizedModelWeights }> {
  const json = await readJson(src, CHECKPOINT_FILES.config);
  const format = readQuantizationBlock(json);
  if (format === null) {
    throw new QuantFormatError(
      'config.json has no "quantization" block, so this is not a quantized checkpoint; load it with loadCheckpoint(), ' +
        'or make one with `npm run psr -- quantize --model DIR --bits 8|4 --out DIR`.',
    );
  }
  const config = parseConfig(json);
  if (!(await src.exists(CHECKPOINT_FILES.weights))) {
    throw new CheckpointFileError(
      `quantized checkpoint has no ${CHECKPOINT_FILES.weights}; quantized weights live in one file — re-run quantize to write it.`,
    );
  }
  return { config, weights: loadQuantizedWeights(config, parseSafetensors(await src.read(CHECKPOINT_FILES.weights)), format) };
}
