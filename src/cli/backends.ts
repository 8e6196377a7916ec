// The CLI's side of the backend choice (src/lib/backend/choice.ts decides and builds, for the app
// too): parse --backend auto|webgpu|wasm|cpu, ask Dawn for a device when the choice needs one, and
// release it afterwards; start the wasm backend's kernel threads (--threads, 0 = every core).
import type { Backend } from '../lib/backend/backend.ts';
import { WasmBackend } from '../lib/backend/wasm-backend.ts';
import { nodeCoreCount, spawnNodeThread } from '../lib/cpu/threads/spawn-node.ts';
import { chooseBackend, createBackend, BACKEND_CHOICES, type BackendChoice, type BackendName } from '../lib/backend/choice.ts';
import { GpuContext } from '../lib/gpu/context.ts';
import { acquireNodeDevice } from '../lib/gpu/node.ts';
import { UsageError } from '../lib/errors.ts';

export { BACKEND_CHOICES };
export type { BackendChoice, BackendName };

export function parseBackendChoice(value: string | boolean | undefined, fallback: BackendChoice): BackendChoice {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(BACKEND_CHOICES as readonly string[]).includes(value)) {
    throw new UsageError(`--backend must be one of ${BACKEND_CHOICES.join(', ')} (got ${String(value)}).`);
  }
  return value as BackendChoice;
}

export interface OpenedBackend {
  backend: Backend;
  name: BackendName;
  /** Why this backend, in one sentence (with the thread count for wasm). */
  reason: string;
  /** CPU threads the backend computes on (1 for webgpu and the TypeScript reference). */
  threads: number;
  dispose: () => Promise<void>;
}

/** The --threads setting resolved: 0 = one per core of this machine. */
export function resolveThreads(threads: number): number {
  return threads === 0 ? nodeCoreCount() : threads;
}

/**
 * Decide as the app does, then build the backend; an explicit webgpu without a device rethrows the
 * device error. `threads` (the --threads setting; 0 = every core) applies to the wasm backend.
 */
export async function openBackend(requested: BackendChoice, threads = 0): Promise<OpenedBackend> {
  const { decision, gpu: keep, unused } = await chooseBackend(requested, async () => new GpuContext(await acquireNodeDevice()));
  // A software adapter probed for 'auto' and not used: release the Dawn device now.
  unused?.pool.destroy();
  unused?.handle.destroy();
  const wasmThreads = decision.backend === 'wasm' ? resolveThreads(threads) : 1;
  const backend = await createBackend(decision.backend, keep, undefined, { threads: wasmThreads, spawn: spawnNodeThread });
  const used = backend instanceof WasmBackend ? backend.threads : 1;
  return {
    backend,
    name: decision.backend,
    reason: decision.backend === 'wasm' ? `${decision.reason} ${used} CPU thread${used === 1 ? '' : 's'}.` : decision.reason,
    threads: used,
    dispose: async () => {
      if (backend instanceof WasmBackend) backend.stopThreads();
      keep?.pool.destroy();
      keep?.handle.destroy();
    },
  };
}
