// Which backend runs the model: 'auto' picks WebGPU on a hardware GPU and the WebAssembly SIMD
// CPU path when WebGPU is missing or the adapter is a software rasterizer (SwiftShader runs
// WGSL on the CPU, about 50× slower than our wasm kernels). The reason is shown on the page.
import type { GpuInfo } from '../gpu/device.ts';
import type { BackendChoice, BackendUsed } from './types.ts';

export interface BackendDecision {
  backend: BackendUsed;
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
