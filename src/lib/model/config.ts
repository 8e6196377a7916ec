// The model config: HF transformers' config.json for the Llama and Qwen2 families, parsed and
// validated at the boundary into a camelCase ModelConfig, and serialized back into a config.json
// that LlamaConfig / Qwen2Config accept. Anything that would change the math and that we do not
// implement (rope_scaling, sliding windows, MLP bias, activations other than SiLU) is refused.
import { ConfigError } from '../errors.ts';

export type ModelType = 'llama' | 'qwen2';
export type TorchDtype = 'float32' | 'float16' | 'bfloat16';

/** Normalised model config. Letters in comments follow the shape legend (C, I, NH, NKV, HS, V). */
export interface ModelConfig {
  modelType: ModelType;
  architectures: string[];
  /** C */
  hiddenSize: number;
  /** I */
  intermediateSize: number;
  numLayers: number;
  /** NH */
  numHeads: number;
  /** NKV (divides NH) */
  numKvHeads: number;
  /** HS (even, for RoPE) */
  headDim: number;
  /** V */
  vocabSize: number;
  maxPositionEmbeddings: number;
  rmsNormEps: number;
  ropeTheta: number;
  tieWordEmbeddings: boolean;
  /** q/k/v projections carry a bias (qwen2 always; llama when attention_bias). */
  qkvBias: boolean;
  /** o projection carries a bias (llama when attention_bias; never qwen2). */
  oBias: boolean;
  torchDtype: TorchDtype;
  initializerRange: number;
  bosTokenId: number | null;
  eosTokenId: number | number[] | null;
  padTokenId: number | null;
}

/** Fields a caller must give to build a config in code; the rest get HF's defaults. */
export type ModelConfigInit = Pick<
  ModelConfig,
  'modelType' | 'hiddenSize' | 'intermediateSize' | 'numLayers' | 'numHeads' | 'vocabSize'
> &
  Partial<ModelConfig>;

export const ARCHITECTURE: Record<ModelType, string> = { llama: 'LlamaForCausalLM', qwen2: 'Qwen2ForCausalLM' };

/** Sanity caps: far above any model a browser can hold, low enough to stop absurd allocations. */
const LIMITS = {
  hidden_size: 65_536,
  intermediate_size: 262_144,
  num_hidden_layers: 1_024,
  num_attention_heads: 1_024,
  head_dim: 1_024,
  vocab_size: 4_194_304,
  max_position_embeddings: 16_777_216,
} as const;

const HF_DEFAULT_MAX_POS: Record<ModelType, number> = { llama: 2048, qwen2: 32768 };

/** Build a config in code (tiny model, tests) with HF defaults for the optional fields; validated. */
export function defineConfig(init: ModelConfigInit): ModelConfig {
  if (init.headDim === undefined && init.hiddenSize % init.numHeads !== 0) {
    throw new ConfigError(
      `config: hiddenSize = ${init.hiddenSize} is not divisible by numHeads = ${init.numHeads}; pass headDim or change the sizes.`,
    );
  }
  const qkvBias = init.qkvBias ?? init.modelType === 'qwen2';
  const c: ModelConfig = {
    architectures: [ARCHITECTURE[init.modelType]],
    numKvHeads: init.numHeads,
    headDim: init.hiddenSize / init.numHeads,
    maxPositionEmbeddings: HF_DEFAULT_MAX_POS[init.modelType],
    rmsNormEps: 1e-6,
    ropeTheta: 10000,
    tieWordEmbeddings: false,
    qkvBias,
    oBias: init.modelType === 'llama' ? qkvBias : false,
    torchDtype: 'float32',
    initializerRange: 0.02,
    bosTokenId: null,
    eosTokenId: null,
    padTokenId: null,
    ...init,
  };
  return validateConfig(c);
}

