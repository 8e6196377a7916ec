// onnxruntime-web's wasm backend on several threads, for the bench page's decoder race: in its own
// worker because ORT fixes its thread count once per module, and the page's own ORT runs one thread.
// Only started on a cross-origin-isolated page (ORT's threads need SharedArrayBuffer).
import type { Ort } from '../onnx/ort-decoder.ts';
import type { ModelConfig } from '../model/config.ts';
import { raceOrtDecoder, type OrtRaceFigures, type OrtRaceSizes } from './ort-decoder-race.ts';

export interface OrtThreadsRequest {
  bytes: Uint8Array;
  config: ModelConfig;
  sizes: OrtRaceSizes;
  threads: number;
}
export type OrtThreadsReply = { ok: true; figures: OrtRaceFigures } | { ok: false; error: string };

self.onmessage = async (e: MessageEvent<OrtThreadsRequest>) => {
  const { bytes, config, sizes, threads } = e.data;
  let reply: OrtThreadsReply;
  try {
    const ort = (await import('onnxruntime-web/all')) as unknown as Ort;
    ort.env.wasm.numThreads = threads;
    ort.env.logLevel = 'error';
    reply = { ok: true, figures: await raceOrtDecoder(ort, bytes, config, 'wasm', sizes) };
  } catch (err) {
    reply = { ok: false, error: String((err as Error)?.message ?? err) };
  }
  postMessage(reply);
};
