// The whole model, WGSL vs CPU, on a tiny random config with GQA and q/k/v bias: logits, SFT loss,
// every parameter gradient (full training), every LoRA gradient under step-DPO, and 5 AdamW steps.
import { describe, expect, it } from 'vitest';
import { gpuContext } from './context.ts';
import { CpuBackend } from '../../src/lib/backend/cpu-backend.ts';
import { GpuBackend } from '../../src/lib/backend/gpu-backend.ts';
import type { Backend } from '../../src/lib/backend/backend.ts';
import { defineConfig } from '../../src/lib/model/config.ts';
import { initWeights, type ModelWeights } from '../../src/lib/model/weights.ts';
import { initLora, type LoraAdapter } from '../../src/lib/model/lora.ts';
import { defineLoraConfig } from '../../src/lib/model/lora-config.ts';
import { fillNormal } from '../../src/lib/model/random-init.ts';
import { ModelParams, type TrainMode } from '../../src/lib/model/params.ts';
import { Workspace, forward } from '../../src/lib/model/transformer.ts';
import { nextTokenTargets, packBatch } from '../../src/lib/model/batch.ts';
import { dpoStep, sftStep, type DpoExample } from '../../src/lib/train/objectives.ts';
import { AdamW } from '../../src/lib/train/optimizer.ts';
import { expectClose } from '../util/compare.ts';
import { seededRng } from '../unit/model/helpers.ts';

const config = defineConfig({
  modelType: 'qwen2',
  hiddenSize: 16,
  intermediateSize: 24,
  numLayers: 2,
  numHeads: 4,
  numKvHeads: 2,
  vocabSize: 19,
  maxPositionEmbeddings: 64,
});

function weightsAndAdapter(seed: number): { weights: ModelWeights; adapter: LoraAdapter } {
  const rng = seededRng(seed);
  const weights = initWeights(config, rng);
  for (const l of weights.layers) for (const k of ['qProj', 'kProj', 'vProj', 'oProj', 'gateProj', 'upProj', 'downProj'] as const) fillNormal(l[k], 0.25, rng);
  for (const l of weights.layers) for (const k of ['qBias', 'kBias', 'vBias'] as const) fillNormal(l[k]!, 0.1, rng);
  fillNormal(weights.embedTokens, 0.5, rng);
  const adapter = initLora(config, defineLoraConfig({ r: 4, alpha: 8, targetModules: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] }), rng);
  for (const l of adapter.layers) for (const p of Object.values(l)) fillNormal(p!.b, 0.2, rng);
  return { weights, adapter };
}

const seqs = [
  [1, 4, 2, 9, 3, 7, 11, 12, 5],
  [2, 5, 5, 1, 18],
  [3, 3, 8, 16, 2, 2, 0, 4],
];

async function both<T>(fn: (be: Backend) => Promise<T>): Promise<[T, T]> {
  const gpu = new GpuBackend(await gpuContext());
  return [await fn(new CpuBackend()), await fn(gpu)];
}

async function readGrads(be: Backend, p: ModelParams): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const t of p.trainables) out.set(t.name, await be.read(t.grad));
  return out;
}

