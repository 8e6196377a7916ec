// Shared by the `logits` command tests (unit on CPU, gpu on WebGPU): a tiny random qwen2 checkpoint
// written to a temp directory with a WordLevel tokenizer.json, PEFT adapters (zero B and random B),
// a capturing CliIo (re-exported from cli-io.ts), and an independent reference: CPU forward + a hand-written log-softmax.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from '../../src/lib/model/config.ts';
import type { ModelConfig } from '../../src/lib/model/config.ts';
import { initWeights } from '../../src/lib/model/weights.ts';
import type { ModelWeights } from '../../src/lib/model/weights.ts';
import { initLora } from '../../src/lib/model/lora.ts';
import type { LoraAdapter } from '../../src/lib/model/lora.ts';
import { defineLoraConfig } from '../../src/lib/model/lora-config.ts';
import { fillNormal } from '../../src/lib/model/random-init.ts';
import { saveAdapter, saveCheckpoint } from '../../src/lib/model/checkpoint.ts';
import { NodeFiles } from '../../src/lib/formats/node-files.ts';
import { CpuBackend } from '../../src/lib/backend/cpu-backend.ts';
import { ModelParams } from '../../src/lib/model/params.ts';
import { Workspace, forward } from '../../src/lib/model/transformer.ts';
import { packBatch } from '../../src/lib/model/batch.ts';
import { seededRng } from '../unit/model/helpers.ts';
import { SEQUENCE } from '../unit/tokenizer/hf-fixtures.ts';
export { captureIo } from './cli-io.ts';

/** V = 26 > the tokenizer's 24 ids (models often pad their vocabulary); T ≤ 16. */
export const LOGITS_CONFIG: ModelConfig = defineConfig({
  modelType: 'qwen2',
  hiddenSize: 16,
  intermediateSize: 24,
  numLayers: 2,
  numHeads: 4,
  numKvHeads: 2,
  vocabSize: 26,
  maxPositionEmbeddings: 16,
});

export interface LogitsCheckpoint {
  root: string;
  modelDir: string;
  /** Adapter with B = 0 (PEFT's init): must not change any number. */
  zeroAdapterDir: string;
  /** Adapter with random B. */
  adapterDir: string;
  weights: ModelWeights;
  adapter: LoraAdapter;
}

/** Write the checkpoint and both adapters under a fresh temp directory. */
export async function writeLogitsCheckpoint(tokenizerJson: unknown = SEQUENCE): Promise<LogitsCheckpoint> {
  const root = mkdtempSync(join(tmpdir(), 'psr-logits-'));
  const rng = seededRng(42);
  const weights = initWeights(LOGITS_CONFIG, rng);
  // Larger than HF's init so the logits (and log-probs) differ visibly between tokens.
  for (const l of weights.layers) for (const k of ['qProj', 'kProj', 'vProj', 'oProj', 'gateProj', 'upProj', 'downProj'] as const) fillNormal(l[k], 0.3, rng);
  for (const l of weights.layers) for (const k of ['qBias', 'kBias', 'vBias'] as const) fillNormal(l[k]!, 0.1, rng);
  fillNormal(weights.embedTokens, 0.7, rng);
  fillNormal(weights.lmHead!, 0.7, rng);
  const modelDir = join(root, 'model');
  await saveCheckpoint(new NodeFiles(modelDir), { config: LOGITS_CONFIG, weights, tokenizerJson });

  const loraConfig = defineLoraConfig({ r: 4, alpha: 8, targetModules: ['q_proj', 'v_proj', 'o_proj', 'down_proj'] });
  const zero = initLora(LOGITS_CONFIG, loraConfig, rng);
  const zeroAdapterDir = join(root, 'adapter-zero');
  await saveAdapter(new NodeFiles(zeroAdapterDir), LOGITS_CONFIG, zero);
  const adapter = initLora(LOGITS_CONFIG, loraConfig, rng);
  for (const l of adapter.layers) for (const p of Object.values(l)) fillNormal(p!.b, 0.3, rng);
  const adapterDir = join(root, 'adapter');
  await saveAdapter(new NodeFiles(adapterDir), LOGITS_CONFIG, adapter);
  return { root, modelDir, zeroAdapterDir, adapterDir, weights, adapter };
}

/** Reference: CPU forward of `ids`, then log P(ids[t] | ids[<t]) by an explicit f64 log-softmax. */
export async function referenceLogprobs(
  weights: ModelWeights, ids: number[],
): Promise<{ logprobs: (number | null)[]; lastLogits: Float32Array }> {
  const be = new CpuBackend();
  const params = ModelParams.create(be, LOGITS_CONFIG, weights, null, 'none');
  const T = ids.length;
  const V = LOGITS_CONFIG.vocabSize;
  const ws = new Workspace(be, params, 1, T);
  await forward(ws, packBatch([ids], 0, T));
  const logits = await be.read(ws.logits); // (T,V)
  const logprobs: (number | null)[] = [null];
  for (let t = 1; t < T; t++) {
    const row = Array.from(logits.subarray((t - 1) * V, t * V));
    const max = Math.max(...row);
    const lse = max + Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0));
    logprobs.push(row[ids[t]] - lse);
  }
  return { logprobs, lastLogits: logits.slice((T - 1) * V, T * V) };
}
