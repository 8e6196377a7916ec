// onnxruntime-web's side of the decoder race: the ONNX export of the bench model (src/lib/onnx) on one
// execution provider, timed the way model-bench.ts times ours — prefill of one prompt, and decode of
// `rows` rows after a shared prefix through the past/present key-value tensors, logits read every step.
// Best of `samples` after one warm-up; tokens/s. Used by the Node child (one ORT per thread count) and
// by the bench page (ORT's wasm backend on one thread, and its WebGPU backend on the engine's device).
import type { ModelConfig } from '../model/config.ts';
import { OrtDecoder, type Ort, type OrtEp } from '../onnx/ort-decoder.ts';
import { benchTokens } from './bench-data.ts';

export interface OrtRaceSizes {
  prefill: number;
  prefix: number;
  steps: number;
  rows: number[];
  samples: number;
}

/** tokens/s: prefill, and decode per row count (key `rows${W}`). */
export interface OrtRaceFigures {
  prefill: number;
  decode: Record<string, number>;
}

async function best(samples: number, fn: () => Promise<number>): Promise<number> {
  await fn();
  let ms = Infinity;
  for (let r = 0; r < samples; r++) ms = Math.min(ms, await fn());
  return ms;
}

export async function raceOrtDecoder(ort: Ort, bytes: Uint8Array, config: ModelConfig, ep: OrtEp, z: OrtRaceSizes): Promise<OrtRaceFigures> {
  const V = config.vocabSize;
  const dec = await OrtDecoder.create(ort, bytes, config, ep);
  try {
    const prompt = benchTokens(z.prefill, V, 1);
    const prefillMs = await best(z.samples, async () => {
      const t = performance.now();
      const { logits } = await dec.run([prompt], 0, null);
      void logits[0]; // read back, as sampling would
      return performance.now() - t;
    });
    const decode: Record<string, number> = {};
    for (const W of z.rows) {
      const prefix = benchTokens(z.prefix, V, 2);
      const next = benchTokens(z.steps * W, V, 3);
      const ms = await best(z.samples, async () => {
        let { cache } = await dec.run(Array.from({ length: W }, () => prefix), 0, null);
        const t = performance.now();
        for (let s = 0; s < z.steps; s++) {
          const out = await dec.run(Array.from({ length: W }, (_, b) => [next[s * W + b]]), z.prefix + s, cache);
          cache = out.cache;
        }
        return performance.now() - t;
      });
      decode[`rows${W}`] = (W * z.steps * 1000) / ms;
    }
    return { prefill: (z.prefill * 1000) / prefillMs, decode };
  } finally {
    await dec.release();
  }
}
