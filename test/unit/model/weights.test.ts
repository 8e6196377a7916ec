// Expected HF tensor names/shapes per config, HF-style random init, save → load round trips,
// and the named errors for missing, unexpected and misshaped tensors.
import { describe, expect, it } from 'vitest';
import { MissingTensorError, TensorShapeError, UnexpectedTensorError } from '../../../src/lib/errors.ts';
import { f32ArrayToBf16, bf16ArrayToF32 } from '../../../src/lib/formats/half.ts';
import { parseSafetensors, writeSafetensors } from '../../../src/lib/formats/safetensors.ts';
import type { TensorToWrite } from '../../../src/lib/formats/safetensors.ts';
import {
  checkWeights, cloneWeights, initWeights, loadWeights, outputProjection, parameterCount, saveWeights, tensorOf, tensorSpecs,
} from '../../../src/lib/model/weights.ts';
import { seededRng, tinyConfig } from './helpers.ts';

describe('tensorSpecs', () => {
  it('lists HF names and shapes for an untied llama without bias', () => {
    const specs = tensorSpecs(tinyConfig());
    const byName = Object.fromEntries(specs.map((s) => [s.name, s.shape]));
    expect(byName['model.embed_tokens.weight']).toEqual([16, 8]);
    expect(byName['model.layers.1.self_attn.q_proj.weight']).toEqual([8, 8]); // NH·HS = 2·4
    expect(byName['model.layers.1.self_attn.k_proj.weight']).toEqual([4, 8]); // NKV·HS = 1·4
    expect(byName['model.layers.0.self_attn.o_proj.weight']).toEqual([8, 8]);
    expect(byName['model.layers.0.mlp.gate_proj.weight']).toEqual([12, 8]);
    expect(byName['model.layers.0.mlp.down_proj.weight']).toEqual([8, 12]);
    expect(byName['model.layers.0.input_layernorm.weight']).toEqual([8]);
    expect(byName['model.layers.0.post_attention_layernorm.weight']).toEqual([8]);
    expect(byName['model.norm.weight']).toEqual([8]);
    expect(byName['lm_head.weight']).toEqual([16, 8]);
    expect(specs.some((s) => s.name.endsWith('.bias'))).toBe(false);
    expect(specs.length).toBe(1 + 2 * 9 + 1 + 1);
  });

  it('adds q/k/v biases for qwen2, o bias too for llama attention_bias, and drops lm_head when tied', () => {
    const qwen = tensorSpecs(tinyConfig({ modelType: 'qwen2', numKvHeads: 1, tieWordEmbeddings: true })).map((s) => s.name);
    expect(qwen).toContain('model.layers.0.self_attn.q_proj.bias');
    expect(qwen).toContain('model.layers.0.self_attn.v_proj.bias');
    expect(qwen).not.toContain('model.layers.0.self_attn.o_proj.bias');
    expect(qwen).not.toContain('lm_head.weight');
    const llama = tensorSpecs(tinyConfig({ qkvBias: true })).map((s) => s.name);
    expect(llama).toContain('model.layers.1.self_attn.o_proj.bias');
    expect(llama).toContain('model.layers.1.self_attn.k_proj.bias');
  });

  it('parameterCount sums the specs', () => {
    const c = tinyConfig();
    const perLayer = 8 + 8 * 8 + 4 * 8 * 2 + 8 * 8 + 8 + 12 * 8 * 3;
    expect(parameterCount(c)).toBe(16 * 8 + 2 * perLayer + 8 + 16 * 8);
  });
});

describe('initWeights', () => {
  it('norms are 1, biases 0, linears/embeddings N(0, 0.02²), pad row zero, deterministic per seed', () => {
    const c = tinyConfig({ modelType: 'qwen2', hiddenSize: 64, intermediateSize: 96, numHeads: 4, numKvHeads: 2, vocabSize: 300, padTokenId: 5 });
    const w = initWeights(c, seededRng(1));
    checkWeights(c, w);
    expect(w.layers[0].inputNorm.every((v) => v === 1)).toBe(true);
    expect(w.norm.every((v) => v === 1)).toBe(true);
    expect(w.layers[1].qBias!.every((v) => v === 0)).toBe(true);
    expect(w.embedTokens.subarray(5 * 64, 6 * 64).every((v) => v === 0)).toBe(true);
    const x = w.embedTokens;
    const mean = x.reduce((a, b) => a + b, 0) / x.length;
    const std = Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length);
    expect(Math.abs(mean)).toBeLessThan(0.002);
    expect(std).toBeGreaterThan(0.0195);
    expect(std).toBeLessThan(0.0205);
    expect(initWeights(c, seededRng(1)).layers[1].gateProj).toEqual(w.layers[1].gateProj);
    expect(initWeights(c, seededRng(2)).layers[1].gateProj).not.toEqual(w.layers[1].gateProj);
  });
});

