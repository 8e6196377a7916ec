// WasmKernels: instantiates the WebAssembly SIMD kernel modules (kernels.generated.ts, built from
// src/lib/cpu/wasm/*.wat) synchronously over ONE linear memory, and stages the caller's typed
// arrays into it for each op. Design: copy-in / copy-out per call (O(N·C), small against the
// O(N·C·OC) work) into a scratch region that grows as needed; an array that already lives in this
// memory (a WasmArena view, see wasm-arena.ts) is used in place, with no copy. A fixed memory may be
// shared (the threads proposal): kernel threads (./threads) then run bands of an op over it too.
import { WasmMemoryError, WasmThreadsError, WasmUnsupportedError } from '../errors.ts';
import { WASM_MODULES_BASE64, WASM_SHARED_MODULES_BASE64 } from './wasm/kernels.generated.ts';
import type { KernelThreads, ThreadCall } from './threads/pool.ts';
import { MIN_WORK_PER_BAND } from './threads/split.ts';
import { JS_KERNELS, type JsKernelName } from './threads/js-kernels.ts';

const PAGE = 65536;
/** Address 0 means "none" in the kernels, so nothing is ever placed below this. */
export const WASM_HEAP_BASE = 64;
const ALIGN = 16;

export type WasmModuleName = keyof typeof WASM_MODULES_BASE64;
type KernelFn = (...args: number[]) => void;
export type KernelExports = Record<string, KernelFn>;
type Compiled = Record<WasmModuleName, WebAssembly.Module>;

function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

const compiled: { plain: Compiled | null; shared: Compiled | null } = { plain: null, shared: null };

/** True when this runtime validates our modules (WebAssembly with fixed-width SIMD). */
export function wasmSimdSupported(): boolean {
  if (typeof WebAssembly !== 'object') return false;
  return Object.values(WASM_MODULES_BASE64).every((b64) => WebAssembly.validate(decodeBase64(b64)));
}

/**
 * Why kernel threads cannot run in this context, or null when they can: they need a shared
 * WebAssembly.Memory (SharedArrayBuffer; in a browser only on a cross-origin-isolated page) and
 * Atomics.wait on the calling thread (not allowed on a browser's main thread).
 */
export function wasmThreadsUnavailableReason(): string | null {
  if (typeof SharedArrayBuffer !== 'function') {
    return 'SharedArrayBuffer is not available (a browser gives it only to cross-origin-isolated pages: the host must send Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)';
  }
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
  } catch (e) {
    return `shared wasm memory or Atomics.wait is not allowed on this thread (${(e as Error).message})`;
  }
  return null;
}

/** The kernel modules, compiled once per variant (shared: importing a shared memory). */
export function compiledKernelModules(shared: boolean): Compiled {
  const cached = shared ? compiled.shared : compiled.plain;
  if (cached !== null) return cached;
  if (!wasmSimdSupported()) {
    throw new WasmUnsupportedError(
      'This JavaScript runtime cannot run WebAssembly SIMD (f32x4), which the fast CPU kernels need; ' +
        'use the plain TypeScript ops in src/lib/ref instead, or a newer browser / Node ≥ 16.4.',
    );
  }
  const source = shared ? WASM_SHARED_MODULES_BASE64 : WASM_MODULES_BASE64;
  const out = {} as Compiled;
  for (const name of Object.keys(source) as WasmModuleName[]) out[name] = new WebAssembly.Module(decodeBase64(source[name]));
  if (shared) compiled.shared = out;
  else compiled.plain = out;
  return out;
}

/**
 * Instantiate every module over `memory`. Modules may import other modules' exports (attention
 * calls matmul's gemm): each is instantiated once everything it imports from exists. Used by
 * WasmKernels and by every kernel thread (same modules, same memory, separate instances).
 */
export function instantiateKernelModules(modules: Compiled, memory: WebAssembly.Memory): Record<WasmModuleName, KernelExports> {
  const imports: Record<string, Record<string, unknown>> = { env: { memory } };
  const mod = {} as Record<WasmModuleName, KernelExports>;
  const todo = Object.keys(modules) as WasmModuleName[];
  while (todo.length > 0) {
    const i = todo.findIndex((n) => WebAssembly.Module.imports(modules[n]).every((imp) => imp.module in imports));
    if (i < 0) throw new WasmUnsupportedError(`wasm kernels: modules ${todo.join(', ')} import each other in a cycle; fix the .wat imports.`);
    const name = todo.splice(i, 1)[0];
    const exports = new WebAssembly.Instance(modules[name], imports as WebAssembly.Imports).exports;
    imports[name] = exports as unknown as Record<string, unknown>;
    mod[name] = exports as unknown as KernelExports;
  }
  return mod;
}

