// Engine: the in-thread implementation of EngineApi. It owns the GPUDevice (acquired lazily
// from a provider, so the same code runs on navigator.gpu in a worker and on Dawn in Node).
import type { EngineApi, EngineEvent, EngineListener, GpuInfo, ProgressFn, SelfTestInput, SelfTestResult } from './api.ts';
import type { DeviceHandle } from './gpu/device.ts';
import { GpuContext } from './gpu/context.ts';
import { runSelfTest } from './kernels/selftest.ts';
import type { DeviceLostError } from './errors.ts';

/** Creates the device; `onLost` must be called if the device is lost without being destroyed. */
export type DeviceProvider = (onLost: (err: DeviceLostError) => void) => Promise<DeviceHandle>;

export class Engine implements EngineApi {
  private ctxPromise: Promise<GpuContext> | null = null;
  private listeners: EngineListener[] = [];

  constructor(private readonly provide: DeviceProvider) {}

  private emit(event: EngineEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // A listener that throws (e.g. a closed page's proxy) must not break the engine.
      }
    }
  }

  /** The GPU context, created on first use; a lost device is replaced on the next call. */
  async context(): Promise<GpuContext> {
    if (!this.ctxPromise) {
      const attempt = this.provide((err) => {
        this.ctxPromise = null;
        this.emit({ type: 'device-lost', name: err.name, message: err.message });
      }).then((handle) => {
        void handle.lost.then((l) => {
          if (l.reason === 'destroyed') this.emit({ type: 'device-destroyed' });
        });
        const ctx = new GpuContext(handle);
        this.emit({ type: 'device-ready', info: handle.info });
        return ctx;
      });
      // A failed acquisition is not cached: the next call tries again (and fails loudly again).
      attempt.catch(() => {
        if (this.ctxPromise === attempt) this.ctxPromise = null;
      });
      this.ctxPromise = attempt;
    }
    const ctx = await this.ctxPromise;
    ctx.handle.assertAlive();
    return ctx;
  }

  async gpuInfo(): Promise<GpuInfo> {
    return (await this.context()).handle.info;
  }

  async selfTest(input: SelfTestInput, onProgress?: ProgressFn): Promise<SelfTestResult> {
    const ctx = await this.context();
    return runSelfTest(ctx, input, onProgress);
  }

  async subscribe(listener: EngineListener): Promise<void> {
    this.listeners.push(listener);
  }

  async dispose(): Promise<void> {
    const pending = this.ctxPromise;
    this.ctxPromise = null;
    if (!pending) return;
    const ctx = await pending.catch(() => null);
    if (!ctx) return;
    ctx.pool.destroy();
    ctx.handle.destroy();
    await ctx.handle.lost;
  }
}
