// Helpers for the kernel parity tests: upload typed arrays as labelled storage buffers, read
// them back, and free everything a test created.
import type { GpuContext } from '../../../src/lib/gpu/context.ts';

export class GpuIo {
  private readonly made: GPUBuffer[] = [];
  constructor(readonly ctx: GpuContext) {}

  /** A storage buffer holding a copy of `data`. */
  up(data: Float32Array | Int32Array | Uint32Array, label: string): GPUBuffer {
    const b = this.ctx.upload(data, label);
    this.made.push(b);
    return b;
  }

  /** A zeroed f32 storage buffer of n elements. */
  zeros(n: number, label: string): GPUBuffer {
    return this.up(new Float32Array(n), label);
  }

  /** Flush and read n f32 values. */
  read(buf: GPUBuffer, n: number): Promise<Float32Array> {
    return this.ctx.readF32(buf, n);
  }

  destroy(): void {
    for (const b of this.made.splice(0)) b.destroy();
  }
}
