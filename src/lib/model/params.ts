// Model parameters resident on a Backend: base weights (HF layout), optional LoRA pairs, and the
// gradients of whatever is trainable ('lora': only LoRA A/B; 'full': every base tensor; 'none').
// Also the way back: read weights / adapter to the CPU for saving.
import type { Backend, Tensor } from '../backend/backend.ts';
import type { ModelConfig } from './config.ts';
import { checkWeights, tensorOf, tensorSpecs, type LayerKey, type ModelWeights, type TensorSpec } from './weights.ts';
import { checkAdapter, targetDims, type LoraAdapter } from './lora.ts';
import { loraScale, type LoraConfig, type LoraTarget } from './lora-config.ts';
import { InvalidInputError } from '../errors.ts';
import type { QuantizedModelWeights } from './quant-checkpoint.ts';

export type TrainMode = 'none' | 'lora' | 'full';

/**
 * Whether to keep a quantized base quantized on `backend`: on WebGPU, yes (the WGSL matmuls decode
 * int8/q4 on the fly and memory shrinks 4–8×); on the CPU backends, no — their fast kernels are f32 and
 * the dequantized weights compute exactly the same function.
 */
export function keepQuantized<Q>(backend: Backend, quantized: Q | null): Q | null {
  return backend.kind === 'webgpu' ? quantized : null;
}

/** One trainable tensor with its gradient, and whether AdamW decays it (not norms or biases). */
export interface Trainable {
  name: string;
  param: Tensor;
  grad: Tensor;
  decay: boolean;
}

export interface LoraTensors {
  a: Tensor; // (R, C_in)
  b: Tensor; // (OC, R)
  dA: Tensor | null;
  dB: Tensor | null;
}

export interface LayerParams {
  inputNorm: Tensor; // (C)
  qProj: Tensor; // (NH*HS, C)
  kProj: Tensor; // (NKV*HS, C)
  vProj: Tensor; // (NKV*HS, C)
  oProj: Tensor; // (C, NH*HS)
  qBias: Tensor | null; // (NH*HS)
  kBias: Tensor | null; // (NKV*HS)
  vBias: Tensor | null; // (NKV*HS)
  oBias: Tensor | null; // (C)
  postAttnNorm: Tensor; // (C)
  gateProj: Tensor; // (I, C)
  upProj: Tensor; // (I, C)
  downProj: Tensor; // (C, I)
  lora: Partial<Record<LoraTarget, LoraTensors>>;
}

/** Gradients mirror the parameters; null where a tensor is frozen or absent. */
export type LayerGrads = { [K in Exclude<keyof LayerParams, 'lora'>]: Tensor | null };

export class ModelParams {
  readonly layers: LayerParams[] = [];
  readonly grads: LayerGrads[] = [];
  embed!: Tensor; // (V, C)
  norm!: Tensor; // (C)
  /** (V, C): the output head; the same tensor as `embed` when embeddings are tied. */
  head!: Tensor;
  dEmbed: Tensor | null = null;
  dNorm: Tensor | null = null;
  dHead: Tensor | null = null;
  readonly trainables: Trainable[] = [];
  lora: LoraConfig | null = null;
  loraScale = 0;
  /** The linear layers are stored quantized on the backend (frozen). */
  quantized = false;

  private constructor(
    readonly backend: Backend,
    readonly config: ModelConfig,
    readonly mode: TrainMode,
  ) {}

