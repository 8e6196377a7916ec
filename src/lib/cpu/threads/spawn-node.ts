// Start kernel threads in Node with worker_threads. The thread's entry is TypeScript, so a plain
// bootstrap (node-thread.mjs) registers tsx's loader in the thread first. Threads are unref'd:
// they never keep the process alive, and die with it.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { WasmThreadsError } from '../../errors.ts';
import type { SpawnedThread, ThreadSpawner } from './pool.ts';
import type { ThreadInit } from './protocol.ts';

const ENTRY = new URL('./node-thread.mjs', import.meta.url);

export const spawnNodeThread: ThreadSpawner = (init: ThreadInit): SpawnedThread => {
  // execArgv []: not the parent's loaders (the CLI's would load before tsx is registered in the thread)
  const worker = new Worker(ENTRY, { workerData: init, execArgv: [] });
  const ready = new Promise<void>((resolve, reject) => {
    worker.once('message', (m) => (m === 'ready' ? resolve() : reject(new WasmThreadsError(`kernel thread ${init.index} said ${String(m)}`))));
    worker.once('error', (e) => reject(new WasmThreadsError(`kernel thread ${init.index} failed to start: ${e.message}`, { cause: e })));
    worker.once('exit', (code) => reject(new WasmThreadsError(`kernel thread ${init.index} exited with code ${code} before it was ready`)));
  });
  worker.unref();
  return { ready, terminate: () => void worker.terminate() };
};

/** The machine's core count: the default number of kernel threads in Node. */
export function nodeCoreCount(): number {
  return availableParallelism();
}
