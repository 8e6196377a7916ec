// Writes the micro model of test/util/micro-loop.ts as a model folder, laid out like
// public/models/psr-tiny/ (config.json, model.safetensors, tokenizer*.json, adapter/), in a temp dir.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveAdapter, saveCheckpoint } from '../../../src/lib/model/checkpoint.ts';
import { NodeFiles } from '../../../src/lib/formats/node-files.ts';
import { CpuBackend } from '../../../src/lib/backend/cpu-backend.ts';
import { toTokenizerConfig, toTokenizerJson } from '../../../src/lib/tokenizer/index.ts';
import { Engine } from '../../../src/lib/engine.ts';
import { NoAdapterError } from '../../../src/lib/errors.ts';
import { microLoop } from '../../util/micro-loop.ts';

export async function microModelDir(): Promise<string> {
  const { ctx, adapter } = microLoop(new CpuBackend());
  const dir = await mkdtemp(join(tmpdir(), 'psr-lab-model-'));
  await saveCheckpoint(new NodeFiles(dir), { config: ctx.config, weights: ctx.base, tokenizerJson: toTokenizerJson(ctx.tok) });
  await writeFile(join(dir, 'tokenizer_config.json'), JSON.stringify(toTokenizerConfig(ctx.tok)));
  await saveAdapter(new NodeFiles(join(dir, 'adapter')), ctx.config, adapter);
  return dir;
}

/** An in-thread Engine reading model folders from disk; it has no GPU (every device request fails like a GPU-less browser). */
export function diskEngine(): Engine {
  return new Engine(
    async () => {
      throw new NoAdapterError('no GPU adapter in this test; the engine must fall back to the CPU.');
    },
    { files: (dir) => new NodeFiles(dir), wasmBytes: 96 * 1024 * 1024 },
  );
}
