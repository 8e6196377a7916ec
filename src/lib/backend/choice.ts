// Which backend runs the model, for the app and the CLI alike: 'auto' picks WebGPU on a hardware
// GPU and the WebAssembly SIMD CPU path when WebGPU is missing or the adapter is a software
// rasterizer (SwiftShader runs WGSL on the CPU, about 50× slower than our wasm kernels); 'webgpu',
// 'wasm' and 'cpu' (the plain TypeScript reference) force one. The reason is shown to the user.
import type { GpuInfo } from '../gpu/device.ts';
import type { GpuContext } from '../gpu/context.ts';
import type { Backend } from './backend.ts';
import { CpuBackend } from './cpu-backend.ts';
import { WasmBackend, type WasmThreadOptions } from './wasm-backend.ts';
import { GpuBackend } from './gpu-backend.ts';
import { InvalidInputError } from '../errors.ts';

import { BACKEND_CHOICES, BACKEND_NAMES, type BackendChoice, type BackendName } from './names.ts';

export { BACKEND_CHOICES, BACKEND_NAMES };
export type { BackendChoice, BackendName };

export interface BackendDecision {
  backend: BackendName;
  reason: string;
}

/** What asking for a WebGPU device gave: its adapter, or the named error. */
export type GpuProbe = { ok: true; info: GpuInfo } | { ok: false; name: string; message: string };

function adapterName(info: GpuInfo): string {
  return [info.vendor, info.architecture, info.description].filter((s) => s).join(' ') || 'an unnamed adapter';
}

/** Decide; an explicit 'webgpu' without a device returns null (the caller rethrows the device error). */
export function decideBackend(requested: BackendChoice, probe: GpuProbe | null): BackendDecision | null {
  if (requested === 'wasm') {
    return { backend: 'wasm', reason: 'You chose the CPU backend (WebAssembly SIMD kernels).' };
  }
  if (requested === 'cpu') {
    return { backend: 'cpu', reason: 'You chose the plain TypeScript reference backend (slow; for checking the others).' };
  }
  if (requested === 'webgpu') {
    if (!probe?.ok) return null;
    const slow = probe.info.software ? ' It is a software rasterizer: expect CPU speed or slower.' : '';
    return { backend: 'webgpu', reason: `You chose WebGPU on ${adapterName(probe.info)}.${slow}` };
  }
  if (!probe || !probe.ok) {
    const why = probe ? `${probe.name}` : 'no device';
    return { backend: 'wasm', reason: `WebGPU is not available here (${why}), so the model runs on the CPU with WebAssembly SIMD.` };
  }
  if (probe.info.software) {
    return {
      backend: 'wasm',
      reason: `The WebGPU adapter (${adapterName(probe.info)}) is a software rasterizer on the CPU; the WebAssembly SIMD CPU path is about 50× faster, so it is used.`,
    };
  }
  return { backend: 'webgpu', reason: `A hardware GPU adapter is available (${adapterName(probe.info)}): the model runs in WGSL on WebGPU.` };
}

/** Whether a choice needs a WebGPU device to be asked for before deciding. */
export function needsGpuProbe(requested: BackendChoice): boolean {
  return requested === 'auto' || requested === 'webgpu';
}

/**
 * Ask for a device when the choice needs one (`gpu`: the browser's navigator.gpu or Dawn in Node),
 * then decide. An explicit 'webgpu' without a device rethrows the device's own named error; 'auto'
 * falls back and says why. `gpu` is the context to build a 'webgpu' backend on (null otherwise;
 * a context acquired but not used is the caller's to release).
 */
export async function chooseBackend(
  requested: BackendChoice,
  acquire: () => Promise<GpuContext>,
): Promise<{ decision: BackendDecision; gpu: GpuContext | null; unused: GpuContext | null }> {
  let ctx: GpuContext | null = null;
  let probe: GpuProbe | null = null;
  let deviceError: unknown = null;
  if (needsGpuProbe(requested)) {
    try {
      ctx = await acquire();
      probe = { ok: true, info: ctx.handle.info };
    } catch (e) {
      deviceError = e;
      const err = e as { name?: string; message?: string };
      probe = { ok: false, name: err.name ?? 'Error', message: err.message ?? String(e) };
    }
  }
  const decision = decideBackend(requested, probe);
  if (!decision) throw deviceError;
  const gpu = decision.backend === 'webgpu' ? ctx : null;
  return { decision, gpu, unused: gpu ? null : ctx };
}

/**
 * The backend a decision names; `gpu` is required for 'webgpu', `wasmBytes` sizes the wasm arena,
 * `threads` starts kernel threads for 'wasm' (none: one thread).
 */
export async function createBackend(name: BackendName, gpu: GpuContext | null, wasmBytes?: number, threads: WasmThreadOptions | null = null): Promise<Backend> {
  if (name === 'cpu') return new CpuBackend();
  if (name === 'wasm') return WasmBackend.create(wasmBytes, threads);
  if (!gpu) throw new InvalidInputError('the WebGPU backend needs a GPU device; ask for one first (decideBackend) or choose wasm.');
  return new GpuBackend(gpu);
}
