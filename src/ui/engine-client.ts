// Starts the engine worker and wraps it with Comlink; the UI's only way to reach the engine.
import * as Comlink from 'comlink';
import type { EngineApi } from '../lib/api.ts';

export interface EngineClient {
  api: Comlink.Remote<EngineApi>;
  worker: Worker;
}

export function startEngineWorker(): EngineClient {
  const worker = new Worker(new URL('../../workers/engine.worker.ts', import.meta.url), {
    type: 'module',
    name: 'psr-lab-engine',
  });
  return { api: Comlink.wrap<EngineApi>(worker), worker };
}
