// LoRA: adapter_config.json parse/validate/serialize (PEFT fields), PEFT tensor names and shapes,
// PEFT-style init, save → load round trip with named errors, and merging (zero-B is identity;
// merged W equals W + scale·B·A computed independently).
import { describe, expect, it } from 'vitest';
import { LoraConfigError, MissingTensorError, TensorShapeError, UnexpectedTensorError } from '../../../src/lib/errors.ts';
import { defineLoraConfig, loraConfigToPeft, loraScale, parseLoraConfig } from '../../../src/lib/model/lora-config.ts';
import {
  checkAdapter, initLora, loadLoraTensors, loraTensorSpecs, mergeLora, saveLoraTensors, targetDims,
} from '../../../src/lib/model/lora.ts';
import type { LoraAdapter } from '../../../src/lib/model/lora.ts';
import { parseSafetensors, writeSafetensors } from '../../../src/lib/formats/safetensors.ts';
import { cloneWeights, initWeights } from '../../../src/lib/model/weights.ts';
import { seededRng, tinyConfig } from './helpers.ts';

/** As PEFT 0.13 writes it for a q/v LoRA (extra fields included). */
const peftJson = {
  alpha_pattern: {}, auto_mapping: null, base_model_name_or_path: 'Qwen/Qwen2.5-0.5B', bias: 'none', fan_in_fan_out: false,
  inference_mode: true, init_lora_weights: true, layer_replication: null, layers_pattern: null, layers_to_transform: null,
  loftq_config: {}, lora_alpha: 16, lora_dropout: 0.05, megatron_config: null, megatron_core: 'megatron.core',
  modules_to_save: null, peft_type: 'LORA', r: 8, rank_pattern: {}, revision: null, target_modules: ['v_proj', 'q_proj'],
  task_type: 'CAUSAL_LM', use_dora: false, use_rslora: false,
};

describe('adapter_config.json', () => {
  it('parses PEFT output, orders target modules canonically, and computes scale', () => {
    const c = parseLoraConfig(peftJson);
    expect(c).toEqual({ r: 8, alpha: 16, targetModules: ['q_proj', 'v_proj'], dropout: 0.05, useRslora: false, baseModelNameOrPath: 'Qwen/Qwen2.5-0.5B' });
    expect(loraScale(c)).toBe(2);
    expect(loraScale({ ...c, useRslora: true })).toBeCloseTo(16 / Math.sqrt(8), 12);
  });

  it('serializes with the fields PEFT LoraConfig accepts and parses back equal', () => {
    const c = defineLoraConfig({ r: 4, alpha: 8, targetModules: ['down_proj', 'q_proj'], baseModelNameOrPath: 'psr-lab/tiny' });
    const json = loraConfigToPeft(c);
    expect(json).toMatchObject({
      peft_type: 'LORA', task_type: 'CAUSAL_LM', r: 4, lora_alpha: 8, target_modules: ['q_proj', 'down_proj'], lora_dropout: 0,
      bias: 'none', fan_in_fan_out: false, inference_mode: true, base_model_name_or_path: 'psr-lab/tiny', use_dora: false,
    });
    expect(parseLoraConfig(JSON.parse(JSON.stringify(json)))).toEqual(c);
  });

  it.each([
    ['peft_type', { ...peftJson, peft_type: 'IA3' }, ['peft_type', 'LORA']],
    ['task_type', { ...peftJson, task_type: 'SEQ_CLS' }, ['task_type', 'CAUSAL_LM']],
    ['bias', { ...peftJson, bias: 'all' }, ['bias', '"none"']],
    ['dora', { ...peftJson, use_dora: true }, ['use_dora', 'DoRA']],
    ['fan_in_fan_out', { ...peftJson, fan_in_fan_out: true }, ['fan_in_fan_out']],
    ['layers_to_transform', { ...peftJson, layers_to_transform: [0] }, ['layers_to_transform', 'every layer']],
    ['modules_to_save', { ...peftJson, modules_to_save: ['lm_head'] }, ['modules_to_save']],
    ['rank_pattern', { ...peftJson, rank_pattern: { q_proj: 4 } }, ['rank_pattern']],
    ['all-linear', { ...peftJson, target_modules: 'all-linear' }, ['target_modules', 'all-linear', 'q_proj']],
    ['unknown module', { ...peftJson, target_modules: ['q_proj', 'lm_head'] }, ['["lm_head"]', 'not supported']],
    ['empty targets', { ...peftJson, target_modules: [] }, ['target_modules', 'non-empty']],
    ['r zero', { ...peftJson, r: 0 }, ['r = 0', 'integer']],
    ['missing r', { ...peftJson, r: undefined }, ['r', 'missing']],
    ['alpha', { ...peftJson, lora_alpha: -1 }, ['lora_alpha = -1', 'positive']],
    ['dropout', { ...peftJson, lora_dropout: 1 }, ['lora_dropout = 1']],
    ['not object', 'x', ['JSON object']],
  ] as [string, unknown, string[]][])('rejects %s', (_label, json, mentions) => {
    let msg = '';
    try {
      parseLoraConfig(json);
    } catch (err) {
      expect(err).toBeInstanceOf(LoraConfigError);
      msg = (err as Error).message;
    }
    expect(msg).not.toBe('');
    for (const m of mentions) expect(msg).toContain(m);
  });
});

