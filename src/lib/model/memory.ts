// GPU memory of a model config before anything is allocated: the bytes of weights (f32 or quantized
// linears), LoRA, gradients, AdamW state, activations and the KV cache, buffer by buffer as
// ModelParams / Workspace / Decoder / AdamW allocate them (payload bytes; each GPU buffer is rounded up
// to 16). assertFits() refuses, with a MemoryBudgetError naming the buffer and what to reduce, a plan
// whose single buffer exceeds the adapter's binding / buffer limits or whose total exceeds a budget.
import type { ModelConfig } from './config.ts';
import type { TrainMode } from './params.ts';
import { tensorSpecs } from './weights.ts';
import { targetDims } from './lora.ts';
import { LORA_TARGETS, type LoraTarget } from './lora-config.ts';
import { q4Groups, type QuantFormat } from '../formats/quant.ts';
import { InvalidInputError, MemoryBudgetError } from '../errors.ts';

export type MemoryCategory = 'weights' | 'lora' | 'gradients' | 'optimizer' | 'activations' | 'kvCache';

export interface MemoryOptions {
  /** B and T of the training / scoring workspace (0 rows = no workspace). */
  batchRows: number;
  seqLen: number;
  /** Decoder rows (e.g. 6 candidates) and cache slots per row (0 rows = no decoder). */
  kvRows: number;
  kvSlots: number;
  trainMode: TrainMode;
  /** Format of the base model's linear layers (embeddings, norms and biases stay f32). */
  quant: QuantFormat;
  /** A LoRA adapter on the base; default: rank 16 on every projection when trainMode is 'lora', else none. */
  lora?: { r: number; targets?: readonly LoraTarget[] } | null;
}

export interface BufferBytes {
  name: string;
  category: MemoryCategory;
  bytes: number;
  /** What to reduce when this buffer is too large. */
  remedy: string;
}

export interface MemoryPlan {
  options: MemoryOptions;
  weights: number;
  lora: number;
  gradients: number;
  optimizer: number;
  /** The larger of the training workspace and the (transient) prefill workspace, plus decode scratch. */
  activations: number;
  kvCache: number;
  total: number;
  /** Every buffer counted, largest first. */
  buffers: BufferBytes[];
}

export interface MemoryLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
  /** Refuse plans whose total exceeds this (WebGPU does not tell how much memory a GPU has). */
  budgetBytes?: number;
}

/** A cautious default budget: integrated and mobile GPUs share a few GiB with the whole system. */
export const DEFAULT_GPU_BUDGET_BYTES = 1024 * 1024 * 1024;
/** Every kernel refuses storage bindings above the 128 MiB all WebGPU devices guarantee (kernels/common.ts). */
const KERNEL_BINDING_CAP = 128 * 1024 * 1024;

const REMEDY = {
  weights: 'use a smaller model (hidden size, layers, vocabulary) or quantize its linear layers (--bits 8 or 4)',
  lora: 'use a smaller LoRA rank or fewer target modules',
  train: 'train LoRA instead of the full model, or use a smaller model',
  rows: 'use fewer batch rows or a shorter sequence length',
  scores: 'use fewer batch rows or a shorter sequence length (attention scores grow with rows × length²)',
  kv: 'use fewer decoder rows or fewer cache slots',
} as const;

/** Bytes of the packed buffer uploadQuantized() makes for a (OC, C) linear weight. */
export function linearWeightBytes(format: QuantFormat, OC: number, C: number): number {
  switch (format) {
    case 'f32': return 4 * OC * C;
    case 'int8': return 4 * (Math.ceil((OC * C) / 4) + OC);
    case 'q4': return 4 * (OC * q4Groups(C) * 4 + OC * q4Groups(C));
  }
}

