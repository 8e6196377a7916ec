// The whole decoder on the CPU backend: every parameter gradient (full training) and every LoRA
// gradient agrees with central finite differences of the SFT and step-DPO losses; LoRA equals the
// merged weights; DPO with policy = reference gives log 2; padding does not leak into real rows.
import { describe, expect, it } from 'vitest';
import { CpuBackend, CpuTensor } from '../../../src/lib/backend/cpu-backend.ts';
import { defineConfig, type ModelConfig } from '../../../src/lib/model/config.ts';
import { initWeights } from '../../../src/lib/model/weights.ts';
import { initLora, mergeLora } from '../../../src/lib/model/lora.ts';
import { defineLoraConfig } from '../../../src/lib/model/lora-config.ts';
import { fillNormal } from '../../../src/lib/model/random-init.ts';
import { ModelParams, type TrainMode } from '../../../src/lib/model/params.ts';
import { Workspace, forward } from '../../../src/lib/model/transformer.ts';
import { nextTokenTargets, packBatch } from '../../../src/lib/model/batch.ts';
import { dpoStep, sftStep, spanLogprobs, type DpoExample, type SftExample } from '../../../src/lib/train/objectives.ts';
import { seededRng } from './helpers.ts';
import { expectClose } from '../../util/compare.ts';

const be = new CpuBackend();

function tinyConfig(tie: boolean): ModelConfig {
  return defineConfig({
    modelType: 'qwen2', // q/k/v bias
    hiddenSize: 8,
    intermediateSize: 12,
    numLayers: 2,
    numHeads: 4,
    numKvHeads: 2, // GQA
    vocabSize: 11,
    tieWordEmbeddings: tie,
    maxPositionEmbeddings: 32,
  });
}

function makeModel(config: ModelConfig, mode: TrainMode, seed = 1) {
  const rng = seededRng(seed);
  const weights = initWeights(config, rng);
  // Larger than HF's 0.02 init so gradients are well above float32 finite-difference noise.
  for (const l of weights.layers) for (const k of ['qProj', 'kProj', 'vProj', 'oProj', 'gateProj', 'upProj', 'downProj'] as const) fillNormal(l[k], 0.4, rng);
  for (const l of weights.layers) for (const k of ['qBias', 'kBias', 'vBias'] as const) if (l[k]) fillNormal(l[k]!, 0.2, rng);
  fillNormal(weights.embedTokens, 0.5, rng);
  const adapter =
    mode === 'lora' ? initLora(config, defineLoraConfig({ r: 2, alpha: 4, targetModules: ['q_proj', 'v_proj', 'o_proj', 'down_proj', 'gate_proj'] }), rng) : null;
  // Nonzero B so that gradients of A are not trivially zero.
  if (adapter) for (const l of adapter.layers) for (const p of Object.values(l)) fillNormal(p!.b, 0.3, rng);
  return { weights, adapter, params: ModelParams.create(be, config, weights, adapter, mode) };
}

function sftExample(): SftExample {
  const batch = packBatch([[1, 4, 2, 9, 3, 7], [2, 5, 5, 1]], 0, 6);
  const { targets, weights } = nextTokenTargets(batch, (b, t) => (t >= 2 ? (b === 1 && t === 3 ? 3 : 1) : 0));
  return { batch, targets, weights };
}

function dpoExample(ref: Float32Array | null): DpoExample {
  // P = 2 pairs; prefix lengths 3 and 2; steps of differing lengths.
  const rows = [
    [1, 4, 2, 9, 3], // chosen 0: prefix [1,4,2], step [9,3]
    [2, 5, 6, 6, 8, 1], // chosen 1: prefix [2,5], step [6,6,8,1]
    [1, 4, 2, 10], // rejected 0
    [2, 5, 7, 3], // rejected 1
  ];
  const prefix = [3, 2, 3, 2];
  const batch = packBatch(rows, 0, 6);
  const { targets, weights } = nextTokenTargets(batch, (b, t) => (t >= prefix[b] ? 1 : 0));
  const spanMask = Uint32Array.from(weights, (w) => (w > 0 ? 1 : 0));
  return { batch, targets, spanMask, refChosen: ref ? ref.slice(0, 2) : new Float32Array(2), refRejected: ref ? ref.slice(2) : new Float32Array(2) };
}

/** Check `count` random entries of every trainable against central differences of `loss`. */
async function checkGradients(params: ModelParams, loss: () => Promise<number>, rngSeed: number, count = 4) {
  const rng = seededRng(rngSeed);
  let checked = 0;
  for (const t of params.trainables) {
    const p = (t.param as CpuTensor).data as Float32Array;
    const g = (t.grad as CpuTensor).data as Float32Array;
    const idx = Array.from({ length: Math.min(count, p.length) }, () => Math.floor(rng.nextFloat() * p.length));
    const numeric: number[] = [];
    const analytic: number[] = [];
    for (const i of idx) {
      const orig = p[i];
      const h = 1e-2 * Math.max(1, Math.abs(orig));
      p[i] = orig + h;
      const up = await loss();
      p[i] = orig - h;
      const down = await loss();
      p[i] = orig;
      numeric.push((up - down) / (2 * h));
      analytic.push(g[i]);
    }
    expectClose(analytic, numeric, { atol: 2e-3, rtol: 3e-2, label: `d${t.name}` });
    checked += idx.length;
  }
  return checked;
}