  /**
   * Upload weights (and an adapter) to the backend; allocate gradients for the trainable part.
   * With `quantized`, the linear layers stay int8/q4 on the backend (decoded on the fly by the
   * matmul kernels) and are frozen: LoRA trains on top of them (QLoRA-style); 'full' is refused.
   */
  static create(
    backend: Backend,
    config: ModelConfig,
    weights: ModelWeights,
    adapter: LoraAdapter | null,
    mode: TrainMode,
    quantized: QuantizedModelWeights | null = null,
  ): ModelParams {
    checkWeights(config, weights);
    if (quantized && mode === 'full') {
      throw new InvalidInputError("a quantized base is frozen: train it with mode 'lora', or dequantize it first for full training.");
    }
    if (mode === 'lora' && !adapter) {
      throw new InvalidInputError('LoRA training needs an adapter: create one with initLora() or load one.');
    }
    if (adapter) checkAdapter(config, adapter);
    const p = new ModelParams(backend, config, mode);
    p.quantized = quantized !== null;
    const full = mode === 'full';
    const upload = (spec: TensorSpec): { t: Tensor; g: Tensor | null } => {
      const q = quantized?.linears.get(spec.name);
      if (q) return { t: backend.uploadQuantized(q, spec.name), g: null };
      const data = tensorOf(weights, spec)!;
      const t = backend.fromF32(data, spec.name);
      const g = full ? backend.zeros(data.length, `d:${spec.name}`) : null;
      if (g) p.trainables.push({ name: spec.name, param: t, grad: g, decay: spec.kind === 'linear' || spec.kind === 'embedding' });
      return { t, g };
    };
    // Filled spec by spec below; optional biases stay null unless the checkpoint has them.
    const empty = (): LayerParams => ({ lora: {}, qBias: null, kBias: null, vBias: null, oBias: null }) as unknown as LayerParams;
    for (let l = 0; l < config.numLayers; l++) {
      p.layers.push(empty());
      p.grads.push({
        inputNorm: null, qProj: null, kProj: null, vProj: null, oProj: null, qBias: null, kBias: null, vBias: null,
        oBias: null, postAttnNorm: null, gateProj: null, upProj: null, downProj: null,
      });
    }
    for (const spec of tensorSpecs(config)) {
      const { t, g } = upload(spec);
      if (spec.layer === null) {
        if (spec.key === 'embedTokens') [p.embed, p.dEmbed] = [t, g];
        else if (spec.key === 'norm') [p.norm, p.dNorm] = [t, g];
        else [p.head, p.dHead] = [t, g];
      } else {
        const key = spec.key as LayerKey;
        (p.layers[spec.layer] as unknown as Record<string, Tensor>)[key] = t;
        (p.grads[spec.layer] as unknown as Record<string, Tensor | null>)[key] = g;
      }
    }
    if (config.tieWordEmbeddings) {
      p.head = p.embed;
      p.dHead = p.dEmbed;
    }
    if (adapter) {
      p.lora = adapter.config;
      p.loraScale = loraScale(adapter.config);
      const train = mode === 'lora';
      for (const [l, layer] of adapter.layers.entries()) {
        for (const target of adapter.config.targetModules) {
          const pair = layer[target]!;
          const name = `layers.${l}.${target}`;
          const a = backend.fromF32(pair.a, `lora_A:${name}`);
          const b = backend.fromF32(pair.b, `lora_B:${name}`);
          const dA = train ? backend.zeros(pair.a.length, `d:lora_A:${name}`) : null;
          const dB = train ? backend.zeros(pair.b.length, `d:lora_B:${name}`) : null;
          p.layers[l].lora[target] = { a, b, dA, dB };
          if (dA && dB) {
            // PEFT applies weight decay to LoRA matrices like any other weight.
            p.trainables.push({ name: `${name}.lora_A`, param: a, grad: dA, decay: true });
            p.trainables.push({ name: `${name}.lora_B`, param: b, grad: dB, decay: true });
          }
        }
      }
    }
    return p;
  }

  /** Zero every gradient (before each training step; backward ops accumulate). */
  async zeroGrads(): Promise<void> {
    for (const t of this.trainables) await this.backend.zero(t.grad);
  }

  /** The base weights as CPU arrays (after full training). */
  async readWeights(): Promise<ModelWeights> {
    if (this.quantized) throw new InvalidInputError('the base is stored quantized on the backend; keep the QuantizedModelWeights it was made from instead of reading it back.');
    const read = (t: Tensor | null) => (t ? this.backend.read(t) : Promise.resolve(null));
    const layers = [];
    for (const l of this.layers) {
      layers.push({
        inputNorm: await this.backend.read(l.inputNorm),
        qProj: await this.backend.read(l.qProj),
        kProj: await this.backend.read(l.kProj),
        vProj: await this.backend.read(l.vProj),
        oProj: await this.backend.read(l.oProj),
        qBias: await read(l.qBias),
        kBias: await read(l.kBias),
        vBias: await read(l.vBias),
        oBias: await read(l.oBias),
        postAttnNorm: await this.backend.read(l.postAttnNorm),
        gateProj: await this.backend.read(l.gateProj),
        upProj: await this.backend.read(l.upProj),
        downProj: await this.backend.read(l.downProj),
      });
    }
    return {
      embedTokens: await this.backend.read(this.embed),
      layers,
      norm: await this.backend.read(this.norm),
      lmHead: this.config.tieWordEmbeddings ? null : await this.backend.read(this.head),
    };
  }

  /** The LoRA adapter as CPU arrays (after LoRA training). */
  async readAdapter(): Promise<LoraAdapter> {
    if (!this.lora) throw new InvalidInputError('this model has no LoRA adapter to read; create it with one.');
    const layers: LoraAdapter['layers'] = [];
    for (const l of this.layers) {
      const out: LoraAdapter['layers'][number] = {};
      for (const target of this.lora.targetModules) {
        const t = l.lora[target]!;
        out[target] = { a: await this.backend.read(t.a), b: await this.backend.read(t.b) };
      }
      layers.push(out);
    }
    return { config: this.lora, layers };
  }

  /** (C_in, OC) of a LoRA target of this model. */
  dims(target: LoraTarget): { inFeatures: number; outFeatures: number } {
    return targetDims(this.config, target);
  }

  /** Release every tensor. */
  free(): void {
    const seen = new Set<Tensor>();
    const drop = (t: Tensor | null) => {
      if (t && !seen.has(t)) {
        seen.add(t);
        this.backend.free(t);
      }
    };
    drop(this.embed);
    drop(this.norm);
    drop(this.head);
    for (const [i, l] of this.layers.entries()) {
      for (const [k, v] of Object.entries(l)) if (k !== 'lora') drop(v as Tensor | null);
      for (const pair of Object.values(l.lora)) [pair.a, pair.b, pair.dA, pair.dB].forEach(drop);
      Object.values(this.grads[i]).forEach(drop);
    }
    [this.dEmbed, this.dNorm, this.dHead].forEach(drop);
  }
}
