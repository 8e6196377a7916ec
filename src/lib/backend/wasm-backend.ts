// WasmBackend: the CPU backend with its hot ops (matmul, attention, KV-cache attention, cross-entropy, span
// log-probs) on the WebAssembly SIMD kernels of src/lib/cpu, and every tensor allocated inside
// one fixed-size wasm memory (WasmArena) so those kernels run with zero copies. The remaining
// ops are the plain reference. Used for training and inference in Node and as the browser's
// CPU path; CpuBackend stays the independent truth the tests compare against. With `threads` > 1
// the arena is one shared memory and the hot ops are split across kernel threads (bit-identical
// results; src/lib/cpu/threads); WasmBackend.create starts them.
import * as wasm from '../cpu/wasm-kernels.ts';
import { WasmArena } from '../cpu/wasm-arena.ts';
import { KernelThreads, type ThreadSpawner } from '../cpu/threads/pool.ts';
import { CpuBackend, CpuTensor, f, fOrNull, ints, mask } from './cpu-backend.ts';
import type { Tensor } from './backend.ts';

/** Default arena: room for a few-million-parameter model, its optimizer and training activations. */
export const DEFAULT_WASM_ARENA_BYTES = 1536 * 1024 * 1024;

export interface WasmThreadOptions {
  /** Threads in all (the calling one included); 1 = no kernel threads. */
  threads: number;
  /** How to start a kernel thread here (spawn-node.ts or spawn-web.ts). */
  spawn: ThreadSpawner;
}

export class WasmBackend extends CpuBackend {
  override readonly kind = 'wasm' as const;
  readonly arena: WasmArena;
  private pool: KernelThreads | null = null;

  constructor(capacityBytes = DEFAULT_WASM_ARENA_BYTES, opts: { shared?: boolean } = {}) {
    super();
    this.arena = new WasmArena(capacityBytes, opts);
  }

  /** A backend whose hot ops run on `threads` threads (one: the plain single-threaded backend). */
  static async create(capacityBytes = DEFAULT_WASM_ARENA_BYTES, opts: WasmThreadOptions | null = null): Promise<WasmBackend> {
    const threads = opts?.threads ?? 1;
    if (opts === null || threads <= 1) return new WasmBackend(capacityBytes);
    const backend = new WasmBackend(capacityBytes, { shared: true });
    backend.pool = await KernelThreads.start(backend.arena.kernels, threads, opts.spawn);
    return backend;
  }

  /** Threads the hot ops use (1 without kernel threads). */
  get threads(): number {
    return this.arena.kernels.threadCount;
  }

  /** Stop the kernel threads (the backend keeps working on one thread). */
  stopThreads(): void {
    this.pool?.close();
    this.pool = null;
  }

  override zeros(length: number, label: string): Tensor {
    return new CpuTensor(this.arena.f32(length), 'f32', label);
  }

  override fromF32(data: Float32Array, label: string): Tensor {
    const a = this.arena.f32(data.length);
    a.set(data);
    return new CpuTensor(a, 'f32', label);
  }

  override fromInts(data: Int32Array | Uint32Array, label: string, dtype: 'i32' | 'u32' = data instanceof Uint32Array ? 'u32' : 'i32'): Tensor {
    const a = dtype === 'u32' ? this.arena.u32(data.length) : this.arena.i32(data.length);
    a.set(data);
    return new CpuTensor(a, dtype, label);
  }

  override zero(t: Tensor): void {
    const a = (t as CpuTensor).data;
    // a memset in wasm: TypedArray.fill is slow on a shared memory (kernel threads)
    if (this.arena.kernels.isResident(a)) this.arena.kernels.mod.matmul.zero_bytes(a.byteOffset, a.byteLength);
    else a.fill(0);
  }

  override free(t: Tensor): void {
    this.arena.release((t as CpuTensor).data);
  }

  override matmulForward(out: Tensor, inp: Tensor, weight: Tensor, bias: Tensor | null, N: number, C: number, OC: number): void {
    wasm.matmulForward(f(out), f(inp), f(weight), fOrNull(bias), N, C, OC, this.arena.kernels);
  }
  override matmulBackward(
    dinp: Tensor | null, dweight: Tensor | null, dbias: Tensor | null,
    dout: Tensor, inp: Tensor, weight: Tensor, N: number, C: number, OC: number,
  ): void {
    wasm.matmulBackward(fOrNull(dinp), fOrNull(dweight), fOrNull(dbias), f(dout), f(inp), f(weight), N, C, OC, this.arena.kernels);
  }
  override attentionForward(
    out: Tensor, att: Tensor, q: Tensor, k: Tensor, v: Tensor, keyValid: Tensor,
    B: number, T: number, NH: number, NKV: number, HS: number,
  ): void {
    wasm.attentionForward(f(out), f(att), f(q), f(k), f(v), mask(keyValid), B, T, NH, NKV, HS, this.arena.kernels);
  }
  override attentionBackward(
    dq: Tensor, dk: Tensor, dv: Tensor, dout: Tensor, q: Tensor, k: Tensor, v: Tensor, att: Tensor,
    B: number, T: number, NH: number, NKV: number, HS: number,
  ): void {
    wasm.attentionBackward(f(dq), f(dk), f(dv), f(dout), f(q), f(k), f(v), f(att), B, T, NH, NKV, HS, this.arena.kernels);
  }
  override cachedAttentionForward(
    out: Tensor, q: Tensor, kCache: Tensor, vCache: Tensor, keyValid: Tensor, qPos: Tensor,
    B: number, Tq: number, S: number, NH: number, NKV: number, HS: number,
  ): void {
    wasm.cachedAttentionForward(f(out), f(q), f(kCache), f(vCache), mask(keyValid), ints(qPos), B, Tq, S, NH, NKV, HS, this.arena.kernels);
  }
  override crossEntropyForward(
    losses: Tensor, logsumexp: Tensor, logits: Tensor, targets: Tensor, weights: Tensor | null, N: number, V: number,
  ): void {
    wasm.crossEntropyForward(f(losses), f(logsumexp), f(logits), ints(targets), fOrNull(weights), N, V, this.arena.kernels);
  }
  override crossEntropyBackward(
    dlogits: Tensor, logits: Tensor, logsumexp: Tensor, targets: Tensor, weights: Tensor | null, N: number, V: number,
    dloss: number,
  ): void {
    wasm.crossEntropyBackward(f(dlogits), f(logits), f(logsumexp), ints(targets), fOrNull(weights), N, V, dloss, this.arena.kernels);
  }
  override seqLogprobForward(
    seqLogp: Tensor, logsumexp: Tensor, logits: Tensor, targets: Tensor, spanMask: Tensor, B: number, T: number, V: number,
  ): void {
    wasm.seqLogprobForward(f(seqLogp), f(logsumexp), f(logits), ints(targets), mask(spanMask), B, T, V, this.arena.kernels);
  }
  override seqLogprobBackward(
    dlogits: Tensor, dseqLogp: Tensor, logits: Tensor, logsumexp: Tensor, targets: Tensor, spanMask: Tensor,
    B: number, T: number, V: number,
  ): void {
    wasm.seqLogprobBackward(f(dlogits), f(dseqLogp), f(logits), f(logsumexp), ints(targets), mask(spanMask), B, T, V, this.arena.kernels);
  }
}
