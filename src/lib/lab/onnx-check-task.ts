// "Check with ONNX Runtime": an independent check of our kernels a visitor can run. The page's
// current model M_k (the base, with the LoRA adapter of the last iteration merged in) is exported to
// ONNX (src/lib/onnx) in the worker, and onnxruntime-web — a different engine, with its own kernels —
// solves the same problem greedily through its KV cache and scores our greedy solution in one pass.
// Both should write the same solution, with log-probabilities equal up to float rounding. ORT runs
// on its WebAssembly kernels, or on its WebGPU ones on the engine's own device.
import type { ModelParams } from '../model/params.ts';
import type { LoadedModel } from '../model/load-model.ts';
import type { LoraAdapter } from '../model/lora.ts';
import { mergeLora } from '../model/lora.ts';
import { exportDecoderOnnx, type OnnxQuant } from '../onnx/export-decoder.ts';
import { ONNX_QUANT_LABEL } from '../onnx/quant-labels.ts';
import { OrtDecoder, type Ort, type OrtEp } from '../onnx/ort-decoder.ts';
import { configureOrtWebGpu } from '../bench/ort-webgpu.ts';
import { formatStepPrompt } from '../math/formats.ts';
import { generateMany } from '../psr/generation.ts';
import { createRng } from '../math/rng.ts';
import { STEP } from '../tokenizer/special.ts';
import { OnnxCheckError } from '../errors.ts';
import { checkpoint, type TaskControl } from '../psr/control.ts';
import type { ExportedFile, OnnxCheckResult } from './types.ts';
import { configToHf } from '../model/config.ts';
import { toTokenizerConfig, toTokenizerJson } from '../tokenizer/tokenizer-json.ts';
import { worldFileText } from '../math/world-file.ts';

/** Tokens a solution may take (as the evaluation's greedy solving). */
const MAX_NEW_TOKENS = 320;

export interface OnnxCheckInput {
  model: LoadedModel;
  adapter: LoraAdapter;
  params: ModelParams;
  generation: number;
  backend: string;
}

export interface OnnxCheckRuntime {
  loadOrt: (() => Promise<Ort>) | undefined;
  /** onnxruntime-web's execution provider (default wasm). */
  ep: OrtEp;
  /** The engine's GPU device, for the webgpu EP (ORT runs on the same adapter as our kernels). */
  device: () => Promise<GPUDevice>;
}

/** M_k as ONNX bytes: the base with the current adapter merged in, opset 17, past/present key-value tensors; f32 unless `quant`. */
function exportMerged(m: Omit<OnnxCheckInput, 'params' | 'backend'>, quant: OnnxQuant = 'none'): Uint8Array {
  return exportDecoderOnnx(m.model.config, mergeLora(m.model.weights, m.adapter), {
    description: `PSR Lab M${m.generation} (base + LoRA merged), exported from the page: decoder with past_key_values, ${ONNX_QUANT_LABEL[quant]}.`,
    metadata: { generation: String(m.generation), adapter: 'merged', quant },
    quant,
  });
}

