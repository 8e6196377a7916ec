// GpuStatus: the page's view of the engine worker's WebGPU device and the self-test, as runes.
import * as Comlink from 'comlink';
import type { EngineClient } from '../engine-client.ts';
import type { EngineEvent, GpuInfo, SelfTestResult } from '../../lib/api.ts';

export type DeviceState =
  | { kind: 'starting' }
  | { kind: 'ready'; info: GpuInfo }
  | { kind: 'unavailable'; name: string; message: string }
  | { kind: 'lost'; message: string };

export type SelfTestState =
  | { kind: 'idle' }
  | { kind: 'running'; stage: string; fraction: number }
  | { kind: 'done'; result: SelfTestResult }
  | { kind: 'failed'; name: string; message: string };

/** What the page tells the visitor to do, by error name. */
export const REMEDIES: Record<string, string> = {
  WebGpuUnavailableError: 'Open PSR Lab in a recent Chrome or Edge (version 113 or newer), Firefox 141+ on Windows, or Safari 26+.',
  NoAdapterError:
    'Update your graphics driver, enable WebGPU in the browser (on Linux Chrome: chrome://flags/#enable-unsafe-webgpu), or try another browser or computer.',
  DeviceRequestError: 'Close other GPU-heavy tabs and reload the page.',
  DeviceLostError: 'Reload the page to get a new GPU device.',
  WorkerStartError: 'Reload the page; if it persists, your browser may block module workers.',
};

function errorParts(e: unknown): { name: string; message: string } {
  const err = e as { name?: unknown; message?: unknown } | null;
  return {
    name: typeof err?.name === 'string' ? err.name : 'Error',
    message: typeof err?.message === 'string' ? err.message : String(e),
  };
}

export class GpuStatus {
  device = $state<DeviceState>({ kind: 'starting' });
  selfTest = $state<SelfTestState>({ kind: 'idle' });
  readonly canRunSelfTest = $derived(this.device.kind === 'ready' && this.selfTest.kind !== 'running');

  constructor(private readonly client: EngineClient) {
    client.worker.addEventListener('error', (ev) => {
      this.device = { kind: 'unavailable', name: 'WorkerStartError', message: ev.message || 'The engine worker failed to start.' };
    });
  }

  async start(): Promise<void> {
    try {
      await this.client.api.subscribe(Comlink.proxy((e: EngineEvent) => this.onEvent(e)));
      this.device = { kind: 'ready', info: await this.client.api.gpuInfo() };
    } catch (e) {
      const { name, message } = errorParts(e);
      this.device = { kind: 'unavailable', name, message };
    }
  }

  private onEvent(e: EngineEvent): void {
    if (e.type === 'device-lost') this.device = { kind: 'lost', message: e.message };
  }

  async runSelfTest(n = 4096): Promise<void> {
    this.selfTest = { kind: 'running', stage: 'starting', fraction: 0 };
    // Deterministic inputs, so a visitor can check the shown numbers by hand: out = a·x + y.
    const x = Float32Array.from({ length: n }, (_, i) => (i % 100) / 4);
    const y = Float32Array.from({ length: n }, (_, i) => i % 7);
    try {
      const result = await this.client.api.selfTest(
        Comlink.transfer({ x, y, a: 2 }, [x.buffer, y.buffer]),
        Comlink.proxy((stage: string, fraction: number) => {
          if (this.selfTest.kind === 'running') this.selfTest = { kind: 'running', stage, fraction };
        }),
      );
      this.selfTest = { kind: 'done', result };
    } catch (e) {
      const { name, message } = errorParts(e);
      this.selfTest = { kind: 'failed', name, message };
      if (name === 'DeviceLostError') this.device = { kind: 'lost', message };
    }
  }
}
