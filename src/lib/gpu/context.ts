// GpuContext: what every kernel needs — the device, the pipeline cache, the buffer pool,
// uniform packing and a dispatch helper that records into one command encoder per "pass batch".
import type { DeviceHandle } from './device.ts';
import { PipelineCache } from './pipelines.ts';
import { BufferPool, USAGE, readBuffer, uploadBuffer } from './buffers.ts';
import { InvalidInputError } from '../errors.ts';

/** One uniform value: u32 by default, or f32 / i32 when tagged. */
export type UniformValue = number | { f32: number } | { i32: number };

export class GpuContext {
  readonly device: GPUDevice;
  readonly pipelines: PipelineCache;
  readonly pool: BufferPool;
  private encoder: GPUCommandEncoder | null = null;
  private pendingUniforms: GPUBuffer[] = [];

  constructor(readonly handle: DeviceHandle) {
    this.device = handle.device;
    this.pipelines = new PipelineCache(this.device);
    this.pool = new BufferPool(this.device);
  }

  get maxWorkgroupsPerDimension(): number {
    return this.device.limits.maxComputeWorkgroupsPerDimension;
  }

  /** A uniform buffer with the values packed as 4-byte words in order (pad to 16 bytes). */
  uniforms(label: string, values: UniformValue[]): GPUBuffer {
    const words = Math.max(4, Math.ceil(values.length / 4) * 4);
    const data = new ArrayBuffer(words * 4);
    const u32 = new Uint32Array(data);
    const f32 = new Float32Array(data);
    const i32 = new Int32Array(data);
    values.forEach((v, i) => {
      if (typeof v === 'number') {
        if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
          throw new InvalidInputError(`uniform ${label}[${i}] = ${v} is not a u32; tag floats as { f32: x }.`);
        }
        u32[i] = v;
      } else if ('f32' in v) f32[i] = v.f32;
      else i32[i] = v.i32;
    });
    const buf = uploadBuffer(this.device, u32, `uniforms:${label}`, USAGE.UNIFORM | USAGE.COPY_DST);
    this.pendingUniforms.push(buf);
    return buf;
  }

  /**
   * Record one compute dispatch. `buffers` bind to @group(0) @binding(0..n-1) in order.
   * Workgroup counts above the per-dimension limit must be folded into y by the caller's kernel.
   */
  dispatch(pipeline: GPUComputePipeline, buffers: GPUBuffer[], workgroups: [number, number?, number?]): void {
    const [x, y = 1, z = 1] = workgroups;
    const max = this.maxWorkgroupsPerDimension;
    if (x > max || y > max || z > max) {
      throw new InvalidInputError(
        `dispatch ${pipeline.label} asks for ${x}×${y}×${z} workgroups; this device allows ${max} per dimension. ` +
          'Split the work (this is a bug in PSR Lab; please report it).',
      );
    }
    if (x === 0 || y === 0 || z === 0) return;
    const bindGroup = this.device.createBindGroup({
      label: `${pipeline.label}:bind`,
      layout: pipeline.getBindGroupLayout(0),
      entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    this.encoder ??= this.device.createCommandEncoder({ label: 'psr-lab pass batch' });
    const pass = this.encoder.beginComputePass({ label: pipeline.label });
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(x, y, z);
    pass.end();
  }

  /** Copy between buffers inside the current batch (ordered with the dispatches). */
  copy(src: GPUBuffer, dst: GPUBuffer, bytes: number, srcOffset = 0, dstOffset = 0): void {
    this.encoder ??= this.device.createCommandEncoder({ label: 'psr-lab pass batch' });
    this.encoder.copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
  }

  /** Zero `bytes` of a buffer inside the current batch (ordered with the dispatches). */
  clear(buf: GPUBuffer, bytes = buf.size, offset = 0): void {
    this.encoder ??= this.device.createCommandEncoder({ label: 'psr-lab pass batch' });
    this.encoder.clearBuffer(buf, offset, bytes);
  }

  /** Submit everything recorded so far. Cheap to call often; no readback happens here. */
  flush(): void {
    if (this.encoder) {
      this.device.queue.submit([this.encoder.finish()]);
      this.encoder = null;
    }
    if (this.pendingUniforms.length > 0) {
      const done = this.pendingUniforms;
      this.pendingUniforms = [];
      void this.device.queue.onSubmittedWorkDone().then(() => done.forEach((b) => b.destroy()));
    }
  }

  /** Flush, then read `byteLength` bytes back (the only way numbers leave the GPU). */
  async read(src: GPUBuffer, byteLength = src.size): Promise<ArrayBuffer> {
    this.flush();
    this.handle.assertAlive();
    return readBuffer(this.device, src, byteLength);
  }

  async readF32(src: GPUBuffer, length: number): Promise<Float32Array> {
    return new Float32Array(await this.read(src, length * 4));
  }

  upload(data: ArrayBufferView, label: string): GPUBuffer {
    return uploadBuffer(this.device, data, label);
  }

  /** Wait for the queue to drain (for timing). */
  async finish(): Promise<void> {
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
  }
}
