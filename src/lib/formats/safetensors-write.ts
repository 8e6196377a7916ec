// The safetensors writer: tensors → bytes laid out exactly as Python's safetensors writes them
// (dtype-alignment order then name, compact JSON header with "__metadata__" first, space padding to 8).
import { SafetensorsWriteError } from '../errors.ts';
import { f32ArrayToBf16, f32ArrayToF16 } from './half.ts';
import { DTYPES, WRITE_DTYPES } from './safetensors-dtypes.ts';
import type { WriteDtype } from './safetensors-dtypes.ts';

/** One tensor to write. F16/BF16 take f32 values (rounded to nearest even) or raw Uint16 bits. */
export interface TensorToWrite {
  dtype: WriteDtype;
  shape: number[];
  data: Float32Array | Uint16Array | Int8Array | Uint8Array | Int32Array;
}

const DTYPE_RANK = new Map<string, number>(DTYPES.map((d, i) => [d, i]));

/** Code-point order (= UTF-8 byte order, as the Rust writer sorts names). */
function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  while (true) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

/**
 * Serialize tensors like Python's safetensors: order by dtype alignment (descending), then name;
 * compact JSON header ("__metadata__" first, keys sorted) padded with spaces to a multiple of 8.
 */
export function writeSafetensors(
  tensors: Record<string, TensorToWrite>,
  metadata?: Record<string, string>,
): Uint8Array {
  const items = Object.entries(tensors).map(([name, t]) => ({ name, t, bytes: tensorBytes(name, t) }));
  items.sort((x, y) => DTYPE_RANK.get(y.t.dtype)! - DTYPE_RANK.get(x.t.dtype)! || compareCodePoints(x.name, y.name));

  const parts: string[] = [];
  if (metadata !== undefined) {
    const keys = Object.keys(metadata).sort(compareCodePoints);
    for (const k of keys) {
      if (typeof metadata[k] !== 'string') {
        throw new SafetensorsWriteError(
          `safetensors metadata "${k}" is ${typeof metadata[k]}; metadata values must be strings, convert it with String() or JSON.stringify().`,
        );
      }
    }
    parts.push(`"__metadata__":{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`).join(',')}}`);
  }
  let offset = 0;
  for (const { name, t, bytes } of items) {
    const begin = offset;
    offset += bytes.byteLength;
    parts.push(`${JSON.stringify(name)}:{"dtype":"${t.dtype}","shape":[${t.shape.join(',')}],"data_offsets":[${begin},${offset}]}`);
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const headerLen = Math.ceil(json.byteLength / 8) * 8;
  const out = new Uint8Array(8 + headerLen + offset);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, headerLen % 2 ** 32, true);
  dv.setUint32(4, Math.floor(headerLen / 2 ** 32), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.byteLength, 8 + headerLen);
  let at = 8 + headerLen;
  for (const { bytes } of items) {
    out.set(bytes, at);
    at += bytes.byteLength;
  }
  return out;
}

/** Validate one tensor and return its little-endian bytes. */
function tensorBytes(name: string, t: TensorToWrite): Uint8Array {
  const bad = (what: string): never => {
    throw new SafetensorsWriteError(`cannot write tensor "${name}": ${what}.`);
  };
  if (name === '__metadata__') bad('"__metadata__" is reserved for file metadata; rename the tensor');
  if (!(WRITE_DTYPES as readonly string[]).includes(t.dtype)) {
    bad(`dtype ${JSON.stringify(t.dtype)} is not writable; use one of ${WRITE_DTYPES.join(', ')}`);
  }
  if (!Array.isArray(t.shape)) bad('shape must be an array of non-negative integers');
  let numel = 1;
  for (const d of t.shape) {
    if (!Number.isSafeInteger(d) || d < 0) bad(`shape [${t.shape.join(', ')}] has dimension ${d}; use integers ≥ 0`);
    numel *= d;
  }
  if (t.data.length !== numel) {
    bad(`shape [${t.shape.join(', ')}] holds ${numel} elements but data has ${t.data.length}; pass data of the right length`);
  }
  const view = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const wrongType = (want: string): never =>
    bad(`dtype ${t.dtype} needs ${want} data, got ${t.data.constructor.name}; convert the array first`);
  switch (t.dtype) {
    case 'F32':
      if (!(t.data instanceof Float32Array)) wrongType('Float32Array');
      return view(t.data);
    case 'F16':
    case 'BF16':
      if (t.data instanceof Uint16Array) return view(t.data);
      if (!(t.data instanceof Float32Array)) wrongType('Float32Array (values) or Uint16Array (bits)');
      return view(t.dtype === 'F16' ? f32ArrayToF16(t.data as Float32Array) : f32ArrayToBf16(t.data as Float32Array));
    case 'I8':
      if (!(t.data instanceof Int8Array)) wrongType('Int8Array');
      return view(t.data);
    case 'U8':
      if (!(t.data instanceof Uint8Array)) wrongType('Uint8Array');
      return view(t.data);
    case 'I32':
      if (!(t.data instanceof Int32Array)) wrongType('Int32Array');
      return view(t.data);
  }
  return bad('unreachable');
}
