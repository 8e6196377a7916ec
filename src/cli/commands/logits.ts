// `psr logits --model DIR [--adapter DIR] --text "..." [--backend auto|webgpu|wasm|cpu] [--threads N] [--top K] [--json]`:
// tokenize a text with the directory's tokenizer.json, run one forward pass and print the token ids,
// the per-token log-probs and the last position's logits — the numbers to check against another
// implementation (e.g. transformers + tokenizers in Python). No <bos> is prepended unless the
// tokenizer.json's post_processor template adds one, exactly as `tokenizer(text)` does in Python.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CliIo, Command } from '../command.ts';
import { CheckpointFileError, TokenizerFormatError, UsageError } from '../../lib/errors.ts';
import { CHECKPOINT_FILES, loadAdapter, loadCheckpoint } from '../../lib/model/checkpoint.ts';
import { NodeFiles } from '../../lib/formats/node-files.ts';
import { parameterCount } from '../../lib/model/weights.ts';
import { openBackend, type BackendChoice, type BackendName } from '../backends.ts';
import { settingsFromFlags, settingsUsage } from '../settings-flags.ts';
import { sequenceLogits, tokenLogprobs } from '../../lib/model/sequence-logits.ts';
import { loadTextTokenizer } from '../../lib/tokenizer/text-tokenizer.ts';

const TOKENIZER_CONFIG = 'tokenizer_config.json';
const MODEL_DIR_HINT =
  `a model directory must hold ${CHECKPOINT_FILES.config}, ${CHECKPOINT_FILES.weights} (or ${CHECKPOINT_FILES.weightsIndex} + shards) ` +
  `and ${CHECKPOINT_FILES.tokenizer} (a WordLevel tokenizer; ${TOKENIZER_CONFIG} optional)`;
const ADAPTER_DIR_HINT = `an adapter directory (PEFT format) must hold ${CHECKPOINT_FILES.adapterConfig} and ${CHECKPOINT_FILES.adapterWeights}`;

export interface LogitsResult {
  model: { dir: string; model_type: string; params: number; vocab_size: number; max_position_embeddings: number };
  adapter: { dir: string; r: number; alpha: number; target_modules: string[] } | null;
  backend: BackendName;
  /** CPU threads it computed on (1 for webgpu). */
  threads: number;
  tokenizer: 'psr' | 'hf-wordlevel';
  tokens: string[];
  ids: number[];
  unknown: string[];
  /** log P(token_t | tokens_<t); the first entry is null. */
  logprobs: (number | null)[];
  sum_logprob: number;
  /** Logits of the last position, length V. */
  last_logits: number[];
}

async function requireDir(dir: string, flag: string, hint: string): Promise<void> {
  let isDir = false;
  try {
    isDir = (await stat(dir)).isDirectory();
  } catch {
    throw new CheckpointFileError(`${flag} ${dir} does not exist; ${hint}.`);
  }
  if (!isDir) throw new CheckpointFileError(`${flag} ${dir} is not a directory; ${hint}.`);
}

async function requireFile(files: NodeFiles, names: string[], flag: string, hint: string): Promise<void> {
  for (const n of names) if (await files.exists(n)) return;
  throw new CheckpointFileError(`${flag} ${files.dir} has no ${names.join(' or ')}; ${hint}.`);
}

async function readJsonFile(dir: string, name: string): Promise<unknown> {
  const path = join(dir, name);
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new CheckpointFileError(`${path} is not valid JSON (${(err as Error).message}); fix or delete the file.`, { cause: err });
  }
}


