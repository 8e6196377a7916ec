// EngineTasks: the page's view of the engine's one-task-at-a-time rule: which task runs, whether
// it is paused, and cancel / pause / resume for it. Every panel starts its task through run().
import type { Remote } from 'comlink';
import type { EngineApi } from '../../lib/api.ts';

export class EngineTasks {
  running = $state<string | null>(null);
  paused = $state(false);

  constructor(readonly api: Remote<EngineApi>) {}

  /** Run `fn` as the named task; the page disables other tasks' buttons meanwhile. */
  async run<T>(name: string, fn: () => Promise<T>): Promise<T> {
    this.running = name;
    this.paused = false;
    try {
      return await fn();
    } finally {
      this.running = null;
      this.paused = false;
    }
  }

  async cancel(): Promise<void> {
    await this.api.cancel();
  }

  async pause(): Promise<void> {
    await this.api.pause();
    this.paused = true;
  }

  async resume(): Promise<void> {
    await this.api.resume();
    this.paused = false;
  }
}