/** Check ranges and cross-field rules; returns the same object. Messages name the HF field. */
export function validateConfig(c: ModelConfig): ModelConfig {
  if (c.modelType !== 'llama' && c.modelType !== 'qwen2') {
    throw new ConfigError(
      `model_type ${JSON.stringify(c.modelType)} is not supported; PSR Lab loads "llama" and "qwen2" checkpoints.`,
    );
  }
  const int = (field: keyof typeof LIMITS | 'num_key_value_heads', v: number, max: number): void => {
    if (!Number.isInteger(v) || v < 1 || v > max) {
      throw new ConfigError(`config.json: ${field} = ${v} must be an integer in [1, ${max}]; fix ${field} in config.json.`);
    }
  };
  int('hidden_size', c.hiddenSize, LIMITS.hidden_size);
  int('intermediate_size', c.intermediateSize, LIMITS.intermediate_size);
  int('num_hidden_layers', c.numLayers, LIMITS.num_hidden_layers);
  int('num_attention_heads', c.numHeads, LIMITS.num_attention_heads);
  int('num_key_value_heads', c.numKvHeads, c.numHeads);
  int('head_dim', c.headDim, LIMITS.head_dim);
  int('vocab_size', c.vocabSize, LIMITS.vocab_size);
  int('max_position_embeddings', c.maxPositionEmbeddings, LIMITS.max_position_embeddings);
  if (c.numHeads % c.numKvHeads !== 0) {
    throw new ConfigError(
      `config.json: num_key_value_heads = ${c.numKvHeads} must divide num_attention_heads = ${c.numHeads} ` +
        '(grouped-query attention shares each KV head among an equal number of query heads); set it to a divisor.',
    );
  }
  if (c.headDim % 2 !== 0) {
    throw new ConfigError(
      `config.json: head_dim = ${c.headDim} must be even (RoPE rotates pairs of channels); choose an even head size.`,
    );
  }
  if (c.modelType === 'qwen2' && c.headDim * c.numHeads !== c.hiddenSize) {
    throw new ConfigError(
      `config.json: qwen2 models need hidden_size / num_attention_heads = head_dim, but ${c.hiddenSize} / ${c.numHeads} ≠ ${c.headDim}; ` +
        'Qwen2Config has no head_dim field, so change hidden_size or num_attention_heads.',
    );
  }
  if (c.modelType === 'qwen2' && (!c.qkvBias || c.oBias)) {
    throw new ConfigError(
      'config: qwen2 always has q/k/v biases and no o_proj bias; set qkvBias = true and oBias = false, or use model_type "llama".',
    );
  }
  if (c.modelType === 'llama' && c.qkvBias !== c.oBias) {
    throw new ConfigError(
      'config: llama\'s attention_bias puts a bias on all of q/k/v/o_proj or on none; set qkvBias and oBias equal.',
    );
  }
  if (!(c.rmsNormEps > 0 && c.rmsNormEps < 1)) {
    throw new ConfigError(`config.json: rms_norm_eps = ${c.rmsNormEps} must be in (0, 1), typically 1e-6 or 1e-5.`);
  }
  if (!(Number.isFinite(c.ropeTheta) && c.ropeTheta > 0)) {
    throw new ConfigError(`config.json: rope_theta = ${c.ropeTheta} must be a positive finite number, typically 10000.`);
  }
  if (!(Number.isFinite(c.initializerRange) && c.initializerRange > 0 && c.initializerRange <= 1)) {
    throw new ConfigError(`config.json: initializer_range = ${c.initializerRange} must be in (0, 1], typically 0.02.`);
  }
  if (c.torchDtype !== 'float32' && c.torchDtype !== 'float16' && c.torchDtype !== 'bfloat16') {
    throw new ConfigError(
      `config.json: torch_dtype ${JSON.stringify(c.torchDtype)} is not supported; use "float32", "float16" or "bfloat16".`,
    );
  }
  const tokenIds: [string, number | null][] = [
    ['bos_token_id', c.bosTokenId],
    ['pad_token_id', c.padTokenId],
    ...(Array.isArray(c.eosTokenId) ? c.eosTokenId : [c.eosTokenId]).map((v): [string, number | null] => ['eos_token_id', v]),
  ];
  for (const [field, v] of tokenIds) {
    if (v !== null && !(Number.isInteger(v) && v >= 0 && v < c.vocabSize)) {
      throw new ConfigError(
        `config.json: ${field} = ${v} must be a token id in [0, ${c.vocabSize - 1}] (vocab_size = ${c.vocabSize}) or null.`,
      );
    }
  }
  if (!Array.isArray(c.architectures) || !c.architectures.includes(ARCHITECTURE[c.modelType])) {
    throw new ConfigError(
      `config.json: architectures ${JSON.stringify(c.architectures)} must include "${ARCHITECTURE[c.modelType]}" for model_type ` +
        `"${c.modelType}"; PSR Lab only loads causal language models.`,
    );
  }
  return c;
}