const base = tinyConfig(); // C 8, I 12, NH 2, NKV 1, HS 4, 2 layers
const allTargets = defineLoraConfig({ r: 2, alpha: 4, targetModules: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] });

describe('PEFT tensors', () => {
  it('uses PEFT names and shapes lora_A (r, in), lora_B (out, r)', () => {
    const specs = Object.fromEntries(loraTensorSpecs(base, allTargets).map((s) => [s.name, s.shape]));
    expect(specs['base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight']).toEqual([2, 8]);
    expect(specs['base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight']).toEqual([8, 2]);
    expect(specs['base_model.model.model.layers.1.self_attn.k_proj.lora_B.weight']).toEqual([4, 2]);
    expect(specs['base_model.model.model.layers.1.mlp.down_proj.lora_A.weight']).toEqual([2, 12]);
    expect(specs['base_model.model.model.layers.1.mlp.gate_proj.lora_B.weight']).toEqual([12, 2]);
    expect(Object.keys(specs).length).toBe(2 * 7 * 2);
    expect(targetDims(base, 'o_proj')).toEqual({ inFeatures: 8, outFeatures: 8 });
  });

  it('inits like PEFT: A within ±1/√in and spread over it, B zero', () => {
    const big = tinyConfig({ hiddenSize: 64, intermediateSize: 96, numHeads: 4, numKvHeads: 2 });
    const a = initLora(big, defineLoraConfig({ r: 8, alpha: 16, targetModules: ['q_proj', 'down_proj'] }), seededRng(1));
    const q = a.layers[0].q_proj!;
    const bound = 1 / Math.sqrt(64);
    expect(q.a.length).toBe(8 * 64);
    expect(Math.max(...q.a.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...q.a.map(Math.abs))).toBeGreaterThan(0.95 * bound);
    expect(q.b.every((v) => v === 0)).toBe(true);
    expect(Math.max(...a.layers[1].down_proj!.a.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(96));
    expect(a.layers[0].k_proj).toBeUndefined();
  });

  it('save → parse → load round-trips exactly', () => {
    const adapter = initLora(base, allTargets, seededRng(2));
    for (const l of adapter.layers) for (const p of Object.values(l)) p!.b.forEach((_, i, b) => (b[i] = Math.sin(i + 1)));
    const file = parseSafetensors(saveLoraTensors(base, adapter));
    expect(file.metadata).toEqual({ format: 'pt' });
    expect(loadLoraTensors(base, allTargets, file)).toEqual(adapter);
  });

  it('load errors: missing, misshaped and unexpected tensors', () => {
    const qv = defineLoraConfig({ r: 2, alpha: 4, targetModules: ['q_proj', 'v_proj'] });
    const bytes = saveLoraTensors(base, initLora(base, qv, seededRng(3)));
    // The file has q/v only, the config asks for o too.
    const withO = defineLoraConfig({ r: 2, alpha: 4, targetModules: ['q_proj', 'v_proj', 'o_proj'] });
    expect(() => loadLoraTensors(base, withO, parseSafetensors(bytes))).toThrow(MissingTensorError);
    expect(() => loadLoraTensors(base, withO, parseSafetensors(bytes))).toThrow(/self_attn\.o_proj\.lora_A\.weight/);
    // Rank in the config differs from the file.
    expect(() => loadLoraTensors(base, { ...qv, r: 4 }, parseSafetensors(bytes))).toThrow(TensorShapeError);
    expect(() => loadLoraTensors(base, { ...qv, r: 4 }, parseSafetensors(bytes))).toThrow(/expected \[4, 8\] found \[2, 8\]/);
    // The file has q/v, the config only q.
    const qOnly = defineLoraConfig({ r: 2, alpha: 4, targetModules: ['q_proj'] });
    expect(() => loadLoraTensors(base, qOnly, parseSafetensors(bytes))).toThrow(UnexpectedTensorError);
    // A base with another width.
    const wide = tinyConfig({ hiddenSize: 16 });
    expect(() => loadLoraTensors(wide, qv, parseSafetensors(bytes))).toThrow(/expected \[2, 16\] found \[2, 8\]/);
    // An extra stray tensor.
    const file = parseSafetensors(bytes);
    const extra = writeSafetensors(
      Object.fromEntries([...file.names.map((n) => [n, { dtype: 'F32' as const, shape: file.info(n).shape, data: file.getF32(n) }]),
        ['base_model.model.lm_head.lora_A.weight', { dtype: 'F32' as const, shape: [1], data: new Float32Array(1) }]]),
    );
    expect(() => loadLoraTensors(base, qv, parseSafetensors(extra))).toThrow(/lm_head\.lora_A/);
  });

  it('checkAdapter rejects adapters that do not fit the base', () => {
    const adapter = initLora(base, allTargets, seededRng(4));
    expect(() => checkAdapter(tinyConfig({ numLayers: 3 }), adapter)).toThrow(/3/);
    expect(() => checkAdapter(tinyConfig({ intermediateSize: 16 }), adapter)).toThrow(TensorShapeError);
    expect(() => checkAdapter(base, adapter)).not.toThrow();
  });
});

describe('mergeLora', () => {
  const weights = initWeights(base, seededRng(10));

  it('a zero-B adapter is the identity, bit for bit, and inputs are untouched', () => {
    const adapter = initLora(base, allTargets, seededRng(11));
    const before = cloneWeights(weights);
    const merged = mergeLora(weights, adapter);
    expect(merged).toEqual(weights);
    expect(merged.layers[0].qProj).not.toBe(weights.layers[0].qProj);
    expect(weights).toEqual(before);
  });

  it('equals W + scale·B·A elementwise (independent triple loop), with rsLoRA scale too', () => {
    for (const useRslora of [false, true]) {
      const cfg = { ...allTargets, useRslora };
      const adapter: LoraAdapter = initLora(base, cfg, seededRng(12));
      const rng = seededRng(13);
      for (const l of adapter.layers) for (const p of Object.values(l)) p!.b.forEach((_, i, b) => (b[i] = rng.nextFloat() - 0.5));
      const merged = mergeLora(weights, adapter);
      const scale = useRslora ? 4 / Math.sqrt(2) : 2;
      const R = 2;
      let maxErr = 0;
      for (const [l, layer] of adapter.layers.entries()) {
        for (const [t, key] of [['q_proj', 'qProj'], ['k_proj', 'kProj'], ['o_proj', 'oProj'], ['down_proj', 'downProj']] as const) {
          const { inFeatures: cin, outFeatures: oc } = targetDims(base, t);
          const { a, b } = layer[t]!;
          const W = weights.layers[l][key];
          const M = merged.layers[l][key];
          for (let o = 0; o < oc; o++) {
            for (let i = 0; i < cin; i++) {
              let d = 0;
              for (let r = 0; r < R; r++) d += b[o * R + r] * a[r * cin + i];
              maxErr = Math.max(maxErr, Math.abs(M[o * cin + i] - Math.fround(W[o * cin + i] + scale * d)));
            }
          }
        }
      }
      expect(maxErr).toBeLessThan(1e-7);
      expect(merged.layers[0].qProj).not.toEqual(weights.layers[0].qProj); // the merge did change W
      expect(merged.layers[0].inputNorm).toEqual(weights.layers[0].inputNorm);
      expect(merged.embedTokens).toEqual(weights.embedTokens);
    }
  });

  it('refuses an adapter built for another base', () => {
    const other = initLora(tinyConfig({ hiddenSize: 16 }), allTargets, seededRng(14));
    expect(() => mergeLora(weights, other)).toThrow(TensorShapeError);
  });
});
