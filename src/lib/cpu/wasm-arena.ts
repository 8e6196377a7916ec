// WasmArena: typed-array views allocated inside a fixed-size wasm memory, so a CPU backend's
// tensors can live where the kernels read them and every op runs with zero copies. The memory is
// sized once at construction (initial = maximum pages) and never grows, so views never detach.
// Allocation is first-fit over a sorted free list with coalescing; op scratch sits above the
// highest live allocation. Pass `arena.kernels` as the last argument of the wasm ops.
import { InvalidInputError, WasmMemoryError } from '../errors.ts';
import { WASM_HEAP_BASE, WasmKernels } from './wasm-runtime.ts';

const ALIGN = 16;

interface Block {
  ptr: number;
  bytes: number;
}

export class WasmArena {
  readonly kernels: WasmKernels;
  /** Free blocks below `top`, sorted by address, never adjacent (coalesced). */
  private free: Block[] = [];
  /** Live allocations: byte offset → size in bytes. */
  private live = new Map<number, number>();
  private top = WASM_HEAP_BASE;

  /**
   * `capacityBytes`: all tensors that will be live at once plus the largest op's scratch.
   * `shared`: build it on a shared memory so kernel threads can work on it (threads/pool.ts).
   */
  constructor(capacityBytes: number, opts: { shared?: boolean } = {}) {
    this.kernels = new WasmKernels({ fixedBytes: capacityBytes, shared: opts.shared === true });
  }

  get capacityBytes(): number {
    return this.kernels.byteLength;
  }

  /** Bytes from the heap base to the end of the highest live allocation. */
  get usedBytes(): number {
    return this.top - WASM_HEAP_BASE;
  }

  f32(length: number): Float32Array {
    return new Float32Array(this.kernels.memory.buffer, this.alloc(length * 4), length);
  }
  i32(length: number): Int32Array {
    return new Int32Array(this.kernels.memory.buffer, this.alloc(length * 4), length);
  }
  u32(length: number): Uint32Array {
    return new Uint32Array(this.kernels.memory.buffer, this.alloc(length * 4), length);
  }

  /** Return a view's memory to the arena (the view must not be used afterwards). */
  release(view: Float32Array | Int32Array | Uint32Array): void {
    const bytes = this.live.get(view.byteOffset);
    if (view.buffer !== this.kernels.memory.buffer || bytes === undefined) {
      throw new InvalidInputError(
        'WasmArena.release: this array was not allocated by this arena or was already released; release each view once.',
      );
    }
    this.live.delete(view.byteOffset);
    this.insertFree({ ptr: view.byteOffset, bytes });
    // drop a free block at the top so scratch can use the space
    const last = this.free[this.free.length - 1];
    if (last !== undefined && last.ptr + last.bytes === this.top) {
      this.free.pop();
      this.top = last.ptr;
    }
    this.kernels.scratchBase = this.top;
  }

  /** Release everything at once (all views become invalid). */
  reset(): void {
    this.free = [];
    this.live.clear();
    this.top = WASM_HEAP_BASE;
    this.kernels.scratchBase = this.top;
  }

  private alloc(bytes: number): number {
    if (!Number.isInteger(bytes) || bytes < 0) {
      throw new InvalidInputError(`WasmArena: cannot allocate ${bytes / 4} elements; pass a whole number ≥ 0.`);
    }
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    for (let i = 0; i < this.free.length; i++) {
      const b = this.free[i];
      if (b.bytes < size) continue;
      const ptr = b.ptr;
      if (b.bytes === size) this.free.splice(i, 1);
      else this.free[i] = { ptr: b.ptr + size, bytes: b.bytes - size };
      return this.claim(ptr, size);
    }
    const ptr = this.top;
    if (ptr + size > this.kernels.byteLength) {
      throw new WasmMemoryError(
        `WasmArena: cannot allocate ${bytes} bytes: ${this.usedBytes} of ${this.capacityBytes} in use ` +
          `(plus ${this.free.reduce((s, b) => s + b.bytes, 0)} free in holes); build the arena with a larger capacity.`,
      );
    }
    this.top = ptr + size;
    this.kernels.scratchBase = this.top;
    return this.claim(ptr, size);
  }

  /** Zero the block (holes and the region above `top`, used as op scratch, hold old data). */
  private claim(ptr: number, size: number): number {
    this.kernels.mod.matmul.zero_bytes(ptr, size);
    this.live.set(ptr, size);
    return ptr;
  }

  private insertFree(block: Block): void {
    let i = 0;
    while (i < this.free.length && this.free[i].ptr < block.ptr) i++;
    this.free.splice(i, 0, block);
    // merge with the next, then with the previous
    const next = this.free[i + 1];
    if (next !== undefined && block.ptr + block.bytes === next.ptr) {
      block.bytes += next.bytes;
      this.free.splice(i + 1, 1);
    }
    const prev = this.free[i - 1];
    if (prev !== undefined && prev.ptr + prev.bytes === block.ptr) {
      prev.bytes += block.bytes;
      this.free.splice(i, 1);
    }
  }
}
