// Model weights as typed Float32Arrays per layer, named and shaped exactly as HF transformers'
// LlamaForCausalLM / Qwen2ForCausalLM state dicts: the expected-tensor table for a config,
// loading from safetensors (with named errors for missing / unexpected / misshaped tensors),
// saving back, and HF-style random init. Linear weights are (OC, C) row-major: y = x·Wᵀ + b.
import { MissingTensorError, TensorShapeError, UnexpectedTensorError } from '../errors.ts';
import type { ModelConfig } from './config.ts';
import { fillNormal } from './random-init.ts';
import type { UniformSource } from './random-init.ts';
import { writeSafetensors } from '../formats/safetensors.ts';
import type { TensorReader, TensorToWrite } from '../formats/safetensors.ts';

/** One decoder layer. */
export interface LayerWeights {
  inputNorm: Float32Array; // (C)
  qProj: Float32Array; // (NH*HS, C)
  kProj: Float32Array; // (NKV*HS, C)
  vProj: Float32Array; // (NKV*HS, C)
  oProj: Float32Array; // (C, NH*HS)
  qBias: Float32Array | null; // (NH*HS) when config.qkvBias
  kBias: Float32Array | null; // (NKV*HS) when config.qkvBias
  vBias: Float32Array | null; // (NKV*HS) when config.qkvBias
  oBias: Float32Array | null; // (C) when config.oBias
  postAttnNorm: Float32Array; // (C)
  gateProj: Float32Array; // (I, C)
  upProj: Float32Array; // (I, C)
  downProj: Float32Array; // (C, I)
}

export interface ModelWeights {
  embedTokens: Float32Array; // (V, C)
  layers: LayerWeights[];
  norm: Float32Array; // (C)
  /** (V, C); null when config.tieWordEmbeddings (the output projection is embedTokens). */
  lmHead: Float32Array | null;
}

export type LayerKey = keyof LayerWeights;
export type TopKey = 'embedTokens' | 'norm' | 'lmHead';
export type TensorKind = 'embedding' | 'linear' | 'norm' | 'bias';

/** One expected tensor: HF name, shape, and where it lives in ModelWeights. */
export interface TensorSpec {
  name: string;
  shape: number[];
  kind: TensorKind;
  /** Layer index, or null for embedTokens / norm / lmHead. */
  layer: number | null;
  key: LayerKey | TopKey;
}

/** Every tensor a checkpoint of this config must hold, in HF state-dict order. */
export function tensorSpecs(config: ModelConfig): TensorSpec[] {
  const { hiddenSize: C, intermediateSize: I, numHeads: NH, numKvHeads: NKV, headDim: HS, vocabSize: V } = config;
  const specs: TensorSpec[] = [{ name: 'model.embed_tokens.weight', shape: [V, C], kind: 'embedding', layer: null, key: 'embedTokens' }];
  for (let l = 0; l < config.numLayers; l++) {
    const p = `model.layers.${l}.`;
    const add = (name: string, shape: number[], kind: TensorKind, key: LayerKey): void => {
      specs.push({ name: p + name, shape, kind, layer: l, key });
    };
    add('input_layernorm.weight', [C], 'norm', 'inputNorm');
    add('self_attn.q_proj.weight', [NH * HS, C], 'linear', 'qProj');
    add('self_attn.k_proj.weight', [NKV * HS, C], 'linear', 'kProj');
    add('self_attn.v_proj.weight', [NKV * HS, C], 'linear', 'vProj');
    add('self_attn.o_proj.weight', [C, NH * HS], 'linear', 'oProj');
    if (config.qkvBias) {
      add('self_attn.q_proj.bias', [NH * HS], 'bias', 'qBias');
      add('self_attn.k_proj.bias', [NKV * HS], 'bias', 'kBias');
      add('self_attn.v_proj.bias', [NKV * HS], 'bias', 'vBias');
    }
    if (config.oBias) add('self_attn.o_proj.bias', [C], 'bias', 'oBias');
    add('post_attention_layernorm.weight', [C], 'norm', 'postAttnNorm');
    add('mlp.gate_proj.weight', [I, C], 'linear', 'gateProj');
    add('mlp.up_proj.weight', [I, C], 'linear', 'upProj');
    add('mlp.down_proj.weight', [C, I], 'linear', 'downProj');
  }
  specs.push({ name: 'model.norm.weight', shape: [C], kind: 'norm', layer: null, key: 'norm' });
  if (!config.tieWordEmbeddings) {
    specs.push({ name: 'lm_head.weight', shape: [V, C], kind: 'linear', layer: null, key: 'lmHead' });
  }
  return specs;
}

