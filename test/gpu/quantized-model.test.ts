// A quantized base on WebGPU (the WGSL matmuls decode int8/q4 on the fly): logits, loss and LoRA
// gradients equal the CPU backend's on the same quantized model.
import { describe, expect, it } from 'vitest';
import { gpuContext } from './context.ts';
import { CpuBackend } from '../../src/lib/backend/cpu-backend.ts';
import { GpuBackend } from '../../src/lib/backend/gpu-backend.ts';
import type { Backend } from '../../src/lib/backend/backend.ts';
import { ModelParams } from '../../src/lib/model/params.ts';
import { Workspace } from '../../src/lib/model/transformer.ts';
import { sftStep } from '../../src/lib/train/objectives.ts';
import { config, quantizedSetup } from '../util/quantized-setup.ts';
import { expectClose } from '../util/compare.ts';

describe('quantized base on WebGPU vs CPU', () => {
  for (const format of ['int8', 'q4'] as const) {
    it(`${format}: logits, loss and LoRA gradients agree`, async () => {
      const { q, deq, adapter, ex } = quantizedSetup(format);
      const run = async (be: Backend) => {
        const params = ModelParams.create(be, config, deq, adapter, 'lora', q);
        const ws = new Workspace(be, params, 2, 7);
        await params.zeroGrads();
        const { loss } = await sftStep(ws, ex, true);
        return { loss, logits: await be.read(ws.logits), grads: await Promise.all(params.trainables.map((t) => be.read(t.grad))) };
      };
      const cpu = await run(new CpuBackend());
      const gpu = await run(new GpuBackend(await gpuContext()));
      expectClose(gpu.logits, cpu.logits, { atol: 1e-4, rtol: 1e-3, label: 'logits' });
      expect(Math.abs(gpu.loss - cpu.loss)).toBeLessThan(1e-4);
      cpu.grads.forEach((g, i) => expectClose(gpu.grads[i], g, { atol: 1e-5, rtol: 2e-3, label: `LoRA grad ${i}` }));
    });
  }
});
