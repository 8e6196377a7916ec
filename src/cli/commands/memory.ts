// `psr memory`: the GPU bytes a model config needs (weights, LoRA, gradients, AdamW state, activations,
// KV cache; src/lib/model/memory.ts) for a batch, a decoder and a training mode, checked against the
// limits every WebGPU device guarantees (or larger ones given as flags) and a total budget. Exits 1 with
// MemoryBudgetError, naming the buffer and what to reduce, when the config cannot fit.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from '../command.ts';
import { UsageError } from '../../lib/errors.ts';
import { intFlag } from '../math-flags.ts';
import { settingsFromFlags, settingsUsage } from '../settings-flags.ts';
import { parseConfig, type ModelConfig } from '../../lib/model/config.ts';
import { tinyModelConfig } from '../../lib/model/tiny.ts';
import { createTokenizer } from '../../lib/math/vocab.ts';
import { defaultWorldConfig } from '../../lib/math/config.ts';
import { assertFits, memoryPlan, DEFAULT_GPU_BUDGET_BYTES, type MemoryOptions } from '../../lib/model/memory.ts';
import type { QuantFormat } from '../../lib/formats/quant.ts';
import type { TrainMode } from '../../lib/model/params.ts';

const MiB = 1024 * 1024;

function choice<T extends string>(flags: Record<string, unknown>, name: string, options: readonly T[], fallback: T): T {
  const v = flags[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !(options as readonly string[]).includes(v)) {
    throw new UsageError(`--${name} must be one of ${options.join(', ')} (got ${String(v)}).`);
  }
  return v as T;
}

async function loadConfig(dir: string | undefined): Promise<ModelConfig> {
  if (dir === undefined) {
    const tok = createTokenizer(defaultWorldConfig());
    return tinyModelConfig(tok.size, { bos: tok.bosId, eos: tok.eosId, pad: tok.padId });
  }
  const text = await readFile(join(dir, 'config.json'), 'utf8').catch(() => {
    throw new UsageError(`--model ${dir}: no config.json there; pass a model folder (HF layout) or leave --model out for the tiny model.`);
  });
  return parseConfig(JSON.parse(text));
}

export const memoryCommand: Command = {
  name: 'memory',
  summary: 'GPU bytes of a model config (weights, LoRA, gradients, optimizer, activations, KV cache); refuses one that cannot fit.',
  usage: 'memory [--model DIR] [--batch-rows 8] [--seq-len 256] [--kv-rows 6] [--kv-slots 512] [--train none|lora|full] ' +
    `[--quant f32|int8|q4] ${settingsUsage(['loraRank'])} [--max-binding-mib 128] [--max-buffer-mib 256] [--budget-mib 1024] [--json]`,
  settings: ['loraRank'],
  options: {
    model: { type: 'string' },
    'batch-rows': { type: 'string' },
    'seq-len': { type: 'string' },
    'kv-rows': { type: 'string' },
    'kv-slots': { type: 'string' },
    train: { type: 'string' },
    quant: { type: 'string' },
    'max-binding-mib': { type: 'string' },
    'max-buffer-mib': { type: 'string' },
    'budget-mib': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(flags, _positionals, io) {
    const config = await loadConfig(typeof flags.model === 'string' ? flags.model : undefined);
    const trainMode = choice<TrainMode>(flags, 'train', ['none', 'lora', 'full'], 'lora');
    const options: MemoryOptions = {
      batchRows: intFlag(flags, 'batch-rows', 0, 1_000_000, 8),
      seqLen: intFlag(flags, 'seq-len', 0, 16_777_216, Math.min(256, config.maxPositionEmbeddings)),
      kvRows: intFlag(flags, 'kv-rows', 0, 1_000_000, 6),
      kvSlots: intFlag(flags, 'kv-slots', 0, 16_777_216, config.maxPositionEmbeddings),
      trainMode,
      quant: choice<QuantFormat>(flags, 'quant', ['f32', 'int8', 'q4'], trainMode === 'full' ? 'f32' : 'q4'),
      // The LoRA rank is the settings table's (--rank), as for a loop's fresh adapter.
      lora: trainMode === 'lora' || flags.rank !== undefined ? { r: settingsFromFlags(flags, ['loraRank']).loraRank } : null,
    };
    const limits = {
      maxStorageBufferBindingSize: intFlag(flags, 'max-binding-mib', 1, 1 << 20, 128) * MiB,
      maxBufferSize: intFlag(flags, 'max-buffer-mib', 1, 1 << 20, 256) * MiB,
      budgetBytes: intFlag(flags, 'budget-mib', 1, 1 << 30, DEFAULT_GPU_BUDGET_BYTES / MiB) * MiB,
    };
    const plan = memoryPlan(config, options);
    const summary = {
      options: plan.options,
      limits,
      bytes: { weights: plan.weights, lora: plan.lora, gradients: plan.gradients, optimizer: plan.optimizer, activations: plan.activations, kv_cache: plan.kvCache, total: plan.total },
      largest_buffers: plan.buffers.slice(0, 5).map((b) => ({ name: b.name, category: b.category, bytes: b.bytes })),
    };
    if (flags.json) io.out(JSON.stringify(summary, null, 2) + '\n');
    else {
      const mib = (n: number) => `${(n / MiB).toFixed(2)} MiB`;
      io.out(Object.entries(summary.bytes).map(([k, v]) => `${k.padEnd(12)} ${mib(v)}`).join('\n') + '\n');
      io.out(`largest buffers: ${summary.largest_buffers.map((b) => `${b.name} ${mib(b.bytes)}`).join(', ')}\n`);
    }
    assertFits(plan, limits); // MemoryBudgetError → exit 1 with the buffer and the remedy
    return 0;
  },
};