/** The buffers of a model config under `options`, summed by category. */
export function memoryPlan(config: ModelConfig, options: MemoryOptions): MemoryPlan {
  const { batchRows: B, seqLen: T, kvRows, kvSlots, trainMode, quant } = options;
  for (const [name, v] of Object.entries({ batchRows: B, seqLen: T, kvRows, kvSlots })) {
    if (!Number.isInteger(v) || v < 0) throw new InvalidInputError(`memoryPlan: ${name} = ${v} must be a whole number ≥ 0.`);
  }
  if (trainMode === 'full' && quant !== 'f32') {
    throw new InvalidInputError(`memoryPlan: full fine-tuning needs f32 weights, not ${quant}; train LoRA on the quantized base or load the f32 checkpoint.`);
  }
  if (B > 0 && T > config.maxPositionEmbeddings) {
    throw new InvalidInputError(`memoryPlan: seqLen = ${T} exceeds max_position_embeddings = ${config.maxPositionEmbeddings}; use a shorter sequence.`);
  }
  if (kvRows > 0 && kvSlots > config.maxPositionEmbeddings) {
    throw new InvalidInputError(`memoryPlan: kvSlots = ${kvSlots} exceeds max_position_embeddings = ${config.maxPositionEmbeddings}; use fewer slots.`);
  }
  const lora = options.lora === undefined ? (trainMode === 'lora' ? { r: 16 } : null) : options.lora;
  if (trainMode === 'lora' && !lora) throw new InvalidInputError('memoryPlan: LoRA training needs options.lora (its rank); pass { r: 16 } for example.');
  const buffers: BufferBytes[] = [];
  const add = (name: string, category: MemoryCategory, floats: number, remedy: string) => {
    if (floats > 0) buffers.push({ name, category, bytes: 4 * floats, remedy });
  };

  // ---- weights, gradients and AdamW state (ModelParams, AdamW) ----
  for (const spec of tensorSpecs(config)) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const bytes = spec.kind === 'linear' ? linearWeightBytes(quant, spec.shape[0], spec.shape[1]) : 4 * n;
    buffers.push({ name: spec.name, category: 'weights', bytes, remedy: REMEDY.weights });
    if (trainMode === 'full') {
      add(`d:${spec.name}`, 'gradients', n, REMEDY.train);
      add(`adam.m:${spec.name}`, 'optimizer', n, REMEDY.train);
      add(`adam.v:${spec.name}`, 'optimizer', n, REMEDY.train);
    }
  }
  const targets = lora ? [...(lora.targets ?? LORA_TARGETS)] : [];
  const R = lora?.r ?? 0;
  for (let l = 0; lora && l < config.numLayers; l++) {
    for (const target of targets) {
      const { inFeatures, outFeatures } = targetDims(config, target);
      for (const [which, n] of [['A', R * inFeatures], ['B', outFeatures * R]] as const) {
        const name = `layers.${l}.${target}.lora_${which}`;
        add(name, 'lora', n, REMEDY.lora);
        if (trainMode === 'lora') {
          add(`d:${name}`, 'gradients', n, REMEDY.lora);
          add(`adam.m:${name}`, 'optimizer', n, REMEDY.lora);
          add(`adam.v:${name}`, 'optimizer', n, REMEDY.lora);
        }
      }
    }
  }

  // ---- activations: training / scoring workspace and the prefill workspace (never alive together) ----
  const training = workspaceBuffers(config, B, T, true, trainMode !== 'none', R, targets, 'ws');
  const prefill = kvRows > 0 ? workspaceBuffers(config, kvRows, kvSlots, false, false, 0, [], 'prefill') : [];
  const sum = (bs: BufferBytes[]) => bs.reduce((s, b) => s + b.bytes, 0);
  const bigger = sum(training) >= sum(prefill) ? training : prefill;
  buffers.push(...bigger);

  // ---- KV cache and one decode step's scratch (Decoder) ----
  if (kvRows > 0) {
    const KD = config.numKvHeads * config.headDim;
    const QD = config.numHeads * config.headDim;
    const { hiddenSize: C, intermediateSize: I, vocabSize: V } = config;
    for (let l = 0; l < config.numLayers; l++) {
      add(`kcache.l${l}`, 'kvCache', kvRows * kvSlots * KD, REMEDY.kv);
      add(`vcache.l${l}`, 'kvCache', kvRows * kvSlots * KD, REMEDY.kv);
    }
    add('decode:fork-row', 'kvCache', kvSlots * KD, REMEDY.kv);
    const N = kvRows; // one new token per row
    const scratch: [string, number][] = [
      ['x0', N * C], ['x1', N * C], ['ln', N * C], ['rstd', N], ['q', N * QD], ['k', N * KD], ['v', N * KD], ['qr', N * QD],
      ['kr', N * KD], ['ao', N * QD], ['o', N * C], ['xMid', N * C], ['gate', N * I], ['up', N * I], ['act', N * I],
      ['down', N * C], ['lnf', N * C], ['logits', N * V],
    ];
    for (const [name, n] of scratch) add(`decode:${name}`, 'activations', n, REMEDY.kv);
  }

  buffers.sort((a, b) => b.bytes - a.bytes);
  const total = (c: MemoryCategory) => buffers.filter((b) => b.category === c).reduce((s, b) => s + b.bytes, 0);
  const plan: MemoryPlan = {
    options: { ...options, lora },
    weights: total('weights'),
    lora: total('lora'),
    gradients: total('gradients'),
    optimizer: total('optimizer'),
    activations: total('activations'),
    kvCache: total('kvCache'),
    total: 0,
    buffers,
  };
  plan.total = plan.weights + plan.lora + plan.gradients + plan.optimizer + plan.activations + plan.kvCache;
  return plan;
}

