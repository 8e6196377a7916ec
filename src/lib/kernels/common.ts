// Shared by the kernel wrappers: grid folding (every WebGPU device allows 65,535 workgroups per
// dimension, so long 1-D grids fold into x and y), argument checks that name the op, and a tiny
// placeholder buffer for a binding a pipeline variant declares but never reads.
import type { GpuContext } from '../gpu/context.ts';
import { STORAGE_RW } from '../gpu/buffers.ts';
import { KernelLimitError, ShapeError } from '../errors.ts';

/** Limits every WebGPU device guarantees (we never rely on more, whatever the adapter offers). */
export const GUARANTEED = {
  workgroupsPerDimension: 65535,
  storageBindingBytes: 128 * 1024 * 1024,
  storageBuffersPerStage: 8,
  workgroupStorageBytes: 16384,
  invocationsPerWorkgroup: 256,
} as const;

/**
 * Workgroup counts [x, y] covering `invocations` with `workgroupSize` each. Kernels recover the
 * flat index as (wid.y · nwg.x + wid.x) · workgroupSize + lid and skip indices past the end.
 */
export function grid1d(op: string, invocations: number, workgroupSize: number): [number, number] {
  const max = GUARANTEED.workgroupsPerDimension;
  const groups = Math.ceil(invocations / workgroupSize);
  if (groups <= max) return [groups, 1];
  const y = Math.ceil(groups / max);
  if (y > max) {
    throw new KernelLimitError(
      `${op}: ${invocations} invocations need ${groups} workgroups, more than ${max}² can be folded into x and y; split the tensor.`,
    );
  }
  return [Math.ceil(groups / y), y];
}

/** Throw ShapeError unless every named size is a positive integer. */
export function checkDims(op: string, sizes: Record<string, number>): void {
  for (const name in sizes) {
    const s = sizes[name];
    if (!Number.isInteger(s) || s <= 0) {
      throw new ShapeError(`${op}: size ${name} = ${s} is not a positive integer; pass the true dimension (a whole number ≥ 1).`);
    }
  }
}

/**
 * Throw unless `buf` holds at least `elements` 4-byte values (ShapeError) and the binding fits the
 * guaranteed 128 MiB storage binding size (KernelLimitError).
 */
export function checkBuffer(op: string, name: string, buf: GPUBuffer, elements: number, shape: string): void {
  const bytes = elements * 4;
  if (buf.size < bytes) {
    throw new ShapeError(
      `${op}: ${name} (${buf.label || 'unlabelled'}) holds ${buf.size} bytes but ${shape} needs ${bytes}; ` +
        'allocate it with the right shape or check the sizes passed.',
    );
  }
  if (bytes > GUARANTEED.storageBindingBytes) {
    throw new KernelLimitError(
      `${op}: ${name} ${shape} is ${bytes} bytes, over the 128 MiB storage binding every WebGPU device allows; split it.`,
    );
  }
}

const placeholders = new WeakMap<GpuContext, GPUBuffer>();

/** A 16-byte storage buffer bound where a pipeline variant (override constant) never reads its binding. */
export function placeholderBuffer(ctx: GpuContext): GPUBuffer {
  let buf = placeholders.get(ctx);
  if (!buf) {
    buf = ctx.device.createBuffer({ label: 'kernels:placeholder', size: 16, usage: STORAGE_RW });
    placeholders.set(ctx, buf);
  }
  return buf;
}
