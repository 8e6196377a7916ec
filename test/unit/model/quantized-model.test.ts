// A model whose linear layers stay quantized on the backend (decoded on the fly) computes the
// same logits as its dequantized f32 copy, trains LoRA on top with the same gradients, decodes
// with the KV cache, and refuses full training.
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../../src/lib/backend/cpu-backend.ts';
import { WasmBackend } from '../../../src/lib/backend/wasm-backend.ts';
import type { Backend } from '../../../src/lib/backend/backend.ts';
import { ModelParams } from '../../../src/lib/model/params.ts';
import { Workspace } from '../../../src/lib/model/transformer.ts';
import { Decoder } from '../../../src/lib/model/decoder.ts';
import { sftStep } from '../../../src/lib/train/objectives.ts';
import { config, quantizedSetup } from '../../util/quantized-setup.ts';
import { expectClose } from '../../util/compare.ts';

async function lossAndGrads(be: Backend, params: ModelParams, ex: ReturnType<typeof quantizedSetup>['ex']) {
  const ws = new Workspace(be, params, 2, 7);
  await params.zeroGrads();
  const { loss } = await sftStep(ws, ex, true);
  return { loss, logits: await be.read(ws.logits), grads: await Promise.all(params.trainables.map((t) => be.read(t.grad))) };
}

describe('quantized base on the CPU backends', () => {
  for (const format of ['int8', 'q4'] as const) {
    for (const [name, make] of [['cpu', () => new CpuBackend()], ['wasm', () => new WasmBackend(64 * 1024 * 1024)]] as const) {
      it(`${format} on ${name}: logits, loss and LoRA gradients equal the dequantized model's`, async () => {
        const { q, deq, adapter, ex } = quantizedSetup(format);
        const be = make();
        const quant = await lossAndGrads(be, ModelParams.create(be, config, deq, adapter, 'lora', q), ex);
        const f32 = await lossAndGrads(be, ModelParams.create(be, config, deq, adapter, 'lora'), ex);
        expectClose(quant.logits, f32.logits, { atol: 1e-4, rtol: 1e-4, label: 'logits' });
        expect(quant.loss).toBeCloseTo(f32.loss, 5);
        f32.grads.forEach((g, i) => expectClose(quant.grads[i], g, { atol: 1e-5, rtol: 1e-3, label: `LoRA grad ${i}` }));
      });
    }
  }

  it('decodes with the KV cache on a quantized base', async () => {
    const { q, deq, adapter } = quantizedSetup('int8');
    const be = new CpuBackend();
    const run = async (p: ModelParams) => {
      const dec = new Decoder(p, 2, 16);
      await dec.prefill([[1, 2, 3], [4, 5]]);
      return dec.append([[6], [7]]);
    };
    expectClose(await run(ModelParams.create(be, config, deq, adapter, 'none', q)), await run(ModelParams.create(be, config, deq, adapter, 'none')), {
      atol: 1e-4, rtol: 1e-4, label: 'decode logits',
    });
  });

  it('refuses full training of a quantized base', () => {
    const { q, deq } = quantizedSetup('q4');
    expect(() => ModelParams.create(new CpuBackend(), config, deq, null, 'full', q)).toThrow(/quantized base is frozen/);
  });
});
