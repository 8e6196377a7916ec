// `psr quantize --model DIR --bits 8|4 --out DIR [--json]`: convert an f32 checkpoint's linear layers to int8
// (per output channel) or q4 (groups of 32), write config.json + model.safetensors (+ tokenizer files), and
// report what was lost: per-tensor weight error, file size before/after, and the f32 vs quantized next-token
// distributions (max / mean |Δlogit|, KL, top-1 agreement, perplexity) on a few held-out sequences.
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command, FlagValues } from '../command.ts';
import { QuantFormatError, UsageError } from '../../lib/errors.ts';
import { CHECKPOINT_FILES, loadCheckpoint } from '../../lib/model/checkpoint.ts';
import type { FileSink, FileSource } from '../../lib/formats/files.ts';
import type { ModelConfig } from '../../lib/model/config.ts';
import { NodeFiles } from '../../lib/formats/node-files.ts';
import { CpuBackend } from '../../lib/backend/cpu-backend.ts';
import {
  checkpointQuantFormat, dequantizeWeights, formatOfBits, loadQuantizedCheckpoint, quantizeWeights, saveQuantizedCheckpoint,
} from '../../lib/model/quant-checkpoint.ts';
import { Q4_GROUP } from '../../lib/formats/quant.ts';
import { compareLogits, tensorErrors } from '../../lib/model/quant-eval.ts';
import type { LogitComparison, TensorQuantError } from '../../lib/model/quant-eval.ts';
import { intFlag } from '../math-flags.ts';
import { defaultWorldConfig } from '../../lib/math/config.ts';
import { generateProblems } from '../../lib/math/generator.ts';
import { formatIftExample } from '../../lib/math/formats.ts';
import { loadTextTokenizer } from '../../lib/tokenizer/text-tokenizer.ts';

/** Files besides config.json / model.safetensors that travel with a checkpoint, copied byte for byte. */
export const AUX_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'generation_config.json', 'world.json', 'psr_model.json'] as const;

export async function copyAuxFiles(src: FileSource, dst: FileSink): Promise<string[]> {
  const copied: string[] = [];
  for (const name of AUX_FILES) {
    if (await src.exists(name)) {
      await dst.write(name, await src.read(name));
      copied.push(name);
    }
  }
  return copied;
}

/** --model and --out, required, and not the same folder. */
export function dirFlags(flags: FlagValues): { model: string; out: string } {
  const model = flags.model;
  const out = flags.out;
  if (typeof model !== 'string' || model.trim() === '') throw new UsageError('--model DIR is required; pass the checkpoint folder (config.json + model.safetensors)');
  if (typeof out !== 'string' || out.trim() === '') throw new UsageError('--out DIR is required; pass a new folder for the converted checkpoint');
  if (resolve(model) === resolve(out)) throw new UsageError('--out must differ from --model; write the converted checkpoint to a new folder');
  return { model, out };
}

/** Bytes of the weights file(s) of a checkpoint folder (model.safetensors or its shards). */
export async function weightsBytes(dir: string): Promise<number> {
  const single = join(dir, CHECKPOINT_FILES.weights);
  try {
    return (await stat(single)).size;
  } catch {
    const files = new NodeFiles(dir);
    const index = JSON.parse(new TextDecoder().decode(await files.read(CHECKPOINT_FILES.weightsIndex))) as { weight_map?: Record<string, string> };
    let total = 0;
    for (const shard of new Set(Object.values(index.weight_map ?? {}))) total += (await stat(join(dir, shard))).size;
    return total;
  }
}

export interface EvalSequences {
  /** 'math-world': solver-format texts of freshly generated problems (seed "quantize-eval", never trained on);
   *  'random': uniform random token ids (when the checkpoint has no tokenizer that covers the texts). */
  source: 'math-world' | 'random';
  ids: number[][];
}

/** A few token sequences to compare the two models on (deterministic). */
export function evalSequences(
  config: ModelConfig, tokenizerJson: unknown | null, tokenizerConfig: unknown | null, count: number, maxLen: number,
): EvalSequences {
  const T = Math.min(maxLen, config.maxPositionEmbeddings);
  if (tokenizerJson !== null) {
    try {
      const tok = loadTextTokenizer(tokenizerJson, tokenizerConfig);
      const problems = generateProblems(defaultWorldConfig(), { seed: 'quantize-eval', count });
      const ids = problems.map((p) => tok.encode(formatIftExample(p.question, p.steps).text));
      const fits = ids.every((e) => e.unknown.length === 0 && e.ids.length > 1 && e.ids.every((id) => id < config.vocabSize));
      if (fits) return { source: 'math-world', ids: ids.map((e) => e.ids.slice(0, T)) };
    } catch {
      // not the project's tokenizer / not its world: fall through to random tokens
    }
  }
  let s = 0x9e3779b9;
  const next = (): number => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 4294967296;
  };
  const ids = Array.from({ length: count }, () => Array.from({ length: T }, () => Math.floor(next() * config.vocabSize)));
  return { source: 'random', ids };
}

async function readJsonOrNull(src: FileSource, name: string): Promise<unknown | null> {
  if (!(await src.exists(name))) return null;
  try {
    return JSON.parse(new TextDecoder().decode(await src.read(name)));
  } catch {
    return null;
  }
}

