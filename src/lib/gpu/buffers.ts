// One buffer pool keyed by (size, usage): kernels borrow scratch buffers and give them back,
// so a training step allocates nothing after its first run. Also upload / readback helpers.

/** WebGPU's usage bits, as numbers so this module loads before Dawn installs its globals in Node. */
export const USAGE = { MAP_READ: 0x1, COPY_SRC: 0x4, COPY_DST: 0x8, UNIFORM: 0x40, STORAGE: 0x80 } as const;
const MAP_MODE_READ = 0x1;

/** Usage for storage buffers that are written by the CPU, kernels, and read back. */
export const STORAGE_RW = USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST;

export class BufferPool {
  private readonly free = new Map<string, GPUBuffer[]>();
  private live = 0;

  constructor(private readonly device: GPUDevice) {}

  /** Sizes are rounded up to 256 bytes so near-equal requests share buffers. */
  acquire(size: number, usage: GPUBufferUsageFlags = STORAGE_RW, label = 'pooled'): GPUBuffer {
    const rounded = Math.max(256, Math.ceil(size / 256) * 256);
    const key = `${rounded}|${usage}`;
    const list = this.free.get(key);
    const buf = list?.pop() ?? this.device.createBuffer({ label, size: rounded, usage });
    this.live++;
    return buf;
  }

  release(buf: GPUBuffer): void {
    const key = `${buf.size}|${buf.usage}`;
    const list = this.free.get(key) ?? [];
    list.push(buf);
    this.free.set(key, list);
    this.live--;
  }

  /** Buffers currently lent out (a leak shows up as a growing number). */
  get outstanding(): number {
    return this.live;
  }

  destroy(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
  }
}

/** A new storage buffer holding `data` (padded to 4 bytes). */
export function uploadBuffer(device: GPUDevice, data: ArrayBufferView, label: string, usage = STORAGE_RW): GPUBuffer {
  const size = Math.max(4, Math.ceil(data.byteLength / 4) * 4);
  const buf = device.createBuffer({ label, size, usage, mappedAtCreation: true });
  new Uint8Array(buf.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  buf.unmap();
  return buf;
}

/** Copy `byteLength` bytes of `src` to the CPU (one staging buffer, one map). */
export async function readBuffer(device: GPUDevice, src: GPUBuffer, byteLength = src.size): Promise<ArrayBuffer> {
  const staging = device.createBuffer({
    label: `readback:${src.label}`,
    size: byteLength,
    usage: USAGE.MAP_READ | USAGE.COPY_DST,
  });
  const enc = device.createCommandEncoder({ label: 'readback' });
  enc.copyBufferToBuffer(src, 0, staging, 0, byteLength);
  device.queue.submit([enc.finish()]);
  await staging.mapAsync(MAP_MODE_READ);
  const out = staging.getMappedRange().slice(0);
  staging.unmap();
  staging.destroy();
  return out;
}

export async function readF32(device: GPUDevice, src: GPUBuffer, length: number): Promise<Float32Array> {
  return new Float32Array(await readBuffer(device, src, length * 4));
}
