// One full process-based self-rewarding iteration on WebGPU (Dawn): search, self-judging,
// step-DPO on LoRA in WGSL and evaluation, on a micro model. The iteration makes pairs, its
// training moves the LoRA weights on the GPU, and the CPU twin trained on the same pairs from the
// same start lands on the same weights.
import { expect, it } from 'vitest';
import { gpuContext } from './context.ts';
import { GpuBackend } from '../../src/lib/backend/gpu-backend.ts';
import { CpuBackend } from '../../src/lib/backend/cpu-backend.ts';
import { ModelParams } from '../../src/lib/model/params.ts';
import type { LoraAdapter } from '../../src/lib/model/lora.ts';
import { runIterations } from '../../src/lib/psr/loop.ts';
import type { PreferencePair } from '../../src/lib/psr/pairs.ts';
import { searchSettings } from '../../src/lib/psr/search-config.ts';
import { DEFAULT_SRLM_SETTINGS } from '../../src/lib/psr/srlm.ts';
import { DEFAULT_STEP_DPO, trainStepDpo } from '../../src/lib/train/step-dpo.ts';
import { microLoop } from '../util/micro-loop.ts';
import { expectClose } from '../util/compare.ts';

/** Every LoRA matrix of an adapter, by name. */
function matrices(a: LoraAdapter): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  a.layers.forEach((layer, l) => {
    for (const [t, p] of Object.entries(layer)) {
      if (!p) continue;
      out.set(`${l}.${t}.A`, p.a);
      out.set(`${l}.${t}.B`, p.b);
    }
  });
  return out;
}

it('runs one PSR iteration end to end on the GPU backend; its step-DPO matches the CPU twin', async () => {
  const { ctx, adapter, pools } = microLoop(new GpuBackend(await gpuContext()));
  ctx.eval.test = ctx.eval.test.slice(0, 1);
  ctx.eval.eftTest = ctx.eval.eftTest.slice(0, 1);
  const dpo = { ...DEFAULT_STEP_DPO, epochs: 3, lr: 1e-2 };
  const seed = 2;
  let pairs: PreferencePair[] = [];
  let trained: LoraAdapter | null = null;
  const { reports } = await runIterations(
    ctx,
    adapter,
    { method: 'psr', pools: [pools[0]], search: searchSettings({ w: 3, maxSteps: 2, temperature: 1 }), srlm: DEFAULT_SRLM_SETTINGS, dpo, seed },
    {
      onIteration(_r, a, p) {
        trained = a;
        pairs = p;
      },
    },
    { evaluateStart: false },
  );
  expect(reports).toHaveLength(1);
  const r = reports[0];
  expect(r.error).toBeNull();
  expect(r.searchStats?.problems).toBe(2);
  expect(r.evaluation?.solve.problems).toBe(1);
  // Random candidates at temperature 1 differ: the search made pairs and step-DPO trained on them.
  expect(r.pairs).toBeGreaterThan(0);
  expect(pairs).toHaveLength(r.pairs);
  expect(r.dpo?.steps).toBe(3 * Math.ceil(r.pairs / dpo.pairsPerBatch));

  // The LoRA weights moved on the GPU …
  const start = matrices(adapter);
  const gpu = matrices(trained!);
  const moved = Math.max(...[...gpu].map(([k, v]) => Math.max(...v.map((x, i) => Math.abs(x - start.get(k)![i])))));
  expect(moved).toBeGreaterThan(1e-3);
  // … exactly as the CPU twin moves them, trained on the same pairs with the loop's DPO seed.
  const cpuParams = ModelParams.create(new CpuBackend(), ctx.config, ctx.base, adapter, 'lora');
  await trainStepDpo(cpuParams, ctx.tok, pairs, { ...dpo, seed: seed * 1000 + 1 });
  const cpu = matrices(await cpuParams.readAdapter());
  cpuParams.free();
  for (const [name, w] of cpu) expectClose(gpu.get(name)!, w, { atol: 5e-5, rtol: 1e-3, label: `LoRA ${name} after step-DPO` });
});