/** Total number of parameters (tied embeddings counted once). */
export function parameterCount(config: ModelConfig): number {
  return tensorSpecs(config).reduce((n, s) => n + numel(s.shape), 0);
}

const numel = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/** The array a spec points at (null for an absent optional bias). */
export function tensorOf(weights: ModelWeights, spec: TensorSpec): Float32Array | null {
  if (spec.layer === null) return weights[spec.key as TopKey];
  return weights.layers[spec.layer][spec.key as LayerKey];
}

/** An empty (all-null) weights skeleton to be filled spec by spec. */
function emptyWeights(config: ModelConfig): ModelWeights {
  const z = new Float32Array(0);
  const layers: LayerWeights[] = [];
  for (let l = 0; l < config.numLayers; l++) {
    layers.push({
      inputNorm: z, qProj: z, kProj: z, vProj: z, oProj: z, qBias: null, kBias: null, vBias: null, oBias: null,
      postAttnNorm: z, gateProj: z, upProj: z, downProj: z,
    });
  }
  return { embedTokens: z, layers, norm: z, lmHead: null };
}

function setTensor(weights: ModelWeights, spec: TensorSpec, data: Float32Array): void {
  if (spec.layer === null) weights[spec.key as TopKey] = data;
  else (weights.layers[spec.layer] as unknown as Record<string, Float32Array>)[spec.key] = data;
}

/** "a, b, c and 7 more" */
export function listSome(items: string[], max = 8): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

const shapeStr = (s: readonly number[]): string => `[${s.join(', ')}]`;

/** Tensors real HF checkpoints may carry that we recompute (RoPE inverse frequencies). */
const IGNORABLE = /^model\.layers\.\d+\.self_attn\.rotary_emb\.inv_freq$/;

/** Weights from tensors by their HF names (e.g. a training checkpoint's parameters), checked like a checkpoint. */
export function weightsFromTensors(config: ModelConfig, tensors: ReadonlyMap<string, Float32Array>): ModelWeights {
  const shapes = new Map(tensorSpecs(config).map((s) => [s.name, s.shape]));
  const reader: TensorReader = {
    names: [...tensors.keys()],
    has: (name) => tensors.has(name),
    // A flat tensor of the spec's size takes the spec's shape; any other size shows as its length.
    info: (name) => {
      const n = tensors.get(name)!.length;
      const shape = shapes.get(name);
      return { dtype: 'F32', shape: shape && shape.reduce((a, b) => a * b, 1) === n ? shape : [n] };
    },
    getF32: (name) => tensors.get(name)!.slice(),
  };
  return loadWeights(config, reader);
}

/**
 * Load every tensor the config expects from `reader`, converting to f32.
 * Throws MissingTensorError, TensorShapeError or UnexpectedTensorError listing the offending names.
 */
export function loadWeights(config: ModelConfig, reader: TensorReader): ModelWeights {
  const specs = tensorSpecs(config);
  const expected = new Set(specs.map((s) => s.name));
  const missing = specs.filter((s) => !reader.has(s.name)).map((s) => s.name);
  if (missing.length > 0) {
    throw new MissingTensorError(
      `checkpoint lacks ${missing.length} tensor(s) that config.json requires: ${listSome(missing)}; ` +
        'check that config.json belongs to these weights (num_hidden_layers, attention_bias, tie_word_embeddings) ' +
        'or re-export the checkpoint with all tensors.',
    );
  }
  const misshaped: string[] = [];
  for (const s of specs) {
    const found = reader.info(s.name).shape;
    if (found.length !== s.shape.length || found.some((d, i) => d !== s.shape[i])) {
      misshaped.push(`${s.name} expected ${shapeStr(s.shape)} found ${shapeStr(found)}`);
    }
  }
  if (misshaped.length > 0) {
    throw new TensorShapeError(
      `checkpoint tensor shapes disagree with config.json: ${listSome(misshaped, 5)}; ` +
        'fix the sizes in config.json (hidden_size, intermediate_size, heads, head_dim, vocab_size) to match the weights.',
    );
  }
  const tiedHead = config.tieWordEmbeddings && reader.has('lm_head.weight');
  const unexpected = reader.names.filter(
    (n) => !expected.has(n) && !IGNORABLE.test(n) && !(tiedHead && n === 'lm_head.weight'),
  );
  if (unexpected.length > 0) {
    throw new UnexpectedTensorError(
      `checkpoint holds ${unexpected.length} tensor(s) config.json does not explain: ${listSome(unexpected)}; ` +
        'check attention_bias / num_hidden_layers / tie_word_embeddings in config.json, or remove those tensors.',
    );
  }
  const weights = emptyWeights(config);
  for (const s of specs) setTensor(weights, s, reader.getF32(s.name));
  if (tiedHead) {
    const head = reader.getF32('lm_head.weight');
    const same = head.length === weights.embedTokens.length && head.every((v, i) => Object.is(v, weights.embedTokens[i]));
    if (!same) {
      throw new UnexpectedTensorError(
        'checkpoint holds lm_head.weight that differs from model.embed_tokens.weight although tie_word_embeddings is true; ' +
          'set tie_word_embeddings to false in config.json to use the separate output head.',
      );
    }
  }
  return weights;
}

