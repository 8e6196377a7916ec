// How the calling thread and the kernel threads talk: one small SharedArrayBuffer of control words
// beside the shared wasm memory. The caller writes each thread's call into that thread's slot,
// bumps GEN and notifies; every thread wakes, runs its call (or nothing) on its own instances of
// the kernel modules over the same memory, adds 1 to DONE and notifies; the caller waits until
// DONE counts every thread. Calls only name exports (THREAD_FNS) and pass numbers, so there is no
// message passing and no allocation per op. Imported by the pool and by both thread entry points.
import { compiledKernelModules, instantiateKernelModules, type WasmModuleName } from '../wasm-runtime.ts';
import { JS_KERNELS, type JsKernelName } from './js-kernels.ts';

/** The kernel exports a thread may run (index = the number written into a slot). */
export const THREAD_FNS = [
  'matmul.gemm',
  'matmul.matmul_dot',
  'matmul.transpose',
  'attention.attention_forward',
  'attention.attention_backward',
  'cached_attention.cached_attention_forward',
  'softmax.row_max_sumexp',
  'softmax.softmax_axpy_rows',
  'js.swiglu_forward',
  'js.swiglu_backward',
  'js.rmsnorm_forward',
  'js.rmsnorm_backward_input',
  'js.rope_forward',
  'js.rope_backward',
] as const;
export type ThreadFn = (typeof THREAD_FNS)[number];

/** One call of a kernel export with its (i32 / f32) arguments. */
export interface ThreadCall {
  fn: ThreadFn;
  args: number[];
}

// ---- control buffer layout (Int32 words, then one Float64 slot per thread) ----
export const GEN = 0; // generation: bumped by the caller once per parallel op
export const DONE = 1; // threads finished with the current generation
export const STOP = 2; // 1 = threads return from their loop
export const FAILED = 3; // threads whose call threw in the current generation
export const ERROR_LEN = 4; // bytes of the first failure's message in the message area
const HEADER_BYTES = 64;
export const MAX_ARGS = 16;
/** f64 words per slot: function index (−1 = nothing), argument count, arguments. */
const SLOT_WORDS = 2 + MAX_ARGS;
const MESSAGE_BYTES = 1024;

export function controlBytes(threads: number): number {
  return HEADER_BYTES + threads * SLOT_WORDS * 8 + MESSAGE_BYTES;
}

/** Typed views over a control buffer. */
export class Control {
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  readonly message: Uint8Array;

  constructor(
    readonly buffer: SharedArrayBuffer,
    readonly threads: number,
  ) {
    this.i32 = new Int32Array(buffer, 0, HEADER_BYTES / 4);
    this.f64 = new Float64Array(buffer, HEADER_BYTES, threads * SLOT_WORDS);
    this.message = new Uint8Array(buffer, HEADER_BYTES + threads * SLOT_WORDS * 8, MESSAGE_BYTES);
  }

  /** Write thread t's call (null = nothing this generation). */
  writeSlot(t: number, call: ThreadCall | null): void {
    const base = t * SLOT_WORDS;
    if (call === null) {
      this.f64[base] = -1;
      return;
    }
    if (call.args.length > MAX_ARGS) throw new RangeError(`${call.fn}: ${call.args.length} arguments, at most ${MAX_ARGS}`);
    this.f64[base] = THREAD_FNS.indexOf(call.fn);
    this.f64[base + 1] = call.args.length;
    for (let i = 0; i < call.args.length; i++) this.f64[base + 2 + i] = call.args[i];
  }

  /** The first failure's message of this generation ('' when none). */
  readMessage(): string {
    const n = Math.min(Atomics.load(this.i32, ERROR_LEN), MESSAGE_BYTES);
    return new TextDecoder().decode(this.message.slice(0, n));
  }

  recordFailure(text: string): void {
    if (Atomics.add(this.i32, FAILED, 1) !== 0) return; // keep the first
    const bytes = new TextEncoder().encode(text).slice(0, MESSAGE_BYTES);
    this.message.set(bytes);
    Atomics.store(this.i32, ERROR_LEN, bytes.length);
  }
}

/**
 * How long a thread keeps polling for the next op before it sleeps in Atomics.wait. Waking a
 * sleeping thread costs 50–150 µs here (a futex round trip); a training step sends ops every few
 * hundred µs, so a thread that polls a little stays awake through a step and sleeps between steps.
 */
export const SPIN_MS = 1;

/** Poll `i32[index]` until it differs from `value` or `ms` pass; true when it changed. */
export function spinWhileEqual(i32: Int32Array, index: number, value: number, ms: number): boolean {
  const end = performance.now() + ms;
  for (;;) {
    for (let i = 0; i < 256; i++) if (Atomics.load(i32, index) !== value) return true;
    if (performance.now() > end) return false;
  }
}

/** What a kernel thread is started with (posted once; memory and buffer are shared, not copied). */
export interface ThreadInit {
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  threads: number;
  /** This thread's slot (1 … threads − 1; slot 0 is the caller's). */
  index: number;
}

/**
 * The kernel thread's life: instantiate the shared-memory modules, say ready, then serve one call
 * per generation until STOP. Blocks its thread in Atomics.wait between ops (allowed in workers).
 */
export function serveKernelThread(init: ThreadInit, ready: () => void): void {
  const mod = instantiateKernelModules(compiledKernelModules(true), init.memory);
  const fns = THREAD_FNS.map((name): ((...a: number[]) => void) => {
    const [m, f] = name.split('.');
    if (m === 'js') return (...a: number[]) => JS_KERNELS[f as JsKernelName](init.memory.buffer, a);
    return mod[m as WasmModuleName][f];
  });
  const ctl = new Control(init.control, init.threads);
  const base = init.index * SLOT_WORDS;
  const args: number[] = [];
  let seen = Atomics.load(ctl.i32, GEN);
  ready();
  for (;;) {
    if (!spinWhileEqual(ctl.i32, GEN, seen, SPIN_MS)) Atomics.wait(ctl.i32, GEN, seen);
    if (Atomics.load(ctl.i32, STOP) !== 0) return;
    const gen = Atomics.load(ctl.i32, GEN);
    if (gen === seen) continue; // spurious wake-up
    seen = gen;
    const fi = ctl.f64[base];
    if (fi >= 0) {
      args.length = ctl.f64[base + 1];
      for (let i = 0; i < args.length; i++) args[i] = ctl.f64[base + 2 + i];
      try {
        fns[fi](...args);
      } catch (e) {
        ctl.recordFailure(`thread ${init.index}: ${THREAD_FNS[fi]}: ${(e as Error).message ?? String(e)}`);
      }
    }
    Atomics.add(ctl.i32, DONE, 1);
    Atomics.notify(ctl.i32, DONE);
  }
}