describe('whole model: WebGPU vs CPU', () => {
  it('logits, SFT loss and every parameter gradient agree (full training)', async () => {
    const { weights } = weightsAndAdapter(11);
    const batch = packBatch(seqs, 0, 9);
    const { targets, weights: w } = nextTokenTargets(batch, (b, t) => (t >= 2 ? 1 + (b % 2) : 0));
    const [cpu, gpu] = await both(async (be) => {
      const p = ModelParams.create(be, config, weights, null, 'full');
      const ws = new Workspace(be, p, 3, 9);
      await p.zeroGrads();
      const r = await sftStep(ws, { batch, targets, weights: w }, true);
      return { loss: r.loss, logits: await be.read(ws.logits), grads: await readGrads(be, p) };
    });
    expectClose(gpu.logits, cpu.logits, { atol: 1e-4, rtol: 1e-3, label: 'logits' });
    expect(Math.abs(gpu.loss - cpu.loss)).toBeLessThan(1e-4);
    expect(cpu.grads.size).toBe(2 * 12 + 3);
    for (const [name, g] of cpu.grads) expectClose(gpu.grads.get(name)!, g, { atol: 1e-4, rtol: 2e-3, label: `d${name}` });
  });

  it('step-DPO LoRA gradients and 5 AdamW steps agree; the frozen base is untouched', async () => {
    const { weights, adapter } = weightsAndAdapter(12);
    const rows = [[1, 4, 2, 9, 3], [2, 5, 6, 6, 8, 1], [1, 4, 2, 10], [2, 5, 7, 3]];
    const prefix = [3, 2, 3, 2];
    const batch = packBatch(rows, 0, 6);
    const { targets, weights: w } = nextTokenTargets(batch, (b, t) => (t >= prefix[b] ? 1 : 0));
    const ex: DpoExample = {
      batch, targets, spanMask: Uint32Array.from(w, (x) => (x > 0 ? 1 : 0)),
      refChosen: Float32Array.from([-6, -12]), refRejected: Float32Array.from([-4, -5]),
    };
    const run = async (be: Backend, mode: TrainMode) => {
      const p = ModelParams.create(be, config, weights, adapter, mode);
      const ws = new Workspace(be, p, 4, 6);
      const opt = new AdamW(be, p.trainables, { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1, maxGradNorm: 0.5 });
      const losses: number[] = [];
      const norms: number[] = [];
      let firstGrads: Map<string, Float32Array> | null = null;
      for (let s = 0; s < 5; s++) {
        await p.zeroGrads();
        losses.push((await dpoStep(ws, ex, 0.5, true)).loss);
        firstGrads ??= await readGrads(be, p);
        norms.push(await opt.update(1e-2));
      }
      const after = await p.readAdapter();
      const base = await p.readWeights();
      return { losses, norms, firstGrads: firstGrads!, after, base };
    };
    const [cpu, gpu] = await both((be) => run(be, 'lora'));
    expectClose(gpu.losses, cpu.losses, { atol: 1e-4, rtol: 1e-3, label: 'DPO losses over 5 steps' });
    expectClose(gpu.norms, cpu.norms, { atol: 1e-4, rtol: 1e-3, label: 'grad norms' });
    expect(cpu.losses[4]).toBeLessThan(cpu.losses[0]);
    for (const [name, g] of cpu.firstGrads) expectClose(gpu.firstGrads.get(name)!, g, { atol: 1e-5, rtol: 2e-3, label: `d${name}` });
    for (const [l, layer] of cpu.after.layers.entries()) {
      for (const [t, pair] of Object.entries(layer)) {
        const g = gpu.after.layers[l][t as keyof typeof layer]!;
        expectClose(g.a, pair!.a, { atol: 1e-5, rtol: 1e-3, label: `layer ${l} ${t} A after 5 steps` });
        expectClose(g.b, pair!.b, { atol: 1e-5, rtol: 1e-3, label: `layer ${l} ${t} B after 5 steps` });
      }
    }
    expect(Array.from(gpu.base.layers[1].qProj)).toEqual(Array.from(weights.layers[1].qProj));
    expect(Array.from(gpu.base.embedTokens)).toEqual(Array.from(weights.embedTokens));
  });

  it('padding rows do not change real rows on the GPU either', async () => {
    const { weights } = weightsAndAdapter(13);
    const gpu = new GpuBackend(await gpuContext());
    const p = ModelParams.create(gpu, config, weights, null, 'none');
    const a = new Workspace(gpu, p, 1, 5);
    const b = new Workspace(gpu, p, 3, 9);
    await forward(a, packBatch([seqs[1]], 0, 5));
    await forward(b, packBatch([seqs[0], seqs[1], seqs[2]], 0, 9));
    const V = config.vocabSize;
    const rowB = (await gpu.read(b.logits)).slice(9 * V, 9 * V + 5 * V);
    expectClose(rowB, await gpu.read(a.logits), { atol: 1e-4, rtol: 1e-3, label: 'row 1 logits' });
  });
});
