// Cancel and pause that reach a task running inside a worker. WASM compute never leaves the
// microtask queue, so a worker would not see the UI's cancel() message until the task ended:
// TaskGate yields to the event loop (a macrotask) every few tens of ms at two kinds of points —
// the search's own checkpoints and every backend read-back (each decoded token, each training
// step) — and there throws CancelledError or waits while paused. One task at a time.
import type { Backend } from '../backend/backend.ts';
import { CancelledError, EngineBusyError } from '../errors.ts';
import { TaskController, type TaskControl } from '../psr/control.ts';

const YIELD_EVERY_MS = 25;

const macrotask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

export class TaskGate {
  private controller: TaskController | null = null;
  private task: string | null = null;
  private lastYield = 0;

  get current(): string | null {
    return this.task;
  }

  get paused(): boolean {
    return this.controller?.isPaused ?? false;
  }

  /** Run `fn` as the one task; EngineBusyError when another is running. */
  async run<T>(name: string, fn: (control: TaskControl) => Promise<T>): Promise<T> {
    if (this.task !== null) {
      throw new EngineBusyError(`the engine is busy with "${this.task}"; wait for it to finish or cancel it, then try "${name}" again.`);
    }
    const controller = new TaskController();
    this.controller = controller;
    this.task = name;
    this.lastYield = performance.now();
    const control: TaskControl = {
      get cancelled() {
        return controller.cancelled;
      },
      waitWhilePaused: async () => {
        await macrotask();
        this.lastYield = performance.now();
        await controller.waitWhilePaused();
      },
    };
    try {
      return await fn(control);
    } finally {
      this.controller = null;
      this.task = null;
    }
  }

  cancel(): void {
    this.controller?.cancel();
  }

  pause(): void {
    this.controller?.pause();
  }

  resume(): void {
    this.controller?.resume();
  }

  /** Between two units of backend work: let messages in now and then, honour cancel / pause. */
  async poll(): Promise<void> {
    const c = this.controller;
    if (!c) return;
    if (performance.now() - this.lastYield >= YIELD_EVERY_MS || c.isPaused) {
      await macrotask();
      this.lastYield = performance.now();
    }
    if (c.cancelled) throw new CancelledError(`cancelled "${this.task}"; nothing of the interrupted task was kept, start it again to continue.`);
    if (c.isPaused) {
      await c.waitWhilePaused();
      if (c.cancelled) throw new CancelledError(`cancelled "${this.task}" while paused; start it again to continue.`);
    }
  }

  /** `backend` with `read` gated by poll(); every other member is the backend's own. */
  wrap(backend: Backend): Backend {
    const bound = new Map<PropertyKey, unknown>();
    const read = async (t: Parameters<Backend['read']>[0]) => {
      await this.poll();
      return backend.read(t);
    };
    return new Proxy(backend, {
      get(target, key) {
        if (key === 'read') return read;
        const v = Reflect.get(target, key, target) as unknown;
        if (typeof v !== 'function') return v;
        let f = bound.get(key);
        if (f === undefined) {
          f = (v as (...a: unknown[]) => unknown).bind(target);
          bound.set(key, f);
        }
        return f;
      },
    });
  }
}