export interface WasmKernelsOptions {
  /**
   * Fixed memory size in bytes (rounded up to 64 KiB pages). The memory then never grows, so
   * views into it (WasmArena) stay valid; ops throw WasmMemoryError when scratch does not fit.
   * Omit for a growable memory (the default instance): views into it are never handed out.
   */
  fixedBytes?: number;
  /** Make the fixed memory shared, so kernel threads can be attached (needs fixedBytes). */
  shared?: boolean;
}

/** One linear memory plus the instantiated kernel modules, and the per-call staging logic. */
export class WasmKernels {
  readonly memory: WebAssembly.Memory;
  readonly fixed: boolean;
  readonly shared: boolean;
  /** Instantiated exports per module (e.g. `mod.matmul.gemm`). */
  readonly mod: Record<WasmModuleName, KernelExports>;
  /** Start of the per-call scratch region; a WasmArena moves it up as it allocates. */
  scratchBase = WASM_HEAP_BASE;
  /** Ops that ran split across kernel threads so far (for summaries and tests). */
  splitOps = 0;
  /** Multiply-adds an op needs per extra thread before it is split (see threads/split.ts). */
  minWorkPerBand = MIN_WORK_PER_BAND;
  /** Kernel threads over this (shared) memory, or null: every op then runs on the calling thread. */
  private pool: KernelThreads | null = null;

  constructor(opts: WasmKernelsOptions = {}) {
    this.fixed = opts.fixedBytes !== undefined;
    this.shared = opts.shared === true;
    if (this.shared && !this.fixed) {
      throw new WasmMemoryError('WasmKernels: a shared memory must have a fixed size; pass fixedBytes with shared.');
    }
    if (this.fixed) {
      const bytes = opts.fixedBytes as number;
      if (!Number.isFinite(bytes) || bytes <= 0 || bytes > 4 * 1024 ** 3) {
        throw new WasmMemoryError(
          `WasmKernels: fixedBytes = ${bytes} is not a size in (0, 4 GiB]; pass the byte capacity the arena needs.`,
        );
      }
      const pages = Math.ceil(bytes / PAGE);
      if (this.shared) {
        const why = wasmThreadsUnavailableReason();
        if (why !== null) throw new WasmThreadsError(`WasmKernels: cannot make a shared memory: ${why}; use one thread.`);
      }
      this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: this.shared });
    } else {
      this.memory = new WebAssembly.Memory({ initial: 16 });
    }
    this.mod = instantiateKernelModules(compiledKernelModules(this.shared), this.memory);
  }

  /** How many threads an op may be split across (1 without kernel threads). */
  get threadCount(): number {
    return this.pool?.size ?? 1;
  }

  /** Attach started kernel threads (they must run over this memory); null detaches. */
  attachThreads(pool: KernelThreads | null): void {
    if (pool !== null && pool.memory !== this.memory) {
      throw new WasmThreadsError('WasmKernels.attachThreads: the threads run over another memory; start them with this one.');
    }
    this.pool = pool;
  }

  /**
   * Run independent calls (disjoint outputs, e.g. bands of rows) — on the kernel threads when
   * attached (call i on thread i, the first on this one), else one after another here.
   */
  parallel(calls: ThreadCall[]): void {
    if (calls.length === 0) return;
    if (this.pool !== null && calls.length > 1) {
      this.splitOps++;
      this.pool.run(calls);
      return;
    }
    for (const c of calls) this.call(c);
  }

  /** Run one call on this thread's instances (or a row-wise reference op, js.*, on this thread). */
  call(c: ThreadCall): void {
    const [module, fn] = c.fn.split('.');
    if (module === 'js') JS_KERNELS[fn as JsKernelName](this.memory.buffer, c.args);
    else this.mod[module as WasmModuleName][fn](...c.args);
  }

  /** Bytes of linear memory right now. */
  get byteLength(): number {
    return this.memory.buffer.byteLength;
  }

  /** True when `a` is a view into this memory (so ops use it in place). */
  isResident(a: ArrayBufferView): boolean {
    return a.buffer === this.memory.buffer;
  }

  /** Make sure bytes [0, end) exist: grow a growable memory, or throw for a fixed one. */
  ensure(end: number, op: string): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    if (this.fixed) {
      throw new WasmMemoryError(
        `${op}: needs ${end} bytes of wasm memory but the fixed arena has ${have}; ` +
          'construct the WasmArena with a larger capacity (arena tensors plus the largest op scratch).',
      );
    }
    if (end > 4 * 1024 ** 3) {
      throw new WasmMemoryError(`${op}: needs ${end} bytes, beyond wasm32's 4 GiB; split the op into smaller batches.`);
    }
    this.memory.grow(Math.ceil((end - have) / PAGE));
  }

  /** Begin staging one op call (see Staging). */
  stage(op: string): Staging {
    return new Staging(this, op);
  }
}

