// KV-cache decoding on the CPU backend: cached logits equal a full forward at every position;
// forked rows do not leak into each other; seeded sampling is reproducible; stops cut correctly.
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../../src/lib/backend/cpu-backend.ts';
import { defineConfig } from '../../../src/lib/model/config.ts';
import { initWeights } from '../../../src/lib/model/weights.ts';
import { initLora } from '../../../src/lib/model/lora.ts';
import { defineLoraConfig } from '../../../src/lib/model/lora-config.ts';
import { fillNormal } from '../../../src/lib/model/random-init.ts';
import { ModelParams } from '../../../src/lib/model/params.ts';
import { Workspace, forward } from '../../../src/lib/model/transformer.ts';
import { nextTokenTargets, packBatch } from '../../../src/lib/model/batch.ts';
import { scoreContinuations } from '../../../src/lib/model/scoring.ts';
import { spanLogprobs } from '../../../src/lib/train/objectives.ts';
import { Decoder } from '../../../src/lib/model/decoder.ts';
import { generate, sampleToken } from '../../../src/lib/model/sampling.ts';
import { createRng } from '../../../src/lib/math/rng.ts';
import { cachedAttentionForward, kvWrite } from '../../../src/lib/ref/cached-attention.ts';
import { attentionForward } from '../../../src/lib/ref/attention.ts';
import { seededRng } from './helpers.ts';
import { expectClose } from '../../util/compare.ts';

const config = defineConfig({
  modelType: 'llama',
  hiddenSize: 16,
  intermediateSize: 20,
  numLayers: 2,
  numHeads: 4,
  numKvHeads: 2,
  vocabSize: 13,
  tieWordEmbeddings: true,
  maxPositionEmbeddings: 32,
});

function model(seed: number) {
  const rng = seededRng(seed);
  const weights = initWeights(config, rng);
  for (const l of weights.layers) for (const k of ['qProj', 'kProj', 'vProj', 'oProj', 'gateProj', 'upProj', 'downProj'] as const) fillNormal(l[k], 0.3, rng);
  fillNormal(weights.embedTokens, 0.6, rng);
  const adapter = initLora(config, defineLoraConfig({ r: 2, alpha: 2, targetModules: ['q_proj', 'v_proj', 'up_proj'] }), rng);
  for (const l of adapter.layers) for (const p of Object.values(l)) fillNormal(p!.b, 0.3, rng);
  return ModelParams.create(new CpuBackend(), config, weights, adapter, 'none');
}

async function fullLogits(params: ModelParams, seq: number[]): Promise<Float32Array> {
  const ws = new Workspace(params.backend, params, 1, seq.length);
  await forward(ws, packBatch([seq], 0));
  return params.backend.read(ws.logits);
}

describe('cached attention reference', () => {
  it('equals full causal attention when the cache holds the whole sequence', () => {
    const rng = seededRng(3);
    const [B, T, NH, NKV, HS] = [2, 5, 4, 2, 3];
    const rand = (n: number) => fillNormal(new Float32Array(n), 1, rng);
    const q = rand(B * T * NH * HS);
    const k = rand(B * T * NKV * HS);
    const v = rand(B * T * NKV * HS);
    const valid = Uint32Array.from({ length: B * T }, (_, i) => (i === 7 ? 0 : 1));
    const full = new Float32Array(B * T * NH * HS);
    attentionForward(full, new Float32Array(B * NH * T * T), q, k, v, valid, B, T, NH, NKV, HS);
    const S = 8; // more slots than tokens: unused slots are invalid
    const kc = new Float32Array(B * S * NKV * HS);
    const vc = new Float32Array(B * S * NKV * HS);
    const pos = Int32Array.from({ length: B * T }, (_, i) => i % T);
    kvWrite(kc, k, pos, B, T, S, NKV * HS);
    kvWrite(vc, v, pos, B, T, S, NKV * HS);
    const validS = new Uint32Array(B * S);
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) validS[b * S + t] = valid[b * T + t];
    const cached = new Float32Array(B * T * NH * HS);
    cachedAttentionForward(cached, q, kc, vc, validS, pos, B, T, S, NH, NKV, HS);
    expectClose(cached, full, { atol: 1e-6, rtol: 1e-5, label: 'cached vs full' });
  });
});

