// WasmBackend (WebAssembly SIMD kernels, tensors in one wasm memory) against the reference
// CpuBackend on the whole model: logits, SFT loss, every gradient, and a few AdamW steps; and
// KV-cache decoding (wasm cached attention) against the CPU decoder's logits.
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../../src/lib/backend/cpu-backend.ts';
import { WasmBackend } from '../../../src/lib/backend/wasm-backend.ts';
import type { Backend } from '../../../src/lib/backend/backend.ts';
import { defineConfig } from '../../../src/lib/model/config.ts';
import { initWeights } from '../../../src/lib/model/weights.ts';
import { fillNormal } from '../../../src/lib/model/random-init.ts';
import { ModelParams } from '../../../src/lib/model/params.ts';
import { Workspace } from '../../../src/lib/model/transformer.ts';
import { nextTokenTargets, packBatch } from '../../../src/lib/model/batch.ts';
import { sftStep } from '../../../src/lib/train/objectives.ts';
import { AdamW } from '../../../src/lib/train/optimizer.ts';
import { Decoder } from '../../../src/lib/model/decoder.ts';
import { seededRng } from '../model/helpers.ts';
import { expectClose } from '../../util/compare.ts';

const config = defineConfig({
  modelType: 'qwen2', hiddenSize: 36, intermediateSize: 52, numLayers: 2, numHeads: 6, numKvHeads: 2,
  vocabSize: 41, maxPositionEmbeddings: 64,
});

describe('WasmBackend vs CpuBackend', () => {
  it('agree on logits, loss, every gradient and three AdamW steps', async () => {
    const rng = seededRng(4);
    const weights = initWeights(config, rng);
    for (const l of weights.layers) for (const k of ['qProj', 'kProj', 'vProj', 'oProj', 'gateProj', 'upProj', 'downProj'] as const) fillNormal(l[k], 0.2, rng);
    fillNormal(weights.embedTokens, 0.5, rng);
    const seqs = Array.from({ length: 5 }, (_, b) => Array.from({ length: 9 + 3 * b }, (_, t) => (7 * b + 5 * t + 1) % 41));
    const batch = packBatch(seqs, 0, 21);
    const { targets, weights: w } = nextTokenTargets(batch, (_b, t) => (t > 2 ? 1 : 0));
    const run = async (be: Backend) => {
      const p = ModelParams.create(be, config, weights, null, 'full');
      const ws = new Workspace(be, p, 5, 21);
      const opt = new AdamW(be, p.trainables, { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.01, maxGradNorm: 1 });
      const losses: number[] = [];
      let grads: Float32Array[] = [];
      let logits: Float32Array = new Float32Array(0);
      for (let s = 0; s < 3; s++) {
        await p.zeroGrads();
        losses.push((await sftStep(ws, { batch, targets, weights: w }, true)).loss);
        if (s === 0) {
          logits = await be.read(ws.logits);
          grads = await Promise.all(p.trainables.map((t) => be.read(t.grad)));
        }
        await opt.update(1e-2);
      }
      return { losses, grads, logits, names: p.trainables.map((t) => t.name) };
    };
    const ref = await run(new CpuBackend());
    const fast = await run(new WasmBackend(64 * 1024 * 1024));
    expectClose(fast.logits, ref.logits, { atol: 1e-5, rtol: 1e-4, label: 'logits' });
    expectClose(fast.losses, ref.losses, { atol: 1e-5, rtol: 1e-4, label: 'losses over 3 steps' });
    ref.grads.forEach((g, i) => expectClose(fast.grads[i], g, { atol: 1e-5, rtol: 1e-3, label: `d${ref.names[i]}` }));
    expect(ref.losses[2]).toBeLessThan(ref.losses[0]);
  });

  it('decode with a KV cache gives the CPU decoder logits after prefill, fork and appends', async () => {
    const rng = seededRng(9);
    const weights = initWeights(config, rng);
    for (const l of weights.layers) for (const k of ['qProj', 'kProj', 'vProj', 'oProj', 'gateProj', 'upProj', 'downProj'] as const) fillNormal(l[k], 0.3, rng);
    fillNormal(weights.embedTokens, 0.6, rng);
    const V = config.vocabSize;
    const tok = (i: number) => (i * 11 + 3) % V;
    // row 3 starts empty and is forked from row 0; rows get 0, 1 or 3 tokens per append (padded queries)
    const appends: number[][][] = [
      [[tok(1)], [tok(2), tok(3), tok(4)], [], [tok(5)]],
      [[tok(6)], [tok(7)], [tok(8), tok(9)], [tok(10)]],
      [[tok(11)], [], [tok(12)], [tok(13)]],
      [[tok(14)], [tok(15)], [tok(16)], [tok(17)]],
    ];
    const run = async (be: Backend) => {
      const p = ModelParams.create(be, config, weights, null, 'none');
      const dec = new Decoder(p, 4, 40);
      const out: Float32Array[] = [];
      out.push(await dec.prefill([Array.from({ length: 17 }, (_, t) => tok(t + 20)), [1, 2, 3, 4, 5], [tok(40), tok(41), tok(42)], []]));
      await dec.fork(0, [3]);
      for (const a of appends) {
        const r = await dec.appendAll(a);
        out.push(r.last, r.all);
      }
      dec.free();
      return out;
    };
    const ref = await run(new CpuBackend());
    const fast = await run(new WasmBackend(64 * 1024 * 1024));
    expect(fast.length).toBe(ref.length);
    ref.forEach((r, i) => {
      expect(r.some((x) => x !== 0)).toBe(true);
      expectClose(fast[i], r, { atol: 1e-5, rtol: 1e-4, label: i === 0 ? 'prefill logits' : `append ${(i - 1) >> 1} ${i % 2 ? 'last' : 'all'} logits` });
    });
  });
});
