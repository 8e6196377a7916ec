// LoRA adapters: per layer and target projection a pair A (R, C_in), B (OC, R) so that the adapted
// weight is W' = W + scale·B·A. PEFT-compatible tensor names (adapter_model.safetensors), PEFT's init
// (A ~ kaiming_uniform(a=√5) = U(±1/√C_in), B = 0), load/save with named errors, and merging into a base copy.
import { MissingTensorError, TensorShapeError, UnexpectedTensorError } from '../errors.ts';
import type { ModelConfig } from './config.ts';
import { LORA_TARGETS, loraScale, validateLoraConfig } from './lora-config.ts';
import type { LoraConfig, LoraTarget } from './lora-config.ts';
import { fillUniform } from './random-init.ts';
import type { UniformSource } from './random-init.ts';
import { writeSafetensors } from '../formats/safetensors.ts';
import type { TensorReader, TensorToWrite } from '../formats/safetensors.ts';
import { cloneWeights, listSome } from './weights.ts';
import type { LayerKey, ModelWeights } from './weights.ts';

export interface LoraPair {
  a: Float32Array; // (R, C_in)
  b: Float32Array; // (OC, R)
}

export interface LoraAdapter {
  config: LoraConfig;
  /** One entry per base layer; each holds a pair for every module in config.targetModules. */
  layers: Partial<Record<LoraTarget, LoraPair>>[];
}

/** Which LayerWeights matrix each target adapts. */
export const TARGET_WEIGHT: Record<LoraTarget, LayerKey> = {
  q_proj: 'qProj', k_proj: 'kProj', v_proj: 'vProj', o_proj: 'oProj',
  gate_proj: 'gateProj', up_proj: 'upProj', down_proj: 'downProj',
};

/** (C_in, OC) of a target's base Linear. */
export function targetDims(config: ModelConfig, target: LoraTarget): { inFeatures: number; outFeatures: number } {
  const { hiddenSize: C, intermediateSize: I, numHeads: NH, numKvHeads: NKV, headDim: HS } = config;
  switch (target) {
    case 'q_proj': return { inFeatures: C, outFeatures: NH * HS };
    case 'k_proj': case 'v_proj': return { inFeatures: C, outFeatures: NKV * HS };
    case 'o_proj': return { inFeatures: NH * HS, outFeatures: C };
    case 'gate_proj': case 'up_proj': return { inFeatures: C, outFeatures: I };
    case 'down_proj': return { inFeatures: I, outFeatures: C };
  }
}

/** PEFT's saved name prefix for one layer's target (adapter name "default" is stripped on save). */
export function loraTensorPrefix(layer: number, target: LoraTarget): string {
  const block = target === 'gate_proj' || target === 'up_proj' || target === 'down_proj' ? 'mlp' : 'self_attn';
  return `base_model.model.model.layers.${layer}.${block}.${target}`;
}

interface LoraSpec {
  layer: number;
  target: LoraTarget;
  which: 'a' | 'b';
  name: string;
  shape: number[];
}

/** Every tensor adapter_model.safetensors must hold for this base config and LoRA config. */
export function loraTensorSpecs(base: ModelConfig, lora: LoraConfig): LoraSpec[] {
  const specs: LoraSpec[] = [];
  for (let layer = 0; layer < base.numLayers; layer++) {
    for (const target of LORA_TARGETS) {
      if (!lora.targetModules.includes(target)) continue;
      const { inFeatures, outFeatures } = targetDims(base, target);
      const p = loraTensorPrefix(layer, target);
      specs.push({ layer, target, which: 'a', name: `${p}.lora_A.weight`, shape: [lora.r, inFeatures] });
      specs.push({ layer, target, which: 'b', name: `${p}.lora_B.weight`, shape: [outFeatures, lora.r] });
    }
  }
  return specs;
}

/** A fresh adapter initialised as PEFT does: A ~ U(−1/√C_in, 1/√C_in), B = 0 (so W' = W at start). */
export function initLora(base: ModelConfig, lora: LoraConfig, rng: UniformSource): LoraAdapter {
  const config = validateLoraConfig(lora);
  const layers: LoraAdapter['layers'] = [];
  for (let l = 0; l < base.numLayers; l++) {
    const layer: Partial<Record<LoraTarget, LoraPair>> = {};
    for (const t of config.targetModules) {
      const { inFeatures, outFeatures } = targetDims(base, t);
      layer[t] = {
        a: fillUniform(new Float32Array(config.r * inFeatures), 1 / Math.sqrt(inFeatures), rng),
        b: new Float32Array(outFeatures * config.r),
      };
    }
    layers.push(layer);
  }
  return { config, layers };
}

const shapeStr = (s: readonly number[]): string => `[${s.join(', ')}]`;

/** Throw TensorShapeError unless the adapter fits the base config exactly. */
export function checkAdapter(base: ModelConfig, adapter: LoraAdapter): void {
  if (adapter.layers.length !== base.numLayers) {
    throw new TensorShapeError(
      `LoRA adapter has ${adapter.layers.length} layers but the base model has ${base.numLayers}; ` +
        'load the adapter that was trained on this base model.',
    );
  }
  for (const s of loraTensorSpecs(base, adapter.config)) {
    const pair = adapter.layers[s.layer][s.target];
    const want = s.shape[0] * s.shape[1];
    if (pair === undefined || pair[s.which].length !== want) {
      throw new TensorShapeError(
        `LoRA tensor ${s.name} expected ${shapeStr(s.shape)} (${want} values) found ` +
          `${pair === undefined ? 'nothing' : `${pair[s.which].length} values`}; the adapter does not fit this base model.`,
      );
    }
  }
  const targets = new Set(adapter.config.targetModules);
  for (const [l, layer] of adapter.layers.entries()) {
    const extra = Object.keys(layer).filter((t) => !targets.has(t as LoraTarget));
    if (extra.length > 0) {
      throw new TensorShapeError(
        `LoRA adapter layer ${l} has pairs for ${extra.join(', ')} not in target_modules; add them to target_modules or drop them.`,
      );
    }
  }
}

