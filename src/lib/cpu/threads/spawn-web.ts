// Start kernel threads in a browser: one module Worker each (Vite bundles web-thread.ts), posted
// the shared memory and control buffer. Only a cross-origin-isolated page has SharedArrayBuffer;
// webThreadPlan says how many threads this page may use and, when one, why.
import { WasmThreadsError } from '../../errors.ts';
import { wasmThreadsUnavailableReason } from '../wasm-runtime.ts';
import type { SpawnedThread, ThreadSpawner } from './pool.ts';
import type { ThreadInit } from './protocol.ts';

export const spawnWebThread: ThreadSpawner = (init: ThreadInit): SpawnedThread => {
  const worker = new Worker(new URL('./web-thread.ts', import.meta.url), { type: 'module', name: `psr-kernel-thread-${init.index}` });
  const ready = new Promise<void>((resolve, reject) => {
    worker.addEventListener('message', (e: MessageEvent<string>) => (e.data === 'ready' ? resolve() : reject(new WasmThreadsError(`kernel thread ${init.index}: ${e.data}`))), { once: true });
    worker.addEventListener('error', (e) => reject(new WasmThreadsError(`kernel thread ${init.index} failed to start: ${e.message || 'the worker script did not load'}`)), { once: true });
  });
  worker.postMessage(init);
  return { ready, terminate: () => worker.terminate() };
};

/** At most this many threads in a tab (a laptop's cores; more rarely pays at the tiny model's shapes). */
const MAX_WEB_THREADS = 8;

/** How many kernel threads this page may use, and why not more (null when every core is used). */
export function webThreadPlan(): { count: number; spawn: ThreadSpawner; note: string | null } {
  const cores = Math.max(1, Math.min(MAX_WEB_THREADS, globalThis.navigator?.hardwareConcurrency ?? 1));
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  if (!isolated) {
    return {
      count: 1,
      spawn: spawnWebThread,
      note:
        'this page is not cross-origin isolated, so the browser allows one thread. ' +
        `Served with "Cross-Origin-Opener-Policy: same-origin" and "Cross-Origin-Embedder-Policy: require-corp" it uses ${cores > 1 ? `all ${cores}` : 'every'} cores (npm run dev and preview send them).`,
    };
  }
  const why = wasmThreadsUnavailableReason();
  if (why !== null) return { count: 1, spawn: spawnWebThread, note: `one CPU thread: ${why}.` };
  return { count: cores, spawn: spawnWebThread, note: cores === 1 ? 'one CPU thread: the browser reports one core.' : null };
}
