// Checkpoint round trips give identical logits: write config.json + model.safetensors (f32, and
// bf16 for the lossy case) and a PEFT adapter, read them back, run the model again.
import { describe, expect, it } from 'vitest';
import { MemoryFiles } from '../../../src/lib/formats/memory-files.ts';
import { loadAdapter, loadCheckpoint, saveAdapter, saveCheckpoint } from '../../../src/lib/model/checkpoint.ts';
import { CpuBackend } from '../../../src/lib/backend/cpu-backend.ts';
import { ModelParams } from '../../../src/lib/model/params.ts';
import { Workspace, forward } from '../../../src/lib/model/transformer.ts';
import { packBatch } from '../../../src/lib/model/batch.ts';
import type { LoraAdapter } from '../../../src/lib/model/lora.ts';
import type { ModelWeights } from '../../../src/lib/model/weights.ts';
import { config, quantizedSetup } from '../../util/quantized-setup.ts';
import { expectClose } from '../../util/compare.ts';

const be = new CpuBackend();
const batch = packBatch([[1, 2, 3, 4, 5, 6], [7, 8, 9]], 0, 6);

async function logits(weights: ModelWeights, adapter: LoraAdapter | null): Promise<Float32Array> {
  const p = ModelParams.create(be, config, weights, adapter, 'none');
  const ws = new Workspace(be, p, 2, 6);
  await forward(ws, batch);
  return be.read(ws.logits);
}

describe('checkpoint round trips', () => {
  it('f32 weights and a PEFT adapter come back bit for bit: identical logits', async () => {
    const { deq: weights, adapter } = quantizedSetup('int8');
    const files = new MemoryFiles();
    await saveCheckpoint(files, { config, weights });
    await saveAdapter(files, config, adapter);
    const back = await loadCheckpoint(files);
    expect(back.config).toEqual(config);
    const adapterBack = await loadAdapter(files, config);
    expect(Array.from(await logits(back.weights, adapterBack))).toEqual(Array.from(await logits(weights, adapter)));
  });

  it('bf16 storage changes logits only at bf16 precision', async () => {
    const { deq: weights } = quantizedSetup('int8');
    const files = new MemoryFiles();
    await saveCheckpoint(files, { config, weights }, { dtype: 'BF16' });
    const back = await loadCheckpoint(files);
    expectClose(await logits(back.weights, null), await logits(weights, null), { atol: 5e-2, rtol: 5e-2, label: 'bf16 logits' });
  });
});
