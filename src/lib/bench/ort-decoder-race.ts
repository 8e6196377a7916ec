// onnxruntime-web's side of the decoder race: the ONNX export of the bench model (src/lib/onnx) on one
// execution provider, timed the way model-bench.ts times ours — prefill of one prompt, and decode of
// `rows` rows after a shared prefix through the past/present key-value tensors, logits read every step.
// Best of `samples` after one warm-up; tokens/s. Used by the Node child (one ORT per thread count) and
// by the bench page (ORT's wasm backend on one thread, and its WebGPU backend on the engine's device);
// also the race's shared sizes and how both sides' figures go into the report.
import type { ModelConfig } from '../model/config.ts';
import { OrtDecoder, type Ort, type OrtEp } from '../onnx/ort-decoder.ts';
import { benchTokens } from './bench-data.ts';
import { timeAsync } from './gpu-timer.ts';
import { benchDecode, benchPrefill, FULL_MODEL_SIZES, type ModelBenchSizes } from './model-bench.ts';
import type { Backend } from '../backend/backend.ts';
import type { ModelWeights } from '../model/weights.ts';

/** Decode row counts of the race: one row, and the search's w = 6 candidates. */
export const DECODER_RACE_ROWS = [1, 6];

/** The race's sizes (ours and ORT's): prefill 64 / 256 tokens, decode 4 / 16 steps after 32 / 128 tokens. */
export function decoderRaceSizes(quick: boolean): ModelBenchSizes {
  return quick
    ? { ...FULL_MODEL_SIZES, prefillTokens: 64, decodePrefix: 32, decodeSteps: 4, samples: 1 }
    : { ...FULL_MODEL_SIZES, prefillTokens: 256, decodePrefix: 128, decodeSteps: 16, samples: 3 };
}

/** The same sizes as ORT's side takes them. */
export function ortRaceSizes(z: ModelBenchSizes): OrtRaceSizes {
  return { prefill: z.prefillTokens, prefix: z.decodePrefix, steps: z.decodeSteps, rows: DECODER_RACE_ROWS, samples: z.samples };
}

export const round4 = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(4)) : x);

/** A report row: prefill and decode_rowsW tokens/s, 4 significant digits. */
export function raceFigures(o: OrtRaceFigures): Record<string, number> {
  return { prefill: round4(o.prefill), ...Object.fromEntries(Object.entries(o.decode).map(([k, v]) => [`decode_${k}`, round4(v)])) };
}

/** Our side of the race on one backend, as a report row. */
export async function oursRaceFigures(be: Backend, config: ModelConfig, weights: ModelWeights, z: ModelBenchSizes): Promise<Record<string, number>> {
  const prefill = (await benchPrefill(be, config, weights, z)).tokens_per_s;
  const decode: Record<string, number> = {};
  for (const rows of DECODER_RACE_ROWS) decode[`rows${rows}`] = (await benchDecode(be, config, weights, { ...z, decodeRows: rows })).tokens_per_s;
  return raceFigures({ prefill, decode });
}

/** ours / ORT per figure. */
export function raceRatio(ours: Record<string, number>, ort: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.keys(ours).map((k) => [k, round4(ours[k] / ort[k])]));
}

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

export async function raceOrtDecoder(ort: Ort, bytes: Uint8Array, config: ModelConfig, ep: OrtEp, z: OrtRaceSizes): Promise<OrtRaceFigures> {
  const V = config.vocabSize;
  const dec = await OrtDecoder.create(ort, bytes, config, ep);
  try {
    const prompt = benchTokens(z.prefill, V, 1);
    // logits are read back on every call, as sampling would
    const prefillMs = await timeAsync(() => dec.run([prompt], 0, null), z.samples);
    const prefix = benchTokens(z.prefix, V, 2);
    const decode: Record<string, number> = {};
    for (const W of z.rows) {
      const { cache: start } = await dec.run(Array.from({ length: W }, () => prefix), 0, null);
      const next = benchTokens(z.steps * W, V, 3);
      // the decode steps alone, each run from the same prefilled prefix (ORT does not modify its inputs)
      const ms = await timeAsync(async () => {
        let cache = start;
        for (let s = 0; s < z.steps; s++) cache = (await dec.run(Array.from({ length: W }, (_, b) => [next[s * W + b]]), z.prefix + s, cache)).cache;
      }, z.samples);
      decode[`rows${W}`] = (W * z.steps * 1000) / ms;
    }
    return { prefill: (z.prefill * 1000) / prefillMs, decode };
  } finally {
    await dec.release();
  }
}
