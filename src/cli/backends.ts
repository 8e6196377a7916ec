// The CLI's side of the backend choice (src/lib/backend/choice.ts decides and builds, for the app
// too): parse --backend auto|webgpu|wasm|cpu, ask Dawn for a device when the choice needs one, and
// release it afterwards.
import type { Backend } from '../lib/backend/backend.ts';
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
  /** Why this backend, in one sentence. */
  reason: string;
  dispose: () => Promise<void>;
}

/** Decide as the app does, then build the backend; an explicit webgpu without a device rethrows the device error. */
export async function openBackend(requested: BackendChoice): Promise<OpenedBackend> {
  const { decision, gpu: keep, unused } = await chooseBackend(requested, async () => new GpuContext(await acquireNodeDevice()));
  // A software adapter probed for 'auto' and not used: release the Dawn device now.
  unused?.pool.destroy();
  unused?.handle.destroy();
  return {
    backend: createBackend(decision.backend, keep),
    name: decision.backend,
    reason: decision.reason,
    dispose: async () => {
      keep?.pool.destroy();
      keep?.handle.destroy();
    },
  };
}
