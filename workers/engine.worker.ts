// The engine worker: owns the GPUDevice. Constructs the Engine on navigator.gpu and exposes it.
import * as Comlink from 'comlink';
import { Engine } from '../src/lib/engine.ts';
import { acquireDevice } from '../src/lib/gpu/device.ts';
import type { Ort } from '../src/lib/bench/ort-webgpu.ts';
import { webThreadPlan } from '../src/lib/cpu/threads/spawn-web.ts';

// onnxruntime-web (its JSEP WebGPU EP: kernel profiling gives GPU timestamps) is imported only when the
// bench page asks for it; Vite splits it and its wasm into their own files, out of the main bundle.
const loadOrt = async () => (await import('onnxruntime-web/all')) as unknown as Ort;
// Kernel threads for the CPU backend when the page is cross-origin isolated (else one, with the reason).
const engine = new Engine((onLost) => acquireDevice(navigator.gpu, { runtime: 'browser', onLost }), { loadOrt, threads: webThreadPlan() });
Comlink.expose(engine);