// ---- config.json → ModelConfig ---------------------------------------------------------------

type Json = Record<string, unknown>;

/** Parse an HF config.json object (already JSON-decoded). Throws ConfigError naming the field. */
export function parseConfig(json: unknown): ModelConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ConfigError('config.json must hold a JSON object; check the file is an HF transformers config.json.');
  }
  const j = json as Json;
  const has = (k: string): boolean => Object.prototype.hasOwnProperty.call(j, k) && j[k] !== undefined;
  const modelType = j.model_type;
  if (modelType !== 'llama' && modelType !== 'qwen2') {
    throw new ConfigError(
      `config.json: model_type ${JSON.stringify(modelType)} is not supported; PSR Lab loads "llama" and "qwen2" checkpoints ` +
        '(set model_type accordingly if the architecture really is one of these).',
    );
  }
  const mt = modelType as ModelType;

  const num = (k: string, required: boolean, dflt?: number): number => {
    if (!has(k) || j[k] === null) {
      if (required || dflt === undefined) {
        throw new ConfigError(`config.json: required field ${k} is missing; add it (a number) to config.json.`);
      }
      return dflt;
    }
    const v = j[k];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new ConfigError(`config.json: ${k} = ${JSON.stringify(v)} must be a number; fix ${k} in config.json.`);
    }
    return v;
  };
  const bool = (k: string, dflt: boolean): boolean => {
    if (!has(k) || j[k] === null) return dflt;
    if (typeof j[k] !== 'boolean') {
      throw new ConfigError(`config.json: ${k} = ${JSON.stringify(j[k])} must be true or false.`);
    }
    return j[k] as boolean;
  };
  const optId = (k: string): number | null => (has(k) && j[k] !== null ? num(k, true) : null);
  const unsupported = (k: string, why: string): never => {
    throw new ConfigError(`config.json: ${k} = ${JSON.stringify(j[k])} is unsupported: ${why}.`);
  };

  // Features that change the math and that we do not implement.
  if (has('rope_scaling') && j.rope_scaling !== null) {
    unsupported('rope_scaling', 'PSR Lab implements plain RoPE only; use a checkpoint without rope_scaling (set it to null)');
  }
  if (has('hidden_act') && j.hidden_act !== 'silu') {
    unsupported('hidden_act', 'the Llama/Qwen2 MLP here is SwiGLU with "silu"');
  }
  if (bool('mlp_bias', false)) unsupported('mlp_bias', 'MLP projections without bias only; set mlp_bias to false');
  if (mt === 'qwen2' && bool('use_sliding_window', false)) {
    unsupported('use_sliding_window', 'full causal attention only; set use_sliding_window to false');
  }
  let ropeTheta = num('rope_theta', false, 10000);
  if (has('rope_parameters') && j.rope_parameters !== null) {
    // Newer transformers write {rope_type, rope_theta} here instead of top-level rope_theta.
    const rp = j.rope_parameters as Json;
    if (typeof rp !== 'object' || (rp.rope_type !== undefined && rp.rope_type !== 'default')) {
      unsupported('rope_parameters', 'only rope_type "default" (plain RoPE) is implemented');
    }
    if (typeof rp.rope_theta === 'number') ropeTheta = rp.rope_theta;
  }

  const hiddenSize = num('hidden_size', true);
  const numHeads = num('num_attention_heads', true);
  let headDim: number;
  if (has('head_dim') && j.head_dim !== null) headDim = num('head_dim', true);
  else {
    if (!Number.isInteger(hiddenSize / numHeads)) {
      throw new ConfigError(
        `config.json: hidden_size = ${hiddenSize} is not divisible by num_attention_heads = ${numHeads} and head_dim is ` +
          'not given; add head_dim or change the sizes.',
      );
    }
    headDim = hiddenSize / numHeads;
  }
  let architectures: string[] = [ARCHITECTURE[mt]];
  if (has('architectures') && j.architectures !== null) {
    if (!Array.isArray(j.architectures) || !j.architectures.every((a) => typeof a === 'string')) {
      throw new ConfigError('config.json: architectures must be a list of class names such as ["LlamaForCausalLM"].');
    }
    architectures = j.architectures as string[];
  }
  const attentionBias = mt === 'llama' ? bool('attention_bias', false) : true;
  let eos: number | number[] | null = null;
  if (Array.isArray(j.eos_token_id)) {
    eos = j.eos_token_id.map((v) => {
      if (typeof v !== 'number') throw new ConfigError('config.json: eos_token_id must be a token id or a list of token ids.');
      return v;
    });
  } else eos = optId('eos_token_id');
  const dtypeField = has('torch_dtype') ? 'torch_dtype' : 'dtype';
  const torchDtype = has(dtypeField) && j[dtypeField] !== null ? j[dtypeField] : 'float32';
  if (typeof torchDtype !== 'string') {
    throw new ConfigError(`config.json: ${dtypeField} must be a string such as "float32" or "bfloat16".`);
  }

  return validateConfig({
    modelType: mt,
    architectures,
    hiddenSize,
    intermediateSize: num('intermediate_size', true),
    numLayers: num('num_hidden_layers', true),
    numHeads,
    numKvHeads: num('num_key_value_heads', false, numHeads),
    headDim,
    vocabSize: num('vocab_size', true),
    maxPositionEmbeddings: num('max_position_embeddings', false, HF_DEFAULT_MAX_POS[mt]),
    rmsNormEps: num('rms_norm_eps', false, 1e-6),
    ropeTheta,
    tieWordEmbeddings: bool('tie_word_embeddings', false),
    qkvBias: attentionBias,
    oBias: mt === 'llama' ? attentionBias : false,
    torchDtype: torchDtype as TorchDtype,
    initializerRange: num('initializer_range', false, 0.02),
    bosTokenId: optId('bos_token_id'),
    eosTokenId: eos,
    padTokenId: optId('pad_token_id'),
  });
}

