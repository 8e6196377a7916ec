// Batched generation for many different prompts: prompts are grouped into decoder batches,
// each group is prefilled in one forward pass and decoded together until every row stops.
import { Decoder } from '../model/decoder.ts';
import type { ModelParams } from '../model/params.ts';
import { generate, type GenerateOptions, type Generation, type UniformRng } from '../model/sampling.ts';
import { InvalidInputError } from '../errors.ts';

export interface BatchGenerateOptions extends GenerateOptions {
  /** Decoder rows per group (memory and speed trade-off). */
  rowsPerBatch: number;
}

/** Continue each prompt; results in prompt order. `onBatch` reports progress (rows done, total). */
export async function generateMany(
  params: ModelParams,
  prompts: (readonly number[])[],
  opts: BatchGenerateOptions,
  rng: UniformRng,
  onBatch?: (done: number, total: number) => void,
): Promise<Generation[]> {
  const maxPos = params.config.maxPositionEmbeddings;
  const out: Generation[] = [];
  for (let i = 0; i < prompts.length; i += opts.rowsPerBatch) {
    const group = prompts.slice(i, i + opts.rowsPerBatch);
    const longest = Math.max(...group.map((p) => p.length));
    if (longest >= maxPos) {
      throw new InvalidInputError(`a prompt of ${longest} tokens leaves no room to generate within ${maxPos} positions; shorten it.`);
    }
    const dec = new Decoder(params, group.length, Math.min(maxPos, longest + opts.maxNewTokens + 1));
    try {
      const first = await dec.prefill(group);
      out.push(...(await generate(dec, first, opts, rng)));
    } finally {
      dec.free();
    }
    onBatch?.(Math.min(i + opts.rowsPerBatch, prompts.length), prompts.length);
  }
  return out;
}