/** Tokenize, run the model, score: the whole command without printing. Warnings go to `warn`. */
export async function computeLogits(
  opts: { model: string; adapter?: string; text: string; backend: BackendChoice; threads?: number },
  warn: (line: string) => void = () => {},
): Promise<{ result: LogitsResult; tokenOf: (id: number) => string | undefined }> {
  await requireDir(opts.model, '--model', MODEL_DIR_HINT);
  const files = new NodeFiles(opts.model);
  await requireFile(files, [CHECKPOINT_FILES.config], '--model', MODEL_DIR_HINT);
  await requireFile(files, [CHECKPOINT_FILES.weights, CHECKPOINT_FILES.weightsIndex], '--model', MODEL_DIR_HINT);
  await requireFile(files, [CHECKPOINT_FILES.tokenizer], '--model', MODEL_DIR_HINT);
  const ckpt = await loadCheckpoint(files);
  const tokConfig = (await files.exists(TOKENIZER_CONFIG)) ? await readJsonFile(opts.model, TOKENIZER_CONFIG) : null;
  const tokenizer = loadTextTokenizer(ckpt.tokenizerJson, tokConfig);

  let adapter = null;
  if (opts.adapter !== undefined) {
    await requireDir(opts.adapter, '--adapter', ADAPTER_DIR_HINT);
    const afiles = new NodeFiles(opts.adapter);
    await requireFile(afiles, [CHECKPOINT_FILES.adapterConfig], '--adapter', ADAPTER_DIR_HINT);
    await requireFile(afiles, [CHECKPOINT_FILES.adapterWeights], '--adapter', ADAPTER_DIR_HINT);
    adapter = await loadAdapter(afiles, ckpt.config);
  }

  const enc = tokenizer.encode(opts.text);
  if (enc.ids.length === 0) {
    throw new UsageError(`--text ${JSON.stringify(opts.text)} gives no tokens (only whitespace?); pass some words.`);
  }
  const V = ckpt.config.vocabSize;
  const outside = enc.ids.findIndex((id) => id >= V);
  if (outside >= 0) {
    throw new TokenizerFormatError(
      `tokenizer.json maps "${enc.tokens[outside]}" to id ${enc.ids[outside]}, but the model's vocab_size is ${V}; ` +
        'the tokenizer does not belong to this model, put the matching tokenizer.json in the model directory.',
    );
  }
  if (enc.unknown.length > 0) {
    warn(
      `warning: ${enc.unknown.length} word(s) not in the vocabulary were encoded as the unknown token: ` +
        `${enc.unknown.slice(0, 8).map((w) => JSON.stringify(w)).join(', ')}${enc.unknown.length > 8 ? ', …' : ''}`,
    );
  }
  if (enc.truncated > 0) warn(`warning: the tokenizer.json's truncation setting dropped ${enc.truncated} token(s).`);

  const { backend, name: backendName, threads, dispose } = await openBackend(opts.backend, opts.threads ?? 0);
  let logits: Float32Array; // (T,V)
  try {
    logits = await sequenceLogits(backend, ckpt.config, ckpt.weights, adapter, enc.ids);
  } finally {
    await dispose();
  }
  const T = enc.ids.length;
  const logprobs = tokenLogprobs(logits, enc.ids, V);
  const result: LogitsResult = {
    model: {
      dir: opts.model,
      model_type: ckpt.config.modelType,
      params: parameterCount(ckpt.config),
      vocab_size: V,
      max_position_embeddings: ckpt.config.maxPositionEmbeddings,
    },
    adapter:
      adapter && opts.adapter !== undefined
        ? { dir: opts.adapter, r: adapter.config.r, alpha: adapter.config.alpha, target_modules: [...adapter.config.targetModules] }
        : null,
    backend: backendName,
    threads,
    tokenizer: tokenizer.kind,
    tokens: enc.tokens,
    ids: enc.ids,
    unknown: enc.unknown,
    logprobs,
    sum_logprob: logprobs.reduce<number>((s, lp) => s + (lp ?? 0), 0),
    last_logits: Array.from(logits.subarray((T - 1) * V, T * V)),
  };
  return { result, tokenOf: (id) => tokenizer.tokenOf(id) };
}

/** Human-readable output: one line per token, then the top-K next tokens after the text. */
export function formatLogits(r: LogitsResult, top: number, tokenOf: (id: number) => string): string {
  const lines = [
    `model: ${r.model.dir} (${r.model.model_type}, ${r.model.params} params)${r.adapter ? ` + adapter ${r.adapter.dir} (r=${r.adapter.r})` : ''}; ` +
      `backend ${r.backend}${r.backend === 'wasm' ? ` (${r.threads} CPU thread${r.threads === 1 ? '' : 's'})` : ''}; tokenizer ${r.tokenizer}`,
    '  pos      id  logprob     token',
    ...r.tokens.map(
      (tok, t) =>
        `${String(t).padStart(5)} ${String(r.ids[t]).padStart(7)}  ${r.logprobs[t] === null ? '       —' : r.logprobs[t]!.toFixed(4).padStart(8)}  ${JSON.stringify(tok)}`,
    ),
    `sum log-prob: ${r.sum_logprob.toFixed(6)} over ${r.tokens.length - 1} predicted token(s)`,
    `top ${Math.min(top, r.last_logits.length)} next tokens after the text (logit):`,
  ];
  const order = r.last_logits.map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]).slice(0, top);
  for (const [v, i] of order) lines.push(`  ${String(i).padStart(7)}  ${v.toFixed(4).padStart(10)}  ${JSON.stringify(tokenOf(i))}`);
  return lines.join('\n') + '\n';
}

function stringFlag(v: string | boolean | undefined, name: string, required: boolean): string | undefined {
  if (v === undefined) {
    if (required) throw new UsageError(`--${name} is required.`);
    return undefined;
  }
  if (typeof v !== 'string') throw new UsageError(`--${name} takes a value.`);
  return v;
}

export const logitsCommand: Command = {
  name: 'logits',
  summary: 'Tokenize a text with a model directory\'s tokenizer.json, print token ids, per-token log-probs and the last logits.',
  usage: `logits --model DIR [--adapter DIR] --text "..." ${settingsUsage(['backend', 'threads'])} [--top K] [--json]`,
  settings: ['backend', 'threads'],
  options: {
    model: { type: 'string' },
    adapter: { type: 'string' },
    text: { type: 'string' },
    top: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(flags, _positionals, io: CliIo) {
    const model = stringFlag(flags.model, 'model', true)!;
    const adapter = stringFlag(flags.adapter, 'adapter', false);
    const text = stringFlag(flags.text, 'text', true)!;
    if (text === '') throw new UsageError('--text is empty; pass the text to score, e.g. --text "Tom has 3 apples."');
    const { backend, threads } = settingsFromFlags(flags, ['backend', 'threads']);
    const topFlag = stringFlag(flags.top, 'top', false);
    const top = topFlag === undefined ? 10 : Number(topFlag);
    if (!Number.isInteger(top) || top < 1) throw new UsageError(`--top must be a positive integer (got ${JSON.stringify(topFlag)}).`);

    const { result, tokenOf } = await computeLogits({ model, adapter, text, backend, threads }, (line) => io.err(line + '\n'));
    // Text mode names the top-K ids with the same tokenizer (ids it has no string for print as "#id").
    io.out(flags.json ? JSON.stringify(result) + '\n' : formatLogits(result, top, (id) => tokenOf(id) ?? `#${id}`));
    return 0;
  },
};
