// memoryPlan's byte counts on a toy config worked out by hand (C 8, I 16, 1 layer, 2 heads of 4, 1 KV
// head, V 10, tied embeddings), per category and per format; and assertFits' refusals, which must name
// the buffer and say what to reduce.
import { describe, expect, it } from 'vitest';
import { defineConfig } from '../../../src/lib/model/config.ts';
import { tinyModelConfig } from '../../../src/lib/model/tiny.ts';
import { assertFits, linearWeightBytes, memoryPlan, type MemoryOptions } from '../../../src/lib/model/memory.ts';
import { InvalidInputError, MemoryBudgetError } from '../../../src/lib/errors.ts';

const toy = defineConfig({
  modelType: 'llama', hiddenSize: 8, intermediateSize: 16, numLayers: 1, numHeads: 2, numKvHeads: 1,
  vocabSize: 10, maxPositionEmbeddings: 32, tieWordEmbeddings: true,
});
const base: MemoryOptions = { batchRows: 0, seqLen: 0, kvRows: 0, kvSlots: 0, trainMode: 'none', quant: 'f32' };
const roomy = { maxStorageBufferBindingSize: 2 ** 30, maxBufferSize: 2 ** 30, budgetBytes: 2 ** 30 };

describe('memoryPlan on a hand-computed toy config', () => {
  it('counts f32 weights: embed 80 + layer 592 + norm 8 floats', () => {
    const p = memoryPlan(toy, base);
    expect(p.weights).toBe(680 * 4);
    expect([p.lora, p.gradients, p.optimizer, p.activations, p.kvCache]).toEqual([0, 0, 0, 0, 0]);
    expect(p.total).toBe(2720);
  });

  it('counts packed int8 and q4 linears (data words + scales), f32 embeddings and norms', () => {
    // int8: q 16+8, k 8+4, v 8+4, o 16+8, gate 32+16, up 32+16, down 32+8 words = 832 bytes; + 416 f32
    expect(memoryPlan(toy, { ...base, quant: 'int8' }).weights).toBe(1248);
    // q4 (one group per row): q 32+8, k 16+4, v 16+4, o 32+8, gate 64+16, up 64+16, down 32+8 words = 1280 bytes
    expect(memoryPlan(toy, { ...base, quant: 'q4' }).weights).toBe(1696);
    expect(linearWeightBytes('int8', 3, 5)).toBe(4 * (4 + 3)); // 15 bytes → 4 words, + 3 scales
    expect(linearWeightBytes('q4', 2, 40)).toBe(4 * (2 * 2 * 4 + 2 * 2)); // 2 groups per row
  });

  it('counts a forward-only workspace of 1×4 tokens: 704 floats', () => {
    const p = memoryPlan(toy, { ...base, batchRows: 1, seqLen: 4 });
    expect(p.activations).toBe(704 * 4);
    expect(p.buffers.find((b) => b.name === 'ws:l0.att')?.bytes).toBe(1 * 2 * 4 * 4 * 4);
  });

  it('adds gradients, AdamW m and v and the backward scratch for full training', () => {
    const p = memoryPlan(toy, { ...base, batchRows: 1, seqLen: 4, trainMode: 'full' });
    expect(p.gradients).toBe(2720);
    expect(p.optimizer).toBe(5440);
    expect(p.activations).toBe((704 + 472) * 4);
    expect(p.total).toBe(2720 * 4 + 1176 * 4);
  });

  it('counts LoRA r=2 on every projection (256 floats) with its gradients, state and scratch', () => {
    const p = memoryPlan(toy, { ...base, batchRows: 1, seqLen: 4, trainMode: 'lora', lora: { r: 2 } });
    expect(p.lora).toBe(1024);
    expect(p.gradients).toBe(1024);
    expect(p.optimizer).toBe(2048);
    // loraH 7·N·R = 56, loraDelta and loraDout N·(8+4+16) = 112 each, loraDh N·R = 8
    expect(p.activations).toBe((704 + 472 + 56 + 112 + 112 + 8) * 4);
  });

  it('counts the KV cache, the fork row, the decode scratch and the transient prefill workspace', () => {
    const p = memoryPlan(toy, { ...base, kvRows: 6, kvSlots: 10 });
    expect(p.kvCache).toBe((2 * 6 * 10 * 4 + 10 * 4) * 4);
    expect(p.activations).toBe((11040 + 906) * 4);
  });

  it('refuses options that cannot describe a real run', () => {
    expect(() => memoryPlan(toy, { ...base, trainMode: 'full', quant: 'q4' })).toThrow(InvalidInputError);
    expect(() => memoryPlan(toy, { ...base, batchRows: 1, seqLen: 33 })).toThrow(/max_position_embeddings/);
    expect(() => memoryPlan(toy, { ...base, batchRows: -1 })).toThrow(InvalidInputError);
  });
});

describe('assertFits', () => {
  const tiny = tinyModelConfig(198, { bos: 1, eos: 2, pad: 0 });

  it('accepts the tiny model with six 512-slot decode rows and LoRA training on 8×256', () => {
    const p = memoryPlan(tiny, { batchRows: 8, seqLen: 256, kvRows: 6, kvSlots: 512, trainMode: 'lora', quant: 'q4' });
    expect(assertFits(p, { maxStorageBufferBindingSize: 128 * 2 ** 20, maxBufferSize: 256 * 2 ** 20 })).toBe(p);
  });

  it('names an attention-score buffer over the binding limit and what to reduce', () => {
    const p = memoryPlan(tiny, { batchRows: 64, seqLen: 512, kvRows: 0, kvSlots: 0, trainMode: 'none', quant: 'f32' });
    // att = 64·4·512·512 floats = 256 MiB
    expect(() => assertFits(p, roomy)).toThrow(MemoryBudgetError);
    expect(() => assertFits(p, roomy)).toThrow(/ws:l\d\.att .*256\.0 MiB.*128\.0 MiB.*fewer batch rows or a shorter sequence/);
  });

  it('names a buffer over maxBufferSize', () => {
    const p = memoryPlan(tiny, { ...base, kvRows: 6, kvSlots: 512 });
    expect(() => assertFits(p, { maxStorageBufferBindingSize: 2 ** 20, maxBufferSize: 2 ** 20 })).toThrow(/prefill:l\d\.att .*maxBufferSize.*fewer decoder rows or fewer cache slots/);
  });

  it('refuses a total over the budget, naming the largest category', () => {
    const p = memoryPlan(tiny, { batchRows: 8, seqLen: 256, kvRows: 0, kvSlots: 0, trainMode: 'full', quant: 'f32' });
    expect(() => assertFits(p, { ...roomy, budgetBytes: 16 * 2 ** 20 })).toThrow(/over the budget of 16\.0 MiB.*largest share is activations: use fewer batch rows/);
  });
});