/** A Workspace's buffers for B×T (transformer.ts), with the loss buffers when `scored`, the backward scratch when `backward`. */
function workspaceBuffers(
  config: ModelConfig, B: number, T: number, scored: boolean, backward: boolean, R: number, loraTargets: LoraTarget[], prefix: string,
): BufferBytes[] {
  if (B === 0 || T === 0) return [];
  const N = B * T;
  const { hiddenSize: C, intermediateSize: I, vocabSize: V, numHeads: NH, numLayers: L } = config;
  const QD = NH * config.headDim;
  const KD = config.numKvHeads * config.headDim;
  const out: BufferBytes[] = [];
  // The prefill workspace is as large as the decoder's rows × slots: shrink those, not a batch.
  const add = (name: string, floats: number, remedy: string = REMEDY.rows) => {
    out.push({ name: `${prefix}:${name}`, category: 'activations', bytes: 4 * floats, remedy: prefix === 'prefill' ? REMEDY.kv : remedy });
  };
  for (const name of ['tokens', 'positions', 'keyValid', 'rstdf']) add(name, N);
  for (let l = 0; l <= L; l++) add(`x${l}`, N * C); // residual stream entering each layer, and out of the last
  for (let l = 0; l < L; l++) {
    const per: [string, number][] = [
      ['ln1', N * C], ['rstd1', N], ['q', N * QD], ['k', N * KD], ['v', N * KD], ['qr', N * QD], ['kr', N * KD],
      ['ao', N * QD], ['o', N * C], ['xMid', N * C], ['ln2', N * C], ['rstd2', N], ['gate', N * I], ['up', N * I],
      ['act', N * I], ['down', N * C],
    ];
    for (const [name, n] of per) add(`l${l}.${name}`, n);
    add(`l${l}.att`, B * NH * T * T, REMEDY.scores);
    for (const t of loraTargets) add(`l${l}.loraH.${t}`, N * R);
  }
  add('lnf', N * C);
  add('logits', N * V);
  if (scored) for (const name of ['losses', 'lse', 'targets', 'weights']) add(name, N);
  // LoRA's y += scale·(x·Aᵀ)·Bᵀ goes through one scratch per distinct output width.
  const outWidths = new Set(loraTargets.map((t) => targetDims(config, t).outFeatures));
  for (const w of outWidths) add(`loraDelta:${N * w}`, N * w);
  if (backward) {
    const scratch: [string, number][] = [
      ['dres', N * C], ['dln', N * C], ['dact', N * I], ['dgate', N * I], ['dup', N * I], ['dao', N * QD], ['dqr', N * QD],
      ['dq', N * QD], ['dkr', N * KD], ['dv', N * KD], ['dk', N * KD], ['dlogits', N * V],
    ];
    for (const [name, n] of scratch) add(name, n);
    add('attention:dscores', B * NH * T * T, REMEDY.scores);
    if (loraTargets.length > 0) {
      for (const w of outWidths) add(`loraDout:${N * w}`, N * w);
      add('loraDh', N * R);
    }
  }
  return out;
}

const MiB = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

/** Throw MemoryBudgetError when a buffer or the total does not fit `limits`; returns the plan otherwise. */
export function assertFits(plan: MemoryPlan, limits: MemoryLimits): MemoryPlan {
  const binding = Math.min(limits.maxStorageBufferBindingSize, KERNEL_BINDING_CAP);
  for (const b of plan.buffers) {
    if (b.bytes > limits.maxBufferSize) {
      throw new MemoryBudgetError(
        `${b.name} (${b.category}) needs ${MiB(b.bytes)}, more than this GPU's largest buffer (maxBufferSize ${MiB(limits.maxBufferSize)}); ${b.remedy}.`,
      );
    }
    if (b.bytes > binding) {
      const why = binding < limits.maxStorageBufferBindingSize
        ? `the ${MiB(KERNEL_BINDING_CAP)} every WebGPU device guarantees, which PSR Lab's kernels never exceed`
        : `this GPU's maxStorageBufferBindingSize (${MiB(binding)})`;
      throw new MemoryBudgetError(`${b.name} (${b.category}) needs ${MiB(b.bytes)}, more than ${why}; ${b.remedy}.`);
    }
  }
  const budget = limits.budgetBytes ?? DEFAULT_GPU_BUDGET_BYTES;
  if (plan.total > budget) {
    const cats: MemoryCategory[] = ['weights', 'lora', 'gradients', 'optimizer', 'activations', 'kvCache'];
    const parts = cats.map((c) => [c, plan[c]] as const).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]);
    const [top] = parts;
    const remedy = plan.buffers.find((b) => b.category === top[0])?.remedy ?? REMEDY.rows;
    throw new MemoryBudgetError(
      `this config needs ${MiB(plan.total)} of GPU memory, over the budget of ${MiB(budget)} ` +
        `(${parts.map(([c, v]) => `${c} ${MiB(v)}`).join(', ')}); the largest share is ${top[0]}: ${remedy}.`,
    );
  }
  return plan;
}

/** The limits of a device (its own binding / buffer limits and a total budget). */
export function deviceMemoryLimits(device: GPUDevice, budgetBytes = DEFAULT_GPU_BUDGET_BYTES): MemoryLimits {
  return { maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize, maxBufferSize: device.limits.maxBufferSize, budgetBytes };
}

/** For GpuBackend model creation: plan `config` under `options` and refuse it up front if it cannot fit `device`. */
export function assertModelFitsDevice(device: GPUDevice, config: ModelConfig, options: MemoryOptions, budgetBytes?: number): MemoryPlan {
  return assertFits(memoryPlan(config, options), deviceMemoryLimits(device, budgetBytes));
}
