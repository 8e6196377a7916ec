// config.json parsing and validation: real-looking Qwen2 and Llama configs, the HF serializer
// round trip, defaults, and each validation message (field, value, range, remedy).
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/lib/errors.ts';
import { configToHf, defineConfig, parseConfig } from '../../../src/lib/model/config.ts';

/** Shaped like Qwen2.5-0.5B-Instruct's config.json. */
const qwen2Json = {
  architectures: ['Qwen2ForCausalLM'],
  attention_dropout: 0.0,
  bos_token_id: 151643,
  eos_token_id: 151645,
  hidden_act: 'silu',
  hidden_size: 896,
  initializer_range: 0.02,
  intermediate_size: 4864,
  max_position_embeddings: 32768,
  max_window_layers: 21,
  model_type: 'qwen2',
  num_attention_heads: 14,
  num_hidden_layers: 24,
  num_key_value_heads: 2,
  rms_norm_eps: 1e-6,
  rope_theta: 1000000.0,
  sliding_window: 32768,
  tie_word_embeddings: true,
  torch_dtype: 'bfloat16',
  transformers_version: '4.43.1',
  use_cache: true,
  use_sliding_window: false,
  vocab_size: 151936,
};

/** Shaped like TinyLlama-1.1B's config.json. */
const llamaJson = {
  architectures: ['LlamaForCausalLM'],
  bos_token_id: 1,
  eos_token_id: 2,
  hidden_act: 'silu',
  hidden_size: 2048,
  initializer_range: 0.02,
  intermediate_size: 5632,
  max_position_embeddings: 2048,
  model_type: 'llama',
  num_attention_heads: 32,
  num_hidden_layers: 22,
  num_key_value_heads: 4,
  pretraining_tp: 1,
  rms_norm_eps: 1e-5,
  rope_scaling: null,
  rope_theta: 10000.0,
  tie_word_embeddings: false,
  torch_dtype: 'float32',
  use_cache: true,
  vocab_size: 32000,
};

function configError(json: unknown): string {
  try {
    parseConfig(json);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('reads a Qwen2 config: head_dim derived, q/k/v bias, no o bias, tied embeddings', () => {
    const c = parseConfig(qwen2Json);
    expect(c).toMatchObject({
      modelType: 'qwen2', hiddenSize: 896, intermediateSize: 4864, numLayers: 24, numHeads: 14, numKvHeads: 2,
      headDim: 64, vocabSize: 151936, maxPositionEmbeddings: 32768, rmsNormEps: 1e-6, ropeTheta: 1e6,
      tieWordEmbeddings: true, qkvBias: true, oBias: false, torchDtype: 'bfloat16', bosTokenId: 151643, eosTokenId: 151645,
      padTokenId: null,
    });
  });

  it('reads a Llama config without attention bias', () => {
    const c = parseConfig(llamaJson);
    expect(c).toMatchObject({ modelType: 'llama', headDim: 64, numKvHeads: 4, qkvBias: false, oBias: false, rmsNormEps: 1e-5 });
  });

  it('llama attention_bias puts a bias on q, k, v and o', () => {
    expect(parseConfig({ ...llamaJson, attention_bias: true })).toMatchObject({ qkvBias: true, oBias: true });
  });

  it('applies HF defaults: kv heads = heads, rope_theta 10000, rms_norm_eps 1e-6, untied, float32', () => {
    const c = parseConfig({ model_type: 'llama', hidden_size: 64, intermediate_size: 128, num_hidden_layers: 2, num_attention_heads: 4, vocab_size: 100 });
    expect(c).toMatchObject({
      numKvHeads: 4, headDim: 16, ropeTheta: 10000, rmsNormEps: 1e-6, tieWordEmbeddings: false, torchDtype: 'float32',
      maxPositionEmbeddings: 2048, architectures: ['LlamaForCausalLM'],
    });
  });

  it('accepts an explicit head_dim, a list of eos ids, newer "dtype" and rope_parameters fields', () => {
    const c = parseConfig({ ...llamaJson, head_dim: 32, eos_token_id: [2, 3], torch_dtype: undefined, dtype: 'bfloat16', rope_theta: undefined, rope_parameters: { rope_type: 'default', rope_theta: 5e5 } });
    expect(c).toMatchObject({ headDim: 32, eosTokenId: [2, 3], torchDtype: 'bfloat16', ropeTheta: 5e5 });
  });
});

