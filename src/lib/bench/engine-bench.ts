// The benchmark as an engine task (Engine.bench, reached from the bench page over comlink): the same
// runBench as `npm run bench`, on the engine's device (through a BenchContext sharing it), with the
// backends a browser tab has (WebGPU and the WebAssembly CPU backend) and onnxruntime-web loaded only
// now, by the loader the worker entry passes in (a dynamic import, so it stays out of the main bundle).
import type { DeviceHandle } from '../gpu/device.ts';
import { BenchContext } from './gpu-timer.ts';
import { runBench, type BenchProgress, type BenchReport } from './run.ts';
import type { Ort } from './ort-webgpu.ts';
import { tinyModelConfig } from '../model/tiny.ts';
import { createTokenizer } from '../math/vocab.ts';
import { defaultWorldConfig } from '../math/config.ts';
import { browserDecoderRace } from './browser-decoder-race.ts';

export type { BenchProgress, BenchReport };

/** What the page chooses. */
export interface BenchRequest {
  /** The ~1-minute subset (two matmul shapes, small model runs). */
  quick: boolean;
  /** Also run onnxruntime-web's WebGPU EP (downloads ~30 MB; its first run compiles for a while on software GPUs). */
  ort: boolean;
}

export interface EngineBenchDeps {
  loadOrt?: () => Promise<Ort>;
  /** WebAssembly arena of the CPU backend's runs (a tab cannot count on 1.5 GiB). */
  wasmArenaBytes?: number;
}

/** The machine as a browser (or Node) can describe it: browsers do not expose the CPU model. */
function describeMachine(runtime: string): BenchReport['machine'] {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number; userAgent?: string } }).navigator;
  return {
    cpu: 'not exposed by the browser',
    cores: nav?.hardwareConcurrency ?? 0,
    platform: nav?.userAgent ?? 'unknown',
    runtime_version: runtime,
  };
}

export async function benchOnDevice(
  handle: DeviceHandle, req: BenchRequest, deps: EngineBenchDeps, onProgress: (p: BenchProgress) => void,
): Promise<BenchReport> {
  const ctx = new BenchContext(handle);
  const tok = createTokenizer(defaultWorldConfig());
  const config = tinyModelConfig(tok.size, { bos: tok.bosId, eos: tok.eosId, pad: tok.padId });
  try {
    return await runBench(
      {
        runtime: handle.info.runtime,
        machine: describeMachine(handle.info.runtime === 'browser' ? 'browser engine worker' : 'node'),
        ctx,
        config,
        loadOrt: deps.loadOrt,
        wasmArenaBytes: deps.wasmArenaBytes ?? 256 * 1024 * 1024,
        // With onnxruntime-web ticked: the decoder race in this tab (ours vs ORT, wasm and WebGPU).
        onnxDecoder: req.ort === true && deps.loadOrt ? async (quick) => browserDecoderRace(await deps.loadOrt!(), ctx, config, quick, deps.wasmArenaBytes ?? 256 * 1024 * 1024) : undefined,
      },
      { quick: req.quick === true, ort: req.ort === true, backends: ['webgpu', 'wasm'] },
      onProgress,
    );
  } finally {
    ctx.flush();
    ctx.releaseCaptures();
    ctx.pool.destroy();
  }
}