/**
 * Read adapter tensors for `lora` on `base` from adapter_model.safetensors.
 * Throws MissingTensorError, TensorShapeError or UnexpectedTensorError listing the offending names.
 */
export function loadLoraTensors(base: ModelConfig, lora: LoraConfig, reader: TensorReader): LoraAdapter {
  const config = validateLoraConfig(lora);
  const specs = loraTensorSpecs(base, config);
  const missing = specs.filter((s) => !reader.has(s.name)).map((s) => s.name);
  if (missing.length > 0) {
    throw new MissingTensorError(
      `adapter_model.safetensors lacks ${missing.length} LoRA tensor(s): ${listSome(missing)}; check that ` +
        'adapter_config.json target_modules matches the file and the adapter was trained on a base with ' +
        `${base.numLayers} layers.`,
    );
  }
  const misshaped: string[] = [];
  for (const s of specs) {
    const found = reader.info(s.name).shape;
    if (found.length !== 2 || found[0] !== s.shape[0] || found[1] !== s.shape[1]) {
      misshaped.push(`${s.name} expected ${shapeStr(s.shape)} found ${shapeStr(found)}`);
    }
  }
  if (misshaped.length > 0) {
    throw new TensorShapeError(
      `LoRA tensor shapes disagree with adapter_config.json (r = ${config.r}) and the base config: ${listSome(misshaped, 5)}; ` +
        'fix r in adapter_config.json or load the base model this adapter was trained on.',
    );
  }
  const expected = new Set(specs.map((s) => s.name));
  const unexpected = reader.names.filter((n) => !expected.has(n));
  if (unexpected.length > 0) {
    throw new UnexpectedTensorError(
      `adapter_model.safetensors holds ${unexpected.length} tensor(s) adapter_config.json does not explain: ` +
        `${listSome(unexpected)}; add their modules to target_modules or remove them from the file.`,
    );
  }
  const layers: LoraAdapter['layers'] = Array.from({ length: base.numLayers }, () => ({}));
  for (const s of specs) {
    const layer = layers[s.layer];
    const pair = (layer[s.target] ??= { a: new Float32Array(0), b: new Float32Array(0) });
    pair[s.which] = reader.getF32(s.name);
  }
  return { config, layers };
}

/** Serialize adapter tensors with PEFT names (metadata {format: "pt"}). */
export function saveLoraTensors(base: ModelConfig, adapter: LoraAdapter, dtype: 'F32' | 'F16' | 'BF16' = 'F32'): Uint8Array {
  checkAdapter(base, adapter);
  const tensors: Record<string, TensorToWrite> = {};
  for (const s of loraTensorSpecs(base, adapter.config)) {
    tensors[s.name] = { dtype, shape: s.shape, data: adapter.layers[s.layer][s.target]![s.which] };
  }
  return writeSafetensors(tensors, { format: 'pt' });
}

/** A merged copy of the base weights: W' = W + scale·B·A for every adapted projection. Inputs are not modified. */
export function mergeLora(weights: ModelWeights, adapter: LoraAdapter): ModelWeights {
  const R = adapter.config.r;
  const scale = loraScale(adapter.config);
  if (adapter.layers.length !== weights.layers.length) {
    throw new TensorShapeError(
      `LoRA adapter has ${adapter.layers.length} layers but the weights have ${weights.layers.length}; ` +
        'merge an adapter trained on this base model.',
    );
  }
  const out = cloneWeights(weights);
  for (const [l, layer] of adapter.layers.entries()) {
    for (const t of adapter.config.targetModules) {
      const pair = layer[t];
      const W = out.layers[l][TARGET_WEIGHT[t]] as Float32Array; // (OC, C_in)
      if (pair === undefined || pair.a.length % R !== 0 || pair.b.length % R !== 0) {
        throw new TensorShapeError(
          `LoRA layer ${l} ${t}: missing pair or A/B lengths not multiples of r = ${R}; check the adapter was built for this rank.`,
        );
      }
      const cin = pair.a.length / R;
      const oc = pair.b.length / R;
      if (W.length !== oc * cin) {
        throw new TensorShapeError(
          `LoRA layer ${l} ${t}: B·A is (${oc}, ${cin}) but the base weight has ${W.length} values; ` +
            'merge an adapter trained on this base model.',
        );
      }
      const { a: A, b: B } = pair; // A (R, C_in), B (OC, R)
      const delta = new Float64Array(cin); // (C_in): one row of scale·B·A, summed in f64, added once
      for (let o = 0; o < oc; o++) {
        delta.fill(0);
        let any = false;
        for (let r = 0; r < R; r++) {
          const b = B[o * R + r];
          if (b === 0) continue;
          any = true;
          const ar = r * cin;
          for (let i = 0; i < cin; i++) delta[i] += b * A[ar + i];
        }
        if (!any) continue; // zero row of B: W row unchanged, bit for bit
        const row = o * cin;
        for (let i = 0; i < cin; i++) W[row + i] += scale * delta[i];
      }
    }
  }
  return out;
}
