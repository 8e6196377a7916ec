// onnxruntime-web's WebGPU EP in Node, on our Dawn device. It is written for browsers, so two shims:
// `navigator.gpu` (ORT looks for it before using a device it is given) and GPUQueue.writeBuffer
// accepting data that lives in a SharedArrayBuffer (ORT's threaded wasm memory; Dawn's Node binding
// rejects it with "Invalid argument", so such data is copied into an ordinary buffer first).
// The 'all' bundle is ORT's JSEP WebGPU EP, whose kernel profiling gives GPU timestamps.
import type { Ort } from '../../lib/bench/ort-webgpu.ts';
import { nodeGpu } from '../../lib/gpu/node.ts';

type WriteBuffer = GPUQueue['writeBuffer'];
const patched = new WeakSet<object>();

function copyIfShared(data: BufferSource | SharedArrayBuffer, dataOffset: number, size: number | undefined): [ArrayBuffer | ArrayBufferView, number, number | undefined] {
  if (data instanceof SharedArrayBuffer) {
    const n = size ?? data.byteLength - dataOffset;
    return [new Uint8Array(data, dataOffset, n).slice().buffer, 0, n];
  }
  if (ArrayBuffer.isView(data) && data.buffer instanceof SharedArrayBuffer) {
    const bpe = (data as unknown as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1;
    const n = size ?? data.byteLength / bpe - dataOffset;
    return [new Uint8Array(data.buffer, data.byteOffset + dataOffset * bpe, n * bpe).slice(), 0, n * bpe];
  }
  return [data as ArrayBuffer, dataOffset, size];
}

/** Make queue.writeBuffer of this device's queue class accept SharedArrayBuffer-backed data. */
export function patchWriteBufferForSharedMemory(queue: GPUQueue): void {
  const proto = Object.getPrototypeOf(queue) as { writeBuffer: WriteBuffer };
  if (patched.has(proto)) return;
  const original = proto.writeBuffer;
  proto.writeBuffer = function (this: GPUQueue, buffer: GPUBuffer, offset: number, data: BufferSource | SharedArrayBuffer, dataOffset = 0, size?: number) {
    const [d, o, s] = copyIfShared(data, dataOffset, size);
    return original.call(this, buffer, offset, d as BufferSource, o, s);
  } as WriteBuffer;
  patched.add(proto);
}

export async function loadOrtWebGpuInNode(device: GPUDevice): Promise<Ort> {
  const gpu = await nodeGpu();
  const nav = (globalThis as unknown as { navigator?: Record<string, unknown> }).navigator;
  if (!nav?.gpu) Object.defineProperty(globalThis, 'navigator', { value: { ...(nav ?? {}), gpu }, configurable: true, writable: true });
  patchWriteBufferForSharedMemory(device.queue);
  return (await import('onnxruntime-web/all')) as unknown as Ort;
}
