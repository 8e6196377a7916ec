// Backend selection for CLI commands: --backend wasm (default: WebAssembly SIMD on the CPU, the
// fastest here), cpu (the plain reference) or webgpu (Dawn; SwiftShader on GPU-less machines).
import type { Backend } from '../lib/model/backend.ts';
import { CpuBackend } from '../lib/model/cpu-backend.ts';
import { WasmBackend } from '../lib/model/wasm-backend.ts';
import { GpuBackend } from '../lib/model/gpu-backend.ts';
import { GpuContext } from '../lib/gpu/context.ts';
import { acquireNodeDevice } from '../lib/gpu/node.ts';
import { UsageError } from '../lib/errors.ts';

export const BACKEND_NAMES = ['wasm', 'cpu', 'webgpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export function parseBackendName(value: string | boolean | undefined, fallback: BackendName = 'wasm'): BackendName {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(BACKEND_NAMES as readonly string[]).includes(value)) {
    throw new UsageError(`--backend must be one of ${BACKEND_NAMES.join(', ')} (got ${String(value)}).`);
  }
  return value as BackendName;
}

/** A backend and a function that releases it (the GPU device, for webgpu). */
export async function createBackend(name: BackendName): Promise<{ backend: Backend; dispose: () => Promise<void> }> {
  if (name === 'cpu') return { backend: new CpuBackend(), dispose: async () => {} };
  if (name === 'wasm') return { backend: new WasmBackend(), dispose: async () => {} };
  const handle = await acquireNodeDevice();
  const ctx = new GpuContext(handle);
  return {
    backend: new GpuBackend(ctx),
    dispose: async () => {
      ctx.pool.destroy();
      handle.destroy();
    },
  };
}
