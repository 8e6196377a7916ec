// The decoder race on the bench page: the bench model on our backends and, exported to ONNX, on
// onnxruntime-web in the same tab, same run — WebAssembly (ours and ORT's on one thread) and WebGPU
// (ours and ORT's WebGPU backend on the engine's device), and on a cross-origin-isolated page both wasm
// sides again on every core (up to 8). Prefill of one prompt, decode of 1 and 6
// rows after a shared prefix; tokens/s and ours / ORT. (In Node, `npm run bench` races ORT's wasm
// backend on 1 and N threads instead: src/cli/bench/onnx-decoder-bench.ts.)
import type { GpuContext } from '../gpu/context.ts';
import type { ModelConfig } from '../model/config.ts';
import { createBackend } from '../backend/choice.ts';
import { exportDecoderOnnx } from '../onnx/export-decoder.ts';
import type { Ort } from '../onnx/ort-decoder.ts';
import { configureOrtWebGpu } from './ort-webgpu.ts';
import { benchWeights } from './model-bench.ts';
import { decoderRaceSizes, ortRaceSizes, oursRaceFigures, raceFigures, raceOrtDecoder, raceRatio } from './ort-decoder-race.ts';
import type { OnnxDecoderReport } from './report.ts';
import { webThreadPlan } from '../cpu/threads/spawn-web.ts';
import { WasmBackend } from '../backend/wasm-backend.ts';
import type { OrtRaceFigures } from './ort-decoder-race.ts';
import type { OrtThreadsReply, OrtThreadsRequest } from './ort-threads.worker.ts';

export async function browserDecoderRace(ort: Ort, gpu: GpuContext, config: ModelConfig, quick: boolean, wasmBytes: number): Promise<OnnxDecoderReport> {
  const sizes = decoderRaceSizes(quick);
  const weights = benchWeights(config);
  const bytes = exportDecoderOnnx(config, weights, { description: 'bench' });
  const report: OnnxDecoderReport = {
    threads: 1, prefill_tokens: sizes.prefillTokens, decode_prefix: sizes.decodePrefix, decode_steps: sizes.decodeSteps,
    ours: {}, ort: {}, ort_int8: {}, ratio: {},
    note: 'tokens/s in this tab; wasm: our WebAssembly backend and onnxruntime-web\'s wasm backend, one thread each; wasm-threadsN (cross-origin-isolated pages): both on N threads (ORT in a worker of its own); webgpu: our WGSL kernels and onnxruntime-web\'s WebGPU backend on the same device; the same weights, exported by src/lib/onnx; ratio = ours / ORT',
  };
  configureOrtWebGpu(ort, gpu.device, () => {}); // one wasm thread, and ORT's WebGPU on our device
  const errors: string[] = [];
  for (const ep of ['wasm', 'webgpu'] as const) {
    const be = await createBackend(ep, gpu, wasmBytes);
    try {
      report.ours[ep] = await oursRaceFigures(be, config, weights, sizes);
    } finally {
      be.flush();
    }
    try {
      report.ort[ep] = raceFigures(await raceOrtDecoder(ort, bytes, config, ep, ortRaceSizes(sizes)));
      report.ratio[ep] = raceRatio(report.ours[ep], report.ort[ep]);
    } catch (e) {
      errors.push(`${ep}: ${(e as Error).message}`);
    }
  }
  // On a cross-origin-isolated page: both sides again on every core (ours: kernel threads; ORT: its own worker).
  const plan = webThreadPlan();
  if (plan.count > 1) {
    const key = `wasm-threads${plan.count}`;
    report.threads = plan.count;
    const be = await WasmBackend.create(wasmBytes, { threads: plan.count, spawn: plan.spawn });
    try {
      report.ours[key] = await oursRaceFigures(be, config, weights, sizes);
    } finally {
      be.stopThreads();
    }
    try {
      report.ort[key] = raceFigures(await ortOnThreads({ bytes, config, sizes: ortRaceSizes(sizes), threads: plan.count }));
      report.ratio[key] = raceRatio(report.ours[key], report.ort[key]);
    } catch (e) {
      errors.push(`wasm on ${plan.count} threads: ${(e as Error).message}`);
    }
  }
  if (errors.length > 0) report.ort_error = errors.join('; ');
  return report;
}

/** ORT's wasm race on `threads` threads in a worker of its own (ort-threads.worker.ts). */
function ortOnThreads(req: OrtThreadsRequest): Promise<OrtRaceFigures> {
  const worker = new Worker(new URL('./ort-threads.worker.ts', import.meta.url), { type: 'module', name: 'psr-ort-threads' });
  return new Promise<OrtRaceFigures>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<OrtThreadsReply>) => (e.data.ok ? resolve(e.data.figures) : reject(new Error(e.data.error)));
    worker.onerror = (e) => reject(new Error(`the ORT threads worker failed: ${e.message || 'its script did not load'}`));
    worker.postMessage(req);
  }).finally(() => worker.terminate());
}
