// Cancel and pause for long-running tasks (the search, later the loop): the task awaits
// `checkpoint(control)` between units of work; a cancelled control throws CancelledError there,
// a paused one waits until resumed. `TaskController` is a ready-made control for engines and tests.
import { CancelledError } from '../errors.ts';

export interface TaskControl {
  /** True once the user asked to stop. */
  readonly cancelled: boolean;
  /** Resolves when the task may go on (immediately when not paused). */
  waitWhilePaused?(): Promise<void>;
}

/** Throw CancelledError when cancelled; wait while paused (and re-check after resuming). */
export async function checkpoint(control: TaskControl | undefined, what: string): Promise<void> {
  if (!control) return;
  if (control.cancelled) throw cancelled(what);
  if (control.waitWhilePaused) {
    await control.waitWhilePaused();
    if (control.cancelled) throw cancelled(what);
  }
}

function cancelled(what: string): CancelledError {
  return new CancelledError(`cancelled ${what}; the work before this point was reported by its events, start the task again to continue.`);
}

export class TaskController implements TaskControl {
  cancelled = false;
  private paused: { promise: Promise<void>; resolve: () => void } | null = null;

  cancel(): void {
    this.cancelled = true;
    this.resume(); // a paused task wakes up and sees the cancel
  }

  pause(): void {
    if (this.paused) return;
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.paused = { promise, resolve };
  }

  resume(): void {
    this.paused?.resolve();
    this.paused = null;
  }

  get isPaused(): boolean {
    return this.paused !== null;
  }

  waitWhilePaused(): Promise<void> {
    return this.paused?.promise ?? Promise.resolve();
  }
}