export async function checkWithOnnxRuntime(
  m: OnnxCheckInput, question: string, rt: OnnxCheckRuntime, control?: TaskControl,
): Promise<OnnxCheckResult> {
  const { loadOrt, ep } = rt;
  if (!loadOrt) throw new OnnxCheckError('onnxruntime-web is not available in this engine; run the check from the page, or use the CLI (npm run psr -- export-onnx).');
  const { config, tok } = m.model;
  const prompt = Array.from(tok.encode(formatStepPrompt(question, []), { strict: true }).ids); // (T)
  const stops = [tok.eosId];

  // Ours: greedy decoding through our KV cache on the page's backend.
  let t = performance.now();
  const [mine] = await generateMany(m.params, [prompt], { temperature: 0, topP: 1, maxNewTokens: MAX_NEW_TOKENS, stopTokens: stops, rowsPerBatch: 1 }, createRng(0));
  const oursMs = performance.now() - t;
  await checkpoint(control, 'before exporting the model');

  t = performance.now();
  const bytes = exportMerged(m);
  const exportMs = performance.now() - t;
  await checkpoint(control, 'before loading onnxruntime-web');

  let ort: Ort;
  try {
    ort = await loadOrt();
  } catch (e) {
    throw new OnnxCheckError(`onnxruntime-web did not load (${(e as Error).message}); check the connection to this site and reload the page.`);
  }
  ort.env.logLevel = 'error';
  ort.env.wasm.numThreads = 1;
  if (ep === 'webgpu') {
    let device: GPUDevice;
    try {
      device = await rt.device();
    } catch (e) {
      throw new OnnxCheckError(`ONNX Runtime's WebGPU backend needs WebGPU, which is not available here (${(e as Error).name}: ${(e as Error).message}); check with its WebAssembly backend instead.`);
    }
    try {
      configureOrtWebGpu(ort, device, () => {});
    } catch (e) {
      throw new OnnxCheckError(`${(e as Error).message}`);
    }
  }
  t = performance.now();
  const dec = await OrtDecoder.create(ort, bytes, config, ep);
  let theirs;
  let full: number[];
  try {
    theirs = await dec.greedy(prompt, MAX_NEW_TOKENS, stops);
    await checkpoint(control, 'after ONNX Runtime solved');
    full = await dec.textLogprobs([...prompt, ...mine.tokens]);
  } finally {
    await dec.release();
  }
  const ortMs = performance.now() - t;

  const n = mine.tokens.length;
  let first: number | null = null;
  for (let i = 0; i < Math.max(n, theirs.tokens.length); i++) {
    if (mine.tokens[i] !== theirs.tokens[i]) {
      first = i;
      break;
    }
  }
  const ours = mine.logprobs;
  const oneShot = full.slice(prompt.length - 1); // log P of our generated tokens from the one pass
  let maxFull = 0;
  for (let i = 0; i < n; i++) maxFull = Math.max(maxFull, Math.abs(ours[i] - oneShot[i]));
  let maxDecode = 0;
  for (let i = 0; i < (first ?? n); i++) maxDecode = Math.max(maxDecode, Math.abs(ours[i] - theirs.logprobs[i]));
  const text = (ids: number[]) =>
    tok.decode(ids.filter((id) => id !== tok.eosId)).split(STEP).map((s) => s.trim()).filter((s) => s !== '').join(' | ');
  return {
    generation: m.generation,
    backend: m.backend,
    runtime: `onnxruntime-web ${ort.env.versions?.web ?? ''} (${ep === 'webgpu' ? 'WebGPU' : 'wasm'})`.replace('  ', ' '),
    exportBytes: bytes.length,
    ours: text(mine.tokens),
    theirs: text(theirs.tokens),
    sameSolution: first === null,
    tokens: n,
    firstDifference: first,
    maxLogprobDiffFullText: maxFull,
    maxLogprobDiffDecode: maxDecode,
    oursLogprob: ours.reduce((a, b) => a + b, 0),
    theirsLogprob: oneShot.reduce((a, b) => a + b, 0),
    ms: { export: exportMs, ours: oursMs, ort: ortMs },
  };
}

/**
 * The current M_k as files a visitor can take away: `model.onnx` (f32, int8 or q4 linears, the adapter merged, opset 17, past/present
 * key-value tensors) with `config.json`, the tokenizer files and the world file beside it — what `psr export-onnx`
 * writes, made in the worker.
 */
export function onnxExportFiles(m: Omit<OnnxCheckInput, 'params' | 'backend'>, quant: OnnxQuant = 'none'): ExportedFile[] {
  const { config, tok } = m.model;
  const text = (name: string, value: unknown) => ({ name, bytes: new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value, null, 2) + '\n') });
  return [
    { name: 'model.onnx', bytes: exportMerged(m, quant) },
    text('config.json', configToHf(config)),
    text('tokenizer.json', toTokenizerJson(tok)),
    text('tokenizer_config.json', toTokenizerConfig(tok)),
    text('world.json', worldFileText(m.model.world)),
  ];
}