describe('transformer on the CPU backend', () => {
  for (const tie of [false, true]) {
    it(`SFT gradients of every parameter match finite differences (tied=${tie})`, async () => {
      const config = tinyConfig(tie);
      const { params } = makeModel(config, 'full', tie ? 3 : 2);
      const ws = new Workspace(be, params, 2, 6);
      const ex = sftExample();
      await params.zeroGrads();
      const { loss } = await sftStep(ws, ex, true);
      expect(loss).toBeGreaterThan(0);
      const n = await checkGradients(params, async () => (await sftStep(ws, ex, false)).loss, 7);
      expect(n).toBeGreaterThan(60);
    });
  }

  it('step-DPO gradients of every LoRA matrix match finite differences; the base stays frozen', async () => {
    const config = tinyConfig(false);
    const { params } = makeModel(config, 'lora', 4);
    expect(params.trainables.every((t) => t.name.includes('lora'))).toBe(true);
    const ws = new Workspace(be, params, 4, 6);
    const ref = Float32Array.from([-9.5, -14.0, -7.25, -8.0]);
    const ex = dpoExample(ref);
    await params.zeroGrads();
    const out = await dpoStep(ws, ex, 0.5, true);
    expect(out.loss).toBeGreaterThan(0);
    const n = await checkGradients(params, async () => (await dpoStep(ws, ex, 0.5, false)).loss, 9);
    expect(n).toBe(params.trainables.length * 4);
  });

  it('step-DPO + NLL on the chosen step: gradients match finite differences, and the NLL adds its per-token mean', async () => {
    const { params } = makeModel(tinyConfig(false), 'lora', 6);
    const ws = new Workspace(be, params, 4, 6);
    const ex = dpoExample(Float32Array.from([-9.5, -14.0, -7.25, -8.0]));
    const plain = await dpoStep(ws, ex, 0.5, false);
    const withNll = await dpoStep(ws, ex, 0.5, false, 1, 2);
    const len = (b: number) => ex.spanMask.slice(b * 6, (b + 1) * 6).reduce((a, x) => a + x, 0);
    const nll = -(plain.policyChosen[0] / len(0) + plain.policyChosen[1] / len(1)) / 2;
    expect(withNll.loss).toBeCloseTo(plain.loss + 2 * nll, 5);
    await params.zeroGrads();
    await dpoStep(ws, ex, 0.5, true, 1, 2);
    const n = await checkGradients(params, async () => (await dpoStep(ws, ex, 0.5, false, 1, 2)).loss, 9);
    expect(n).toBe(params.trainables.length * 4);
  });

  it('DPO loss is log 2 when the reference is the policy itself', async () => {
    const { params } = makeModel(tinyConfig(false), 'lora', 5);
    const ws = new Workspace(be, params, 4, 6);
    const probe = dpoExample(null);
    const logp = await spanLogprobs(ws, probe.batch, probe.targets, probe.spanMask);
    const out = await dpoStep(ws, dpoExample(logp), 0.1, false);
    expect(out.loss).toBeCloseTo(Math.log(2), 6);
    expect(out.accuracy).toBe(0);
  });

  it('a LoRA model gives the logits of its merged weights', async () => {
    const config = tinyConfig(false);
    const { params, weights, adapter } = makeModel(config, 'lora', 6);
    const merged = ModelParams.create(be, config, mergeLora(weights, adapter!), null, 'none');
    const batch = sftExample().batch;
    const a = new Workspace(be, params, 2, 6);
    const b = new Workspace(be, merged, 2, 6);
    await forward(a, batch);
    await forward(b, batch);
    expectClose(await be.read(a.logits), await be.read(b.logits), { atol: 1e-5, rtol: 1e-4, label: 'logits' });
  });

  it('padding does not change the logits of real tokens', async () => {
    const { params } = makeModel(tinyConfig(true), 'none', 8);
    const short = packBatch([[3, 1, 4]], 0, 3);
    const padded = packBatch([[3, 1, 4], [1, 5, 9, 2, 6, 5]], 0, 6);
    const a = new Workspace(be, params, 1, 3);
    const b = new Workspace(be, params, 2, 6);
    await forward(a, short);
    await forward(b, padded);
    const V = 11;
    expectClose((await be.read(b.logits)).slice(0, 3 * V), await be.read(a.logits), { atol: 1e-5, rtol: 1e-5, label: 'row 0' });
  });
});