// ---- ModelConfig → config.json ---------------------------------------------------------------

/** An HF-style config.json object (keys sorted, as transformers writes them). */
export function configToHf(config: ModelConfig): Record<string, unknown> {
  const c = validateConfig(config);
  const out: Record<string, unknown> = {
    architectures: c.architectures.slice(),
    attention_dropout: 0.0,
    hidden_act: 'silu',
    hidden_size: c.hiddenSize,
    initializer_range: c.initializerRange,
    intermediate_size: c.intermediateSize,
    max_position_embeddings: c.maxPositionEmbeddings,
    model_type: c.modelType,
    num_attention_heads: c.numHeads,
    num_hidden_layers: c.numLayers,
    num_key_value_heads: c.numKvHeads,
    rms_norm_eps: c.rmsNormEps,
    rope_scaling: null,
    rope_theta: c.ropeTheta,
    tie_word_embeddings: c.tieWordEmbeddings,
    torch_dtype: c.torchDtype,
    use_cache: true,
    vocab_size: c.vocabSize,
  };
  if (c.modelType === 'llama') {
    out.attention_bias = c.qkvBias;
    out.head_dim = c.headDim;
    out.mlp_bias = false;
    out.pretraining_tp = 1;
  } else {
    out.max_window_layers = c.numLayers;
    out.sliding_window = c.maxPositionEmbeddings; // inert while use_sliding_window is false
    out.use_sliding_window = false;
  }
  if (c.bosTokenId !== null) out.bos_token_id = c.bosTokenId;
  if (c.eosTokenId !== null) out.eos_token_id = Array.isArray(c.eosTokenId) ? c.eosTokenId.slice() : c.eosTokenId;
  if (c.padTokenId !== null) out.pad_token_id = c.padTokenId;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