export interface QuantizeReport {
  model: string;
  out: string;
  format: 'int8' | 'q4';
  bits: number;
  groupSize: number;
  copied: string[];
  files: { weightsBytesBefore: number; weightsBytesAfter: number; ratio: number };
  weightError: { maxAbs: number; meanAbs: number; worstTensor: string };
  tensors: TensorQuantError[];
  logits: LogitComparison & { source: EvalSequences['source']; length: number };
  seconds: number;
}

export async function quantizeCheckpoint(
  model: string, out: string, bits: number, evalCount: number, evalLen: number,
): Promise<QuantizeReport> {
  const t0 = performance.now();
  const format = formatOfBits(bits);
  const src = new NodeFiles(model);
  const already = await checkpointQuantFormat(src);
  if (already !== null) {
    throw new QuantFormatError(
      `${model} is already quantized (${already}); quantize the f32 checkpoint instead, or restore one first with ` +
        `\`npm run psr -- dequantize --model ${model} --out DIR\`.`,
    );
  }
  const { config, weights, tokenizerJson } = await loadCheckpoint(src);
  const qw = quantizeWeights(config, weights, format);
  const dst = new NodeFiles(out);
  await saveQuantizedCheckpoint(dst, config, qw);
  const copied = await copyAuxFiles(src, dst);
  // Measure on what was written: load it back, so the report covers the file a user will ship.
  const back = await loadQuantizedCheckpoint(dst);
  const tensors = tensorErrors(config, weights, back.weights);
  let maxAbs = 0, sum = 0, count = 0, worstTensor = '';
  for (const t of tensors) {
    const n = t.shape[0] * t.shape[1];
    if (t.maxAbs >= maxAbs) [maxAbs, worstTensor] = [t.maxAbs, t.name];
    sum += t.meanAbs * n;
    count += n;
  }
  const seqs = evalSequences(config, tokenizerJson, await readJsonOrNull(src, 'tokenizer_config.json'), evalCount, evalLen);
  const logits = await compareLogits(new CpuBackend(), config, weights, dequantizeWeights(config, back.weights), seqs.ids);
  const before = await weightsBytes(model);
  const after = await weightsBytes(out);
  return {
    model,
    out,
    format,
    bits,
    groupSize: format === 'q4' ? Q4_GROUP : -1,
    copied,
    files: { weightsBytesBefore: before, weightsBytesAfter: after, ratio: after / before },
    weightError: { maxAbs, meanAbs: count ? sum / count : 0, worstTensor },
    tensors,
    logits: { source: seqs.source, length: Math.max(0, ...seqs.ids.map((s) => s.length)), ...logits },
    seconds: (performance.now() - t0) / 1000,
  };
}

const g = (x: number): string => (Number.isFinite(x) ? x.toPrecision(4) : String(x));

export function formatQuantizeReport(r: QuantizeReport): string {
  const mb = (b: number): string => `${(b / 1e6).toFixed(3)} MB`;
  const L = r.logits;
  return [
    `quantized ${r.model} → ${r.out} as ${r.format} (${r.bits}-bit, ${r.groupSize === -1 ? 'per output channel' : `groups of ${r.groupSize}`})`,
    `weights file: ${mb(r.files.weightsBytesBefore)} → ${mb(r.files.weightsBytesAfter)} (×${r.files.ratio.toFixed(3)})`,
    `weight error over ${r.tensors.length} linears: max |ΔW| ${g(r.weightError.maxAbs)} (${r.weightError.worstTensor}), mean |ΔW| ${g(r.weightError.meanAbs)}`,
    `logits on ${L.sequences} ${L.source} sequences (${L.positions} positions): max |Δlogit| ${g(L.maxAbsLogit)}, mean |Δlogit| ${g(L.meanAbsLogit)}, ` +
      `KL mean ${g(L.meanKl)} max ${g(L.maxKl)} nats, top-1 agreement ${(100 * L.top1Agreement).toFixed(1)}%`,
    `perplexity f32 ${g(L.perplexityRef)} → ${r.format} ${g(L.perplexityQuant)}`,
    `copied: ${r.copied.join(', ') || 'nothing'}; ${r.seconds.toFixed(2)} s`,
  ].join('\n') + '\n';
}

export const quantizeCommand: Command = {
  name: 'quantize',
  summary: 'Quantize a checkpoint\'s linear layers to int8 or 4-bit and report the accuracy lost.',
  usage: 'quantize --model DIR --bits 8|4 --out DIR [--eval-seqs N] [--eval-len T] [--json]',
  options: {
    model: { type: 'string' },
    bits: { type: 'string' },
    out: { type: 'string' },
    'eval-seqs': { type: 'string' },
    'eval-len': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(flags, _positionals, io) {
    const { model, out } = dirFlags(flags);
    if (flags.bits !== '8' && flags.bits !== '4') {
      throw new UsageError(`--bits must be 8 (int8 per output channel) or 4 (q4, groups of 32), got ${JSON.stringify(flags.bits ?? null)}`);
    }
    const report = await quantizeCheckpoint(
      model, out, Number(flags.bits), intFlag(flags, 'eval-seqs', 1, 256, 4), intFlag(flags, 'eval-len', 2, 4096, 64),
    );
    io.out(flags.json ? JSON.stringify(report, null, 2) + '\n' : formatQuantizeReport(report));
    return 0;
  },
};
