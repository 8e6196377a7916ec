// KernelThreads: a small pool of kernel threads started once over a WasmKernels' shared memory.
// `run(calls)` runs call i on thread i (call 0 on the calling thread) and returns when all are
// done — synchronously, so the ops keep their plain signatures. Each call writes a disjoint part
// of the output (bands of rows or columns; see ../split.ts), so results are bit-identical to one
// thread. How a thread is started differs between Node (worker_threads) and browsers (Worker):
// a ThreadSpawner does it (spawn-node.ts, spawn-web.ts).
import { WasmThreadsError } from '../../errors.ts';
import { wasmThreadsUnavailableReason, type WasmKernels } from '../wasm-runtime.ts';
import { Control, controlBytes, DONE, ERROR_LEN, FAILED, GEN, SPIN_MS, spinWhileEqual, STOP, type ThreadCall, type ThreadInit } from './protocol.ts';

export type { ThreadCall } from './protocol.ts';

/** A started kernel thread, as the pool sees it. */
export interface SpawnedThread {
  /** Resolves once the thread has instantiated the modules and waits for work. */
  ready: Promise<void>;
  terminate(): void;
}

/** Starts one kernel thread with its init (Node: worker_threads; browser: a module Worker). */
export type ThreadSpawner = (init: ThreadInit) => SpawnedThread;

/** How long the caller waits for the threads of one op before calling them lost. */
const OP_TIMEOUT_MS = 120_000;
/** How long a thread may take to start. */
const START_TIMEOUT_MS = 60_000;

export class KernelThreads {
  private closed = false;

  private constructor(
    private readonly kernels: WasmKernels,
    /** Threads in all, the calling one included. */
    readonly size: number,
    private readonly control: Control,
    private readonly threads: SpawnedThread[],
  ) {}

  /**
   * Start `count − 1` kernel threads over `kernels`' shared memory (the caller is the count-th)
   * and attach them to it. count 1 starts none. Throws WasmThreadsError when threads cannot run here.
   */
  static async start(kernels: WasmKernels, count: number, spawn: ThreadSpawner): Promise<KernelThreads> {
    if (!Number.isInteger(count) || count < 1 || count > 64) {
      throw new WasmThreadsError(`threads = ${count}: pass a whole number of threads from 1 to 64.`);
    }
    const why = wasmThreadsUnavailableReason();
    if (count > 1 && why !== null) throw new WasmThreadsError(`cannot run ${count} kernel threads: ${why}; use 1.`);
    if (count > 1 && !kernels.shared) {
      throw new WasmThreadsError('kernel threads need the arena built on a shared memory (WasmArena with shared: true).');
    }
    const control = new Control(new SharedArrayBuffer(controlBytes(count)), count);
    const threads: SpawnedThread[] = [];
    try {
      for (let index = 1; index < count; index++) {
        threads.push(spawn({ memory: kernels.memory, control: control.buffer, threads: count, index }));
      }
      await withTimeout(Promise.all(threads.map((t) => t.ready)), START_TIMEOUT_MS, `${count - 1} kernel threads did not start`);
    } catch (e) {
      for (const t of threads) t.terminate();
      throw e instanceof WasmThreadsError ? e : new WasmThreadsError(`kernel threads failed to start: ${(e as Error).message ?? e}; use 1 thread.`, { cause: e });
    }
    const pool = new KernelThreads(kernels, count, control, threads);
    kernels.attachThreads(pool);
    return pool;
  }

  /** Run call i on thread i (i = 0 here); at most `size` calls. Returns when every call is done. */
  run(calls: ThreadCall[]): void {
    if (this.closed) throw new WasmThreadsError('the kernel threads were stopped; start new ones or use one thread.');
    if (calls.length > this.size) throw new WasmThreadsError(`${calls.length} calls for ${this.size} threads; split into at most ${this.size}.`);
    const i32 = this.control.i32;
    Atomics.store(i32, DONE, 0);
    Atomics.store(i32, FAILED, 0);
    Atomics.store(i32, ERROR_LEN, 0);
    for (let t = 1; t < this.size; t++) this.control.writeSlot(t, calls[t] ?? null);
    Atomics.add(i32, GEN, 1);
    Atomics.notify(i32, GEN);
    let own: unknown = null;
    try {
      this.kernels.call(calls[0]);
    } catch (e) {
      own = e; // still wait: the other threads are writing into the same memory
    }
    this.waitAll();
    if (own !== null) throw own;
    if (Atomics.load(i32, FAILED) !== 0) {
      throw new WasmThreadsError(`a kernel thread failed: ${this.control.readMessage()}; the op's output is incomplete.`);
    }
  }

  private waitAll(): void {
    const i32 = this.control.i32;
    const want = this.size - 1;
    // the bands are about equal, so the others finish soon: poll before sleeping (waking costs ~100 µs)
    const end = performance.now() + SPIN_MS;
    for (let d = Atomics.load(i32, DONE); d < want && performance.now() < end; d = Atomics.load(i32, DONE)) spinWhileEqual(i32, DONE, d, SPIN_MS);
    const deadline = Date.now() + OP_TIMEOUT_MS;
    for (;;) {
      const done = Atomics.load(i32, DONE);
      if (done >= want) return;
      const left = deadline - Date.now();
      if (left <= 0) {
        this.close();
        throw new WasmThreadsError(
          `${want - done} of ${want} kernel threads did not finish an op within ${OP_TIMEOUT_MS / 1000} s (stopped or lost); they were stopped — restart the engine, or use 1 thread.`,
        );
      }
      Atomics.wait(i32, DONE, done, left);
    }
  }

  /** The memory the threads run over. */
  get memory(): WebAssembly.Memory {
    return this.kernels.memory;
  }

  /** Stop and terminate the threads (the kernels fall back to one thread). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.control.i32, STOP, 1);
    Atomics.add(this.control.i32, GEN, 1);
    Atomics.notify(this.control.i32, GEN);
    for (const t of this.threads) t.terminate();
    this.kernels.attachThreads(null);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WasmThreadsError(`${what} within ${ms / 1000} s; use 1 thread.`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