/** Throw TensorShapeError unless every array in `weights` has the length its spec implies. */
export function checkWeights(config: ModelConfig, weights: ModelWeights): void {
  if (weights.layers.length !== config.numLayers) {
    throw new TensorShapeError(
      `weights have ${weights.layers.length} layers but the config has num_hidden_layers = ${config.numLayers}; ` +
        'pass weights built for this config.',
    );
  }
  const specs = tensorSpecs(config);
  for (const s of specs) {
    const a = tensorOf(weights, s);
    if (a === null || a.length !== numel(s.shape)) {
      throw new TensorShapeError(
        `weight ${s.name} expected ${shapeStr(s.shape)} (${numel(s.shape)} values) found ` +
          `${a === null ? 'null' : `${a.length} values`}; pass weights built for this config.`,
      );
    }
  }
  if (config.tieWordEmbeddings && weights.lmHead !== null) {
    throw new TensorShapeError('config ties word embeddings but weights.lmHead is set; set lmHead to null (embedTokens is the head).');
  }
  for (const [key, flag] of [['qBias', config.qkvBias], ['kBias', config.qkvBias], ['vBias', config.qkvBias], ['oBias', config.oBias]] as const) {
    if (!flag && weights.layers.some((l) => l[key] !== null)) {
      throw new TensorShapeError(`weights carry ${key} but the config has no such bias; set it to null or enable the bias in the config.`);
    }
  }
}

/** Serialize weights to safetensors bytes with HF names (metadata {format: "pt"}, as transformers expects). */
export function saveWeights(
  config: ModelConfig,
  weights: ModelWeights,
  dtype: 'F32' | 'F16' | 'BF16' = 'F32',
  metadata: Record<string, string> = {},
): Uint8Array {
  checkWeights(config, weights);
  const tensors: Record<string, TensorToWrite> = {};
  for (const s of tensorSpecs(config)) tensors[s.name] = { dtype, shape: s.shape, data: tensorOf(weights, s)! };
  return writeSafetensors(tensors, { format: 'pt', ...metadata });
}

/**
 * Random init as HF's _init_weights: linears and embeddings N(0, initializer_range²), norms 1,
 * biases 0, and the embedding row of pad_token_id zeroed (nn.Embedding padding_idx).
 */
export function initWeights(config: ModelConfig, rng: UniformSource): ModelWeights {
  const weights = emptyWeights(config);
  for (const s of tensorSpecs(config)) {
    const a = new Float32Array(numel(s.shape));
    if (s.kind === 'norm') a.fill(1);
    else if (s.kind !== 'bias') fillNormal(a, config.initializerRange, rng);
    setTensor(weights, s, a);
  }
  if (config.padTokenId !== null) {
    const C = config.hiddenSize;
    weights.embedTokens.fill(0, config.padTokenId * C, (config.padTokenId + 1) * C);
  }
  return weights;
}

/** Deep copy. */
export function cloneWeights(w: ModelWeights): ModelWeights {
  const c = (a: Float32Array | null): Float32Array | null => (a === null ? null : a.slice());
  return {
    embedTokens: w.embedTokens.slice(),
    layers: w.layers.map((l) => ({
      inputNorm: l.inputNorm.slice(), qProj: l.qProj.slice(), kProj: l.kProj.slice(), vProj: l.vProj.slice(),
      oProj: l.oProj.slice(), qBias: c(l.qBias), kBias: c(l.kBias), vBias: c(l.vBias), oBias: c(l.oBias),
      postAttnNorm: l.postAttnNorm.slice(), gateProj: l.gateProj.slice(), upProj: l.upProj.slice(), downProj: l.downProj.slice(),
    })),
    norm: w.norm.slice(),
    lmHead: c(w.lmHead),
  };
}

/** The output projection (V, C): lmHead, or embedTokens when tied. */
export function outputProjection(w: ModelWeights): Float32Array {
  return w.lmHead ?? w.embedTokens;
}
