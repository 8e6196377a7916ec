// onnxruntime-web's WebGPU execution provider on the same MatMul shapes, on OUR GPUDevice (so: the
// same adapter, in the same run). Timing: ORT's own profiling, which reports each kernel's GPU time from
// timestamp queries (comparable to GpuTimer's); without timestamps, the wall time of a whole run
// (upload + kernel + readback), which flatters us — the report says which one was used.
// The caller loads ORT (Node needs shims, the browser a dynamic import) and passes the module in.
import type * as OrtModule from 'onnxruntime-web';
import { matmulModelBytes } from './onnx-matmul-model.ts';
import { BenchError } from '../errors.ts';
import { benchData, matmulFlop, shapeKey, type MatmulShape } from './matmul-bench.ts';

export type Ort = typeof OrtModule;

export interface OrtWebGpuResult {
  available: boolean;
  /** Why ORT could not run (load failure, EP refused the device, …), when `available` is false. */
  error?: string;
  timing?: 'ort-profiling-timestamps' | 'wall-clock-per-run';
  /** GFLOP/s per shape key (N×C×OC). */
  gflops: Record<string, number>;
  /** Seconds from the first session to the end of the first run (ORT compiles its shaders then). */
  firstRunSeconds?: number;
}

// ORT keeps the first device it is given for the life of its module: remember it per module.
const configured = new WeakMap<object, { device: GPUDevice; onKernel: (ms: number) => void }>();

/** Point ORT's WebGPU EP at our device and turn on its kernel profiling (once per ORT module). */
export function configureOrtWebGpu(ort: Ort, device: GPUDevice, onKernel: (ms: number) => void): void {
  const known = configured.get(ort);
  if (known) {
    if (known.device !== device) {
      throw new BenchError('onnxruntime-web is still bound to an earlier GPU device; reload the page to benchmark it again.');
    }
    known.onKernel = onKernel;
    return;
  }
  const entry = { device, onKernel };
  configured.set(ort, entry);
  ort.env.logLevel = 'error';
  ort.env.wasm.numThreads = 1;
  ort.env.webgpu.device = device;
  ort.env.webgpu.profiling = { mode: 'default', ondata: (d) => entry.onKernel((d.endTime - d.startTime) / 1e6) };
}

/**
 * Time ORT's MatMul (A(N,C)·B(C,OC), the same product as our out = inp·Wᵀ) per shape; best of `samples`
 * runs after one warm-up. Errors become `{ available: false, error }` rather than exceptions.
 */
export async function benchOrtWebGpu(
  ort: Ort,
  device: GPUDevice,
  shapes: MatmulShape[],
  opts: { samples: number; onShape?: (key: string, gflops: number) => void },
): Promise<OrtWebGpuResult> {
  let kernelMs: number[] = [];
  const result: OrtWebGpuResult = { available: false, gflops: {} };
  try {
    configureOrtWebGpu(ort, device, (ms) => kernelMs.push(ms));
    const t0 = performance.now();
    for (const s of shapes) {
      const { N, C, OC } = s;
      const session = await ort.InferenceSession.create(matmulModelBytes(N, C, OC), { executionProviders: ['webgpu'] });
      try {
        const feeds = {
          A: new ort.Tensor('float32', benchData(N * C, 1), [N, C]),
          B: new ort.Tensor('float32', benchData(C * OC, 2), [C, OC]),
        };
        let best = Infinity;
        for (let r = 0; r <= opts.samples; r++) {
          kernelMs = [];
          const t = performance.now();
          await session.run(feeds);
          const wall = performance.now() - t;
          // ORT reports profiling data as the run's GPU work completes; give the callbacks a turn.
          await new Promise((ok) => setTimeout(ok, 0));
          const ms = kernelMs.length > 0 ? kernelMs.reduce((x, y) => x + y, 0) : wall;
          result.timing = kernelMs.length > 0 ? 'ort-profiling-timestamps' : 'wall-clock-per-run';
          if (result.firstRunSeconds === undefined) result.firstRunSeconds = (performance.now() - t0) / 1000;
          if (r > 0) best = Math.min(best, ms); // r = 0 is the warm-up
        }
        const g = matmulFlop(s) / (best * 1e6);
        result.gflops[shapeKey(s)] = g;
        opts.onShape?.(shapeKey(s), g);
      } finally {
        await session.release();
      }
    }
    result.available = true;
  } catch (e) {
    const err = e as Error;
    result.error = `${err.name ?? 'Error'}: ${err.message ?? String(e)}`;
  }
  return result;
}
