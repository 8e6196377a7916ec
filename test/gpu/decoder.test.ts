// KV-cache decoding on WebGPU: the cached-attention and kv-write kernels match their CPU twins,
// and a forked, LoRA-adapted decoder gives the CPU decoder's logits and greedy tokens.
import { describe, expect, it } from 'vitest';
import { gpuContext } from './context.ts';
import { CpuBackend } from '../../src/lib/backend/cpu-backend.ts';
import { GpuBackend } from '../../src/lib/backend/gpu-backend.ts';
import type { Backend } from '../../src/lib/backend/backend.ts';
import { defineConfig } from '../../src/lib/model/config.ts';
import { initWeights } from '../../src/lib/model/weights.ts';
import { initLora } from '../../src/lib/model/lora.ts';
import { defineLoraConfig } from '../../src/lib/model/lora-config.ts';
import { fillNormal } from '../../src/lib/model/random-init.ts';
import { ModelParams } from '../../src/lib/model/params.ts';
import { Decoder } from '../../src/lib/model/decoder.ts';
import { generate } from '../../src/lib/model/sampling.ts';
import { createRng } from '../../src/lib/math/rng.ts';
import * as ref from '../../src/lib/ref/cached-attention.ts';
import * as gpuK from '../../src/lib/kernels/cached-attention.ts';
import { expectClose } from '../util/compare.ts';
import { seededRng } from '../unit/model/helpers.ts';

describe('cached attention kernels vs CPU', () => {
  it('kv write and attention over a partly filled cache with GQA', async () => {
    const ctx = await gpuContext();
    const rng = seededRng(21);
    const [B, Tq, S, NH, NKV, HS] = [3, 2, 7, 6, 2, 5];
    const D = NKV * HS;
    const rand = (n: number) => fillNormal(new Float32Array(n), 1, rng);
    const cacheK = rand(B * S * D);
    const cacheV = rand(B * S * D);
    const rowsK = rand(B * Tq * D);
    const q = rand(B * Tq * NH * HS);
    const pos = Int32Array.from([3, 4, 0, -1, 5, 6]); // row 1's second query is padding
    const valid = Uint32Array.from({ length: B * S }, (_, i) => ((i % S) <= 6 && i !== 2 ? 1 : 0));
    const cpuK = cacheK.slice();
    ref.kvWrite(cpuK, rowsK, pos, B, Tq, S, D);
    const cpuOut = new Float32Array(B * Tq * NH * HS);
    ref.cachedAttentionForward(cpuOut, q, cpuK, cacheV, valid, pos, B, Tq, S, NH, NKV, HS);
    const up = (a: ArrayBufferView, l: string) => ctx.upload(a, l);
    const gK = up(cacheK, 'k');
    const out = ctx.device.createBuffer({ size: cpuOut.length * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    await gpuK.kvWrite(ctx, gK, up(rowsK, 'rows'), up(pos, 'pos'), B, Tq, S, D);
    await gpuK.cachedAttentionForward(ctx, out, up(q, 'q'), gK, up(cacheV, 'v'), up(valid, 'valid'), up(pos, 'pos2'), B, Tq, S, NH, NKV, HS);
    expectClose(await ctx.readF32(gK, cpuK.length), cpuK, { atol: 0, rtol: 0, label: 'k cache after write' });
    expectClose(await ctx.readF32(out, cpuOut.length), cpuOut, { atol: 1e-5, rtol: 1e-4, label: 'cached attention' });
  });
});

describe('Decoder on WebGPU vs CPU', () => {
  it('forked LoRA decoding gives the same logits and greedy continuations', async () => {
    const config = defineConfig({
      modelType: 'qwen2', hiddenSize: 16, intermediateSize: 24, numLayers: 2, numHeads: 4, numKvHeads: 2,
      vocabSize: 17, maxPositionEmbeddings: 32,
    });
    const rng = seededRng(5);
    const weights = initWeights(config, rng);
    for (const l of weights.layers) for (const k of ['qProj', 'kProj', 'vProj', 'oProj', 'gateProj', 'upProj', 'downProj'] as const) fillNormal(l[k], 0.3, rng);
    fillNormal(weights.embedTokens, 0.6, rng);
    const adapter = initLora(config, defineLoraConfig({ r: 2, alpha: 4, targetModules: ['q_proj', 'o_proj', 'down_proj'] }), rng);
    for (const l of adapter.layers) for (const p of Object.values(l)) fillNormal(p!.b, 0.3, rng);
    const run = async (be: Backend) => {
      const params = ModelParams.create(be, config, weights, adapter, 'none');
      const dec = new Decoder(params, 3, 24);
      await dec.append([[1, 2, 3, 4, 5], [], []]);
      await dec.fork(0, [1, 2]);
      const first = await dec.append([[6], [7, 8], [9]]);
      const gen = await generate(dec, first, { temperature: 0, topP: 1, maxNewTokens: 6 }, createRng(0));
      return { first, tokens: gen.map((g) => g.tokens) };
    };
    const cpu = await run(new CpuBackend());
    const gpu = await run(new GpuBackend(await gpuContext()));
    expectClose(gpu.first, cpu.first, { atol: 1e-4, rtol: 1e-3, label: 'logits after fork' });
    expect(gpu.tokens).toEqual(cpu.tokens);
  });
});