describe('save → load', () => {
  it('round-trips exactly in F32, including biases and untied head', () => {
    const c = tinyConfig({ qkvBias: true });
    const w = initWeights(c, seededRng(3));
    w.layers[0].oBias!.fill(0.25);
    const file = parseSafetensors(saveWeights(c, w));
    expect(file.metadata).toEqual({ format: 'pt' });
    expect(loadWeights(c, file)).toEqual(w);
  });

  it('BF16 and F16 saves load back as the rounded values', () => {
    const c = tinyConfig({ tieWordEmbeddings: true });
    const w = initWeights(c, seededRng(4));
    const bf = loadWeights(c, parseSafetensors(saveWeights(c, w, 'BF16')));
    expect(bf.lmHead).toBeNull();
    expect(bf.layers[1].upProj).toEqual(bf16ArrayToF32(f32ArrayToBf16(w.layers[1].upProj)));
    const h = loadWeights(c, parseSafetensors(saveWeights(c, w, 'F16')));
    for (let i = 0; i < w.embedTokens.length; i++) expect(Math.abs(h.embedTokens[i] - w.embedTokens[i])).toBeLessThanOrEqual(2 ** -11 * Math.abs(w.embedTokens[i]) + 2 ** -24);
    expect(outputProjection(h)).toBe(h.embedTokens);
  });

  it('ignores rotary inv_freq buffers and a tied lm_head identical to the embeddings', () => {
    const c = tinyConfig({ tieWordEmbeddings: true });
    const w = initWeights(c, seededRng(5));
    const tensors: Record<string, TensorToWrite> = {};
    for (const s of tensorSpecs(c)) tensors[s.name] = { dtype: 'F32', shape: s.shape, data: tensorOf(w, s)! };
    tensors['model.layers.0.self_attn.rotary_emb.inv_freq'] = { dtype: 'F32', shape: [2], data: new Float32Array(2) };
    tensors['lm_head.weight'] = { dtype: 'F32', shape: [16, 8], data: w.embedTokens };
    expect(loadWeights(c, parseSafetensors(writeSafetensors(tensors))).embedTokens).toEqual(w.embedTokens);
    tensors['lm_head.weight'] = { dtype: 'F32', shape: [16, 8], data: w.embedTokens.map((v) => v + 1) };
    expect(() => loadWeights(c, parseSafetensors(writeSafetensors(tensors)))).toThrow(/tie_word_embeddings to false/);
  });
});

/** Tensors of a valid checkpoint for `c`, as a writable record to edit. */
function validTensors(c = tinyConfig()): Record<string, TensorToWrite> {
  const w = initWeights(c, seededRng(9));
  const out: Record<string, TensorToWrite> = {};
  for (const s of tensorSpecs(c)) out[s.name] = { dtype: 'F32', shape: s.shape, data: tensorOf(w, s)! };
  return out;
}

function loadError(tensors: Record<string, TensorToWrite>, c = tinyConfig()): Error {
  try {
    loadWeights(c, parseSafetensors(writeSafetensors(tensors)));
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected loadWeights to throw');
}

describe('load errors', () => {
  it('missing tensors are named', () => {
    const t = validTensors();
    delete t['model.layers.1.mlp.up_proj.weight'];
    delete t['model.norm.weight'];
    const err = loadError(t);
    expect(err).toBeInstanceOf(MissingTensorError);
    expect(err.message).toContain('2 tensor(s)');
    expect(err.message).toContain('model.layers.1.mlp.up_proj.weight');
    expect(err.message).toContain('model.norm.weight');
    expect(err.message).toContain('config.json');
  });

  it('a config with attention bias against bias-free weights reports the missing biases', () => {
    const err = loadError(validTensors(), tinyConfig({ qkvBias: true }));
    expect(err).toBeInstanceOf(MissingTensorError);
    expect(err.message).toContain('model.layers.0.self_attn.q_proj.bias');
    expect(err.message).toContain('attention_bias');
  });

  it('unexpected tensors are named', () => {
    const t = validTensors();
    t['model.layers.2.mlp.up_proj.weight'] = { dtype: 'F32', shape: [1], data: new Float32Array(1) };
    const err = loadError(t);
    expect(err).toBeInstanceOf(UnexpectedTensorError);
    expect(err.message).toContain('model.layers.2.mlp.up_proj.weight');
    expect(err.message).toContain('num_hidden_layers');
  });

  it('misshaped tensors say expected vs found', () => {
    const t = validTensors();
    t['model.layers.0.self_attn.k_proj.weight'] = { dtype: 'F32', shape: [8, 8], data: new Float32Array(64) };
    const err = loadError(t);
    expect(err).toBeInstanceOf(TensorShapeError);
    expect(err.message).toContain('model.layers.0.self_attn.k_proj.weight expected [4, 8] found [8, 8]');
  });

  it('checkWeights rejects arrays of the wrong length, stray biases and a head on a tied model', () => {
    const c = tinyConfig();
    const w = initWeights(c, seededRng(1));
    const bad = cloneWeights(w);
    bad.layers[1].downProj = new Float32Array(3);
    expect(() => saveWeights(c, bad)).toThrow(/model\.layers\.1\.mlp\.down_proj\.weight expected \[8, 12\]/);
    const stray = cloneWeights(w);
    stray.layers[0].qBias = new Float32Array(8);
    expect(() => checkWeights(c, stray)).toThrow(TensorShapeError);
    expect(() => checkWeights(tinyConfig({ tieWordEmbeddings: true }), w)).toThrow(/lmHead to null/);
    expect(() => checkWeights(tinyConfig({ numLayers: 3 }), w)).toThrow(/num_hidden_layers = 3/);
  });
});
