// WasmKernels: instantiates the WebAssembly SIMD kernel modules (kernels.generated.ts, built from
// src/lib/cpu/wasm/*.wat) synchronously over ONE linear memory, and stages the caller's typed
// arrays into it for each op. Design: copy-in / copy-out per call (O(N·C), small against the
// O(N·C·OC) work) into a scratch region that grows as needed; an array that already lives in this
// memory (a WasmArena view, see wasm-arena.ts) is used in place, with no copy.
import { WasmMemoryError, WasmUnsupportedError } from '../errors.ts';
import { WASM_MODULES_BASE64 } from './wasm/kernels.generated.ts';

const PAGE = 65536;
/** Address 0 means "none" in the kernels, so nothing is ever placed below this. */
export const WASM_HEAP_BASE = 64;
const ALIGN = 16;

export type WasmModuleName = keyof typeof WASM_MODULES_BASE64;
type KernelFn = (...args: number[]) => void;
export type KernelExports = Record<string, KernelFn>;

function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

let compiled: Record<WasmModuleName, WebAssembly.Module> | null = null;

/** True when this runtime validates our modules (WebAssembly with fixed-width SIMD). */
export function wasmSimdSupported(): boolean {
  if (typeof WebAssembly !== 'object') return false;
  return Object.values(WASM_MODULES_BASE64).every((b64) => WebAssembly.validate(decodeBase64(b64)));
}

function compileAll(): Record<WasmModuleName, WebAssembly.Module> {
  if (compiled !== null) return compiled;
  if (!wasmSimdSupported()) {
    throw new WasmUnsupportedError(
      'This JavaScript runtime cannot run WebAssembly SIMD (f32x4), which the fast CPU kernels need; ' +
        'use the plain TypeScript ops in src/lib/ref instead, or a newer browser / Node ≥ 16.4.',
    );
  }
  const out = {} as Record<WasmModuleName, WebAssembly.Module>;
  for (const name of Object.keys(WASM_MODULES_BASE64) as WasmModuleName[]) {
    out[name] = new WebAssembly.Module(decodeBase64(WASM_MODULES_BASE64[name]));
  }
  compiled = out;
  return out;
}

export interface WasmKernelsOptions {
  /**
   * Fixed memory size in bytes (rounded up to 64 KiB pages). The memory then never grows, so
   * views into it (WasmArena) stay valid; ops throw WasmMemoryError when scratch does not fit.
   * Omit for a growable memory (the default instance): views into it are never handed out.
   */
  fixedBytes?: number;
}

/** One linear memory plus the instantiated kernel modules, and the per-call staging logic. */
export class WasmKernels {
  readonly memory: WebAssembly.Memory;
  readonly fixed: boolean;
  /** Instantiated exports per module (e.g. `mod.matmul.gemm`). */
  readonly mod: Record<WasmModuleName, KernelExports>;
  /** Start of the per-call scratch region; a WasmArena moves it up as it allocates. */
  scratchBase = WASM_HEAP_BASE;

  constructor(opts: WasmKernelsOptions = {}) {
    const modules = compileAll();
    this.fixed = opts.fixedBytes !== undefined;
    if (this.fixed) {
      const bytes = opts.fixedBytes as number;
      if (!Number.isFinite(bytes) || bytes <= 0 || bytes > 4 * 1024 ** 3) {
        throw new WasmMemoryError(
          `WasmKernels: fixedBytes = ${bytes} is not a size in (0, 4 GiB]; pass the byte capacity the arena needs.`,
        );
      }
      const pages = Math.ceil(bytes / PAGE);
      this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    } else {
      this.memory = new WebAssembly.Memory({ initial: 16 });
    }
    // Modules may import other modules' exports (attention calls matmul's gemm): instantiate
    // each once everything it imports from exists.
    const imports: Record<string, Record<string, unknown>> = { env: { memory: this.memory } };
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
    this.mod = mod;
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