describe('configToHf', () => {
  it('round-trips through parseConfig for both families and keeps keys sorted', () => {
    for (const json of [qwen2Json, llamaJson, { ...llamaJson, attention_bias: true, pad_token_id: 0 }]) {
      const c = parseConfig(json);
      const hf = configToHf(c);
      expect(parseConfig(JSON.parse(JSON.stringify(hf)))).toEqual(c);
      const keys = Object.keys(hf);
      expect(keys).toEqual([...keys].sort());
    }
  });

  it('writes the fields LlamaConfig / Qwen2Config need', () => {
    const llama = configToHf(parseConfig(llamaJson));
    expect(llama).toMatchObject({
      model_type: 'llama', architectures: ['LlamaForCausalLM'], hidden_act: 'silu', attention_bias: false, mlp_bias: false,
      head_dim: 64, rope_scaling: null, bos_token_id: 1, eos_token_id: 2, tie_word_embeddings: false, num_key_value_heads: 4,
    });
    expect(llama).not.toHaveProperty('pad_token_id');
    const qwen = configToHf(parseConfig(qwen2Json));
    expect(qwen).toMatchObject({ model_type: 'qwen2', architectures: ['Qwen2ForCausalLM'], use_sliding_window: false, max_window_layers: 24, hidden_act: 'silu' });
    expect(qwen).not.toHaveProperty('attention_bias');
    expect(qwen).not.toHaveProperty('head_dim');
  });
});

describe('defineConfig', () => {
  it('fills defaults per family and validates', () => {
    const q = defineConfig({ modelType: 'qwen2', hiddenSize: 32, intermediateSize: 64, numLayers: 1, numHeads: 4, vocabSize: 50 });
    expect(q).toMatchObject({ headDim: 8, numKvHeads: 4, qkvBias: true, oBias: false, architectures: ['Qwen2ForCausalLM'], maxPositionEmbeddings: 32768 });
    const l = defineConfig({ modelType: 'llama', hiddenSize: 32, intermediateSize: 64, numLayers: 1, numHeads: 4, vocabSize: 50, qkvBias: true });
    expect(l).toMatchObject({ qkvBias: true, oBias: true });
    expect(() => defineConfig({ modelType: 'llama', hiddenSize: 30, intermediateSize: 64, numLayers: 1, numHeads: 4, vocabSize: 50 })).toThrow(ConfigError);
  });
});

describe('validation messages', () => {
  it.each([
    ['not an object', [1, 2], ['JSON object']],
    ['unknown model_type', { ...llamaJson, model_type: 'mistral' }, ['"mistral"', '"llama"', '"qwen2"']],
    ['missing hidden_size', { ...llamaJson, hidden_size: undefined }, ['hidden_size', 'missing']],
    ['non-number field', { ...llamaJson, vocab_size: '32000' }, ['vocab_size', '"32000"', 'must be a number']],
    ['zero layers', { ...llamaJson, num_hidden_layers: 0 }, ['num_hidden_layers = 0', '[1, 1024]']],
    ['absurd vocab', { ...llamaJson, vocab_size: 1e9 }, ['vocab_size', '4194304']],
    ['fractional hidden', { ...llamaJson, hidden_size: 2048.5, head_dim: 64 }, ['hidden_size = 2048.5', 'integer']],
    ['kv heads not dividing heads', { ...llamaJson, num_key_value_heads: 5 }, ['num_key_value_heads = 5', 'divide', '32']],
    ['kv heads above heads', { ...llamaJson, num_key_value_heads: 64 }, ['num_key_value_heads = 64', '[1, 32]']],
    ['hidden not divisible by heads', { ...llamaJson, hidden_size: 2050 }, ['2050', 'not divisible', 'head_dim']],
    ['odd head_dim', { ...llamaJson, head_dim: 63 }, ['head_dim = 63', 'even']],
    ['qwen2 head_dim mismatch', { ...qwen2Json, head_dim: 128 }, ['qwen2', 'head_dim', '896']],
    ['rope_scaling', { ...llamaJson, rope_scaling: { type: 'llama3', factor: 8 } }, ['rope_scaling', 'unsupported', 'null']],
    ['rope_parameters yarn', { ...llamaJson, rope_parameters: { rope_type: 'yarn' } }, ['rope_parameters', 'unsupported']],
    ['hidden_act', { ...llamaJson, hidden_act: 'gelu' }, ['hidden_act', '"gelu"', 'silu']],
    ['mlp_bias', { ...llamaJson, mlp_bias: true }, ['mlp_bias', 'unsupported']],
    ['sliding window', { ...qwen2Json, use_sliding_window: true }, ['use_sliding_window', 'false']],
    ['rms_norm_eps', { ...llamaJson, rms_norm_eps: 0 }, ['rms_norm_eps = 0', '(0, 1)']],
    ['rope_theta', { ...llamaJson, rope_theta: -1 }, ['rope_theta = -1', 'positive']],
    ['token id out of range', { ...llamaJson, eos_token_id: 32000 }, ['eos_token_id = 32000', '[0, 31999]']],
    ['bad eos list', { ...llamaJson, eos_token_id: [2, 'x'] }, ['eos_token_id']],
    ['wrong architecture', { ...llamaJson, architectures: ['LlamaForSequenceClassification'] }, ['architectures', 'LlamaForCausalLM']],
    ['bool field', { ...llamaJson, tie_word_embeddings: 'yes' }, ['tie_word_embeddings', 'true or false']],
    ['torch_dtype', { ...llamaJson, torch_dtype: 'int8' }, ['torch_dtype', '"int8"', 'float32']],
  ] as [string, unknown, string[]][])('%s', (_label, json, mentions) => {
    const msg = configError(json);
    for (const m of mentions) expect(msg).toContain(m);
  });
});
