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
import { bandCount, bands, type Band } from '../cpu/threads/split.ts';
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

  /**
   * Bands of rows for a row-wise reference op on the kernel threads: null (run it here, as the
   * reference) without threads, when an array is not in the arena or has the wrong length (the
   * reference then names the error), or when the op is too small to pay for waking a thread.
   */
  private rowBands(work: number, N: number, arrays: [ArrayBufferView & { length: number }, number][]): Band[] | null {
    const k = this.arena.kernels;
    if (k.threadCount <= 1) return null;
    if (!arrays.every(([a, len]) => a.length === len && k.isResident(a))) return null;
    const parts = bands(N, bandCount(k, work, N));
    return parts.length > 1 ? parts : null;
  }

  override swigluForward(out: Tensor, gate: Tensor, up: Tensor, N: number, I: number): void {
    const [o, g, u] = [f(out), f(gate), f(up)];
    const parts = this.rowBands(16 * N * I, N, [[o, N * I], [g, N * I], [u, N * I]]);
    if (parts === null) return super.swigluForward(out, gate, up, N, I);
    const at = (a: Float32Array, r: number) => a.byteOffset + 4 * r * I;
    this.arena.kernels.parallel(parts.map(({ start, end }) => ({ fn: 'js.swiglu_forward', args: [at(o, start), at(g, start), at(u, start), end - start, I] })));
  }
  override swigluBackward(dgate: Tensor, dup: Tensor, dout: Tensor, gate: Tensor, up: Tensor, N: number, I: number): void {
    const [dg, du, d, g, u] = [f(dgate), f(dup), f(dout), f(gate), f(up)];
    const parts = this.rowBands(24 * N * I, N, [[dg, N * I], [du, N * I], [d, N * I], [g, N * I], [u, N * I]]);
    if (parts === null) return super.swigluBackward(dgate, dup, dout, gate, up, N, I);
    const at = (a: Float32Array, r: number) => a.byteOffset + 4 * r * I;
    this.arena.kernels.parallel(parts.map(({ start: r, end }) => ({ fn: 'js.swiglu_backward', args: [at(dg, r), at(du, r), at(d, r), at(g, r), at(u, r), end - r, I] })));
  }
  override rmsnormForward(out: Tensor, rstd: Tensor, inp: Tensor, weight: Tensor, N: number, C: number, eps: number): void {
    const [o, r, x, w] = [f(out), f(rstd), f(inp), f(weight)];
    const parts = this.rowBands(4 * N * C, N, [[o, N * C], [r, N], [x, N * C], [w, C]]);
    if (parts === null) return super.rmsnormForward(out, rstd, inp, weight, N, C, eps);
    this.arena.kernels.parallel(parts.map(({ start: s, end }) => ({
      fn: 'js.rmsnorm_forward', args: [o.byteOffset + 4 * s * C, r.byteOffset + 4 * s, x.byteOffset + 4 * s * C, w.byteOffset, end - s, C, eps],
    })));
  }
  override rmsnormBackward(
    dinp: Tensor | null, dweight: Tensor | null, dout: Tensor, inp: Tensor, weight: Tensor, rstd: Tensor, N: number, C: number,
  ): void {
    // the weight gradient sums over rows: split only when there is none (frozen norms, e.g. LoRA training)
    const parts = dinp === null || dweight !== null ? null
      : this.rowBands(6 * N * C, N, [[f(dinp), N * C], [f(dout), N * C], [f(inp), N * C], [f(weight), C], [f(rstd), N]]);
    if (parts === null || dinp === null) return super.rmsnormBackward(dinp, dweight, dout, inp, weight, rstd, N, C);
    const [di, d, x, w, r] = [f(dinp), f(dout), f(inp), f(weight), f(rstd)];
    this.arena.kernels.parallel(parts.map(({ start: s, end }) => ({
      fn: 'js.rmsnorm_backward_input', args: [di.byteOffset + 4 * s * C, d.byteOffset + 4 * s * C, x.byteOffset + 4 * s * C, w.byteOffset, r.byteOffset + 4 * s, end - s, C],
    })));
  }
  override ropeForward(out: Tensor, inp: Tensor, positions: Tensor, N: number, NH: number, HS: number, theta: number): void {
    if (!this.rope('js.rope_forward', out, inp, positions, N, NH, HS, theta)) super.ropeForward(out, inp, positions, N, NH, HS, theta);
  }
  override ropeBackward(dinp: Tensor, dout: Tensor, positions: Tensor, N: number, NH: number, HS: number, theta: number): void {
    if (!this.rope('js.rope_backward', dinp, dout, positions, N, NH, HS, theta)) super.ropeBackward(dinp, dout, positions, N, NH, HS, theta);
  }
  /** RoPE split into bands of rows on the kernel threads; false when it should run here. */
  private rope(fn: 'js.rope_forward' | 'js.rope_backward', a: Tensor, b: Tensor, positions: Tensor, N: number, NH: number, HS: number, theta: number): boolean {
    const [x, y, p] = [f(a), f(b), ints(positions)];
    const D = NH * HS;
    const parts = this.rowBands(4 * N * D, N, [[x, N * D], [y, N * D], [p, N]]);
    if (parts === null) return false;
    const unsigned = p instanceof Uint32Array ? 1 : 0;
    this.arena.kernels.parallel(parts.map(({ start: s, end }) => ({
      fn, args: [x.byteOffset + 4 * s * D, y.byteOffset + 4 * s * D, p.byteOffset + 4 * s, unsigned, end - s, NH, HS, theta],
    })));
    return true;
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