type Stageable = Float32Array | Int32Array | Uint32Array | Uint8Array;

interface Pending {
  arr: Stageable;
  ptr: number;
  copyIn: boolean;
  copyOut: boolean;
}

/**
 * Staging of one op: reserve a pointer for every array (its own offset when resident, else a
 * scratch slot), then `commit()` grows memory once and copies inputs in, the kernel runs, and
 * `finish()` copies outputs back. Uint8 masks are widened to u32 in scratch.
 */
export class Staging {
  private top: number;
  private readonly pending: Pending[] = [];

  constructor(
    private readonly k: WasmKernels,
    private readonly op: string,
  ) {
    this.top = k.scratchBase;
  }

  private reserve(bytes: number): number {
    const ptr = Math.ceil(this.top / ALIGN) * ALIGN;
    this.top = ptr + Math.max(bytes, 4);
    return ptr;
  }

  private place(arr: Stageable, copyIn: boolean, copyOut: boolean): number {
    if (!(arr instanceof Uint8Array) && this.k.isResident(arr)) return arr.byteOffset;
    const ptr = this.reserve(arr.length * 4);
    this.pending.push({ arr, ptr, copyIn, copyOut });
    return ptr;
  }

  /** An array the kernel only reads. */
  input(arr: Stageable): number {
    return this.place(arr, true, false);
  }
  /** Like input, but null gives address 0 (= none). */
  inputOrNull(arr: Stageable | null): number {
    return arr === null ? 0 : this.input(arr);
  }
  /** An array the kernel fully overwrites. */
  output(arr: Float32Array): number {
    return this.place(arr, false, true);
  }
  /** An array the kernel reads and writes (accumulated gradients). */
  inout(arr: Float32Array): number {
    return this.place(arr, true, true);
  }
  inoutOrNull(arr: Float32Array | null): number {
    return arr === null ? 0 : this.inout(arr);
  }
  /** Kernel-private scratch of `floats` f32 (not initialised). */
  temp(floats: number): number {
    return this.reserve(floats * 4);
  }

  /** Grow memory to fit everything reserved, then copy the inputs in. */
  commit(): void {
    this.k.ensure(this.top, this.op);
    const buf = this.k.memory.buffer;
    for (const p of this.pending) {
      if (!p.copyIn) continue;
      if (p.arr instanceof Uint8Array) new Uint32Array(buf, p.ptr, p.arr.length).set(p.arr);
      else if (p.arr instanceof Float32Array) new Float32Array(buf, p.ptr, p.arr.length).set(p.arr);
      else new Int32Array(buf, p.ptr, p.arr.length).set(p.arr as Int32Array);
    }
  }

  /** Copy the outputs back into the caller's arrays. */
  finish(): void {
    const buf = this.k.memory.buffer;
    for (const p of this.pending) {
      if (p.copyOut) (p.arr as Float32Array).set(new Float32Array(buf, p.ptr, p.arr.length));
    }
  }
}

let defaultKernels: WasmKernels | null = null;

/** The shared growable instance the plain-signature ops (wasm-kernels.ts) run on. */
export function defaultWasmKernels(): WasmKernels {
  if (defaultKernels === null) defaultKernels = new WasmKernels();
  return defaultKernels;
}