describe('Decoder (CPU)', () => {
  it('gives the full-forward logits at every position, prefilling then decoding one token at a time', async () => {
    const params = model(1);
    const seq = [1, 5, 7, 2, 11, 3, 3, 9];
    const full = await fullLogits(params, seq);
    const V = config.vocabSize;
    const dec = new Decoder(params, 1, 16);
    let logits = await dec.append([seq.slice(0, 3)]);
    expectClose(logits, full.subarray(2 * V, 3 * V), { atol: 1e-5, rtol: 1e-4, label: 'after prefill' });
    for (let t = 3; t < seq.length; t++) {
      logits = await dec.append([[seq[t]]]);
      expectClose(logits, full.subarray(t * V, (t + 1) * V), { atol: 1e-5, rtol: 1e-4, label: `position ${t}` });
    }
    expect(dec.lengths).toEqual([seq.length]);
  });

  it('forked rows share the prefix and do not leak into each other', async () => {
    const params = model(2);
    const V = config.vocabSize;
    const prefix = [4, 8, 1, 6];
    const dec = new Decoder(params, 3, 16);
    await dec.append([prefix, [], []]);
    await dec.fork(0, [1, 2]);
    expect(dec.lengths).toEqual([4, 4, 4]);
    const conts = [[2, 2], [9], [12, 0, 5]];
    const out = await dec.append(conts);
    for (let b = 0; b < 3; b++) {
      const full = await fullLogits(params, [...prefix, ...conts[b]]);
      const n = prefix.length + conts[b].length;
      expectClose(out.subarray(b * V, (b + 1) * V), full.subarray((n - 1) * V, n * V), { atol: 1e-5, rtol: 1e-4, label: `row ${b}` });
    }
  });

  it('samples reproducibly from a seed, greedy picks the argmax, and stop strings cut the text', async () => {
    const params = model(3);
    const run = async (seed: number, temperature: number) => {
      const dec = new Decoder(params, 4, 20);
      await dec.append([[1, 2, 3], [], [], []]);
      await dec.fork(0, [1, 2, 3]);
      const first = await dec.append([[4], [4], [4], [4]]);
      return generate(dec, first, { temperature, topP: 0.95, maxNewTokens: 8, stopTokens: [0] }, createRng(seed));
    };
    const a = await run(7, 0.8);
    const b = await run(7, 0.8);
    const c = await run(8, 0.8);
    expect(a).toEqual(b);
    expect(a.map((g) => g.tokens)).not.toEqual(c.map((g) => g.tokens));
    const greedy = await run(1, 0);
    expect(new Set(greedy.map((g) => g.tokens.join(','))).size).toBe(1); // identical rows decode identically
    for (const g of a) {
      expect(g.tokens.length).toBe(g.logprobs.length);
      expect(g.logprobs.every((x) => x <= 0)).toBe(true);
      if (g.finish === 'stop-token') expect(g.tokens.at(-1)).toBe(0);
      else expect(g.tokens.length).toBe(8);
    }
    const letters = 'abcdefghijklm';
    const dec = new Decoder(params, 1, 20);
    const first = await dec.append([[1, 2, 3]]);
    const [g] = await generate(dec, first, {
      temperature: 0, topP: 1, maxNewTokens: 10, stopStrings: ['zz', 'Q'], // 'zz' never occurs; the earliest match wins
      detokenize: (ids) => ids.map((i) => letters[i]).join('') + (ids.length >= 3 ? 'Q' : ''),
    }, createRng(1));
    expect(g.finish).toBe('stop-string');
    expect(g.tokens.length).toBe(3);
    expect(g.text).toBe(g.tokens.map((i) => letters[i]).join(''));
  });

  it('top-p keeps only the nucleus and rejects bad settings', () => {
    const logits = Float32Array.from([0, Math.log(6), Math.log(3), Math.log(1)]); // probs ∝ 1,6,3,1
    const rng = createRng(5);
    const seen = new Set<number>();
    for (let i = 0; i < 400; i++) seen.add(sampleToken(logits, { temperature: 1, topP: 0.6 }, rng));
    expect([...seen].sort()).toEqual([1, 2]); // 6/11 < 0.6 ≤ 9/11: the nucleus is {1, 2}
    return expect(
      generate(new Decoder(model(4), 1, 8), new Float32Array(13), { temperature: -1, topP: 1, maxNewTokens: 2 }, rng),
    ).rejects.toMatchObject({ name: 'InvalidInputError' });
  });
});

describe('scoreContinuations', () => {
  it('matches the span log-prob of the training forward for each continuation', async () => {
    const params = model(9);
    const prefix = [1, 4, 4, 2];
    const conts = [[3], [5, 6, 7], [8, 1]];
    const scores = await scoreContinuations(params, prefix, conts);
    for (const [i, c] of conts.entries()) {
      const seq = [...prefix, ...c];
      const batch = packBatch([seq], 0);
      const { targets, weights } = nextTokenTargets(batch, (_b, t) => (t >= prefix.length ? 1 : 0));
      const ws = new Workspace(params.backend, params, 1, seq.length);
      const [expected] = await spanLogprobs(ws, batch, targets, Uint32Array.from(weights));
      expect(scores[i].tokenLogprobs).toHaveLength(c.length);
      expect(scores[i].logprob).toBeCloseTo(expected, 4);
    }
  });
});

describe('Decoder.prefill', () => {
  it('fills the cache like token-by-token appends, for prompts of different lengths', async () => {
    const params = model(11);
    const V = config.vocabSize;
    const prompts = [[1, 2, 3, 4, 5], [6, 7], [8, 9, 10, 11]];
    const a = new Decoder(params, 3, 12);
    const b = new Decoder(params, 3, 12);
    const fromPrefill = await a.prefill(prompts);
    for (let t = 0; t < 5; t++) await b.append(prompts.map((p) => (t < p.length ? [p[t]] : [])));
    for (let r = 0; r < 3; r++) {
      const full = await fullLogits(params, prompts[r]);
      const n = prompts[r].length;
      expectClose(fromPrefill.subarray(r * V, (r + 1) * V), full.subarray((n - 1) * V, n * V), { atol: 1e-5, rtol: 1e-4, label: `prefill row ${r}` });
    }
    expect(a.lengths).toEqual([5, 2, 4]);
    // After the prefill, decoding continues exactly as after appends.
    const next = [[12], [3], [0]];
    expectClose(await a.append(next), await b.append(next), { atol: 1e-5, rtol: 1e-4, label: 'next step' });
  });
});

describe('Decoder.prefillShared', () => {
  it('gives every row the prompt once, like prefilling each row with it', async () => {
    const params = model(12);
    const prompt = [3, 1, 4, 1, 5, 9];
    const shared = new Decoder(params, 3, 12);
    const each = new Decoder(params, 3, 12);
    expectClose(await shared.prefillShared(prompt), await each.prefill([prompt, prompt, prompt]), { atol: 1e-5, rtol: 1e-4, label: 'after prompt' });
    expect(shared.lengths).toEqual([6, 6, 6]);
    const next = [[2], [6], [5, 3]];
    expectClose(await shared.append(next), await each.append(next), { atol: 1e-5, rtol: 1e-4, label: 'rows diverge independently' });
  });
});
