// The safetensors format (huggingface/safetensors), parsed by hand (writer: safetensors-write.ts, re-exported here):
//   [0, 8)        N = header byte length, u64 little-endian
//   [8, 8+N)      UTF-8 JSON object {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {str: str}},
//                 padded with spaces so the data starts 8-byte aligned
//   [8+N, end)    data buffer; offsets are relative to its start, tensors tile it exactly, row-major, little-endian
// Hostile input ends in a SafetensorsError subclass, never a hang or an unbounded allocation.
import {
  SafetensorsDtypeError,
  SafetensorsDuplicateNameError,
  SafetensorsHeaderError,
  SafetensorsHeaderTooLargeError,
  SafetensorsOffsetsError,
  SafetensorsShapeError,
  SafetensorsTensorNotFoundError,
  SafetensorsTruncatedError,
} from '../errors.ts';
import { bf16ArrayToF32, f16ArrayToF32 } from './half.ts';
import { DTYPE_SIZE, DTYPES, MAX_HEADER_BYTES } from './safetensors-dtypes.ts';
import type { Dtype } from './safetensors-dtypes.ts';
import { isJsonObject, JsonParseFailure, parseStrictJson } from './strict-json.ts';
import type { JsonValue } from './strict-json.ts';

export { DTYPE_SIZE, DTYPES, MAX_HEADER_BYTES, WRITE_DTYPES } from './safetensors-dtypes.ts';
export type { Dtype, WriteDtype } from './safetensors-dtypes.ts';
export { writeSafetensors } from './safetensors-write.ts';
export type { TensorToWrite } from './safetensors-write.ts';

export interface TensorInfo {
  dtype: Dtype;
  /** Row-major dimensions; [] is a scalar. */
  shape: number[];
}

/** Read access to named tensors: a SafetensorsFile, or several shards seen as one. */
export interface TensorReader {
  readonly names: readonly string[];
  has(name: string): boolean;
  info(name: string): TensorInfo;
  /** A fresh Float32Array (numel), converted from the stored float dtype. */
  getF32(name: string): Float32Array;
}

/** What `getTyped` returns: the dtype's natural typed array (F16/BF16 as raw Uint16 bits, F8/BOOL as Uint8). */
export type TypedTensor =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array
  | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

interface Entry extends TensorInfo {
  name: string;
  /** Byte range inside the data buffer. */
  begin: number;
  end: number;
}

const isDtype = (s: string): s is Dtype => (DTYPES as readonly string[]).includes(s);

const REMEDY = 're-export the file with a safetensors writer (safetensors.torch.save_file or PSR Lab) or download it again';

/** A parsed safetensors file; tensor data stays in the bytes it was parsed from until asked for. */
export class SafetensorsFile implements TensorReader {
  /** Tensor names in file (offset) order. */
  readonly names: string[];
  /** The `__metadata__` map, or null when the file has none. */
  readonly metadata: Record<string, string> | null;
  readonly #entries: Map<string, Entry>;
  readonly #data: Uint8Array;

  constructor(entries: Entry[], metadata: Record<string, string> | null, data: Uint8Array) {
    this.#entries = new Map(entries.map((e) => [e.name, e]));
    this.names = entries.map((e) => e.name);
    this.metadata = metadata;
    this.#data = data;
  }

  has(name: string): boolean {
    return this.#entries.has(name);
  }

  info(name: string): TensorInfo {
    const e = this.#entry(name);
    return { dtype: e.dtype, shape: e.shape.slice() };
  }

  /** The tensor's bytes as a view into the parsed buffer (no copy; do not mutate). */
  getRaw(name: string): Uint8Array {
    const e = this.#entry(name);
    return this.#data.subarray(e.begin, e.end);
  }

  /** A fresh Float32Array (numel) converted from F32, F16, BF16 or F64. */
  getF32(name: string): Float32Array {
    const e = this.#entry(name);
    const raw = this.getRaw(name);
    switch (e.dtype) {
      case 'F32': return new Float32Array(alignedCopy(raw));
      case 'F16': return f16ArrayToF32(new Uint16Array(alignedCopy(raw)));
      case 'BF16': return bf16ArrayToF32(new Uint16Array(alignedCopy(raw)));
      case 'F64': return Float32Array.from(new Float64Array(alignedCopy(raw)));
      default:
        throw new SafetensorsDtypeError(
          `tensor "${name}" has dtype ${e.dtype}, which is not a float type, so it cannot be read as f32; ` +
            'use getTyped()/getRaw() for integer or quantized tensors, or convert the checkpoint to F32/F16/BF16.',
        );
    }
  }

  /** The tensor in its own element type: a view when the data is aligned, else an aligned copy. Do not mutate. */
  getTyped(name: string): TypedTensor {
    const e = this.#entry(name);
    const raw = this.getRaw(name);
    const size = DTYPE_SIZE[e.dtype];
    const buf = raw.byteOffset % size === 0 ? raw : new Uint8Array(alignedCopy(raw));
    const n = raw.byteLength / size;
    switch (e.dtype) {
      case 'F32': return new Float32Array(buf.buffer, buf.byteOffset, n);
      case 'F64': return new Float64Array(buf.buffer, buf.byteOffset, n);
      case 'I8': return new Int8Array(buf.buffer, buf.byteOffset, n);
      case 'U8': case 'BOOL': case 'F8_E5M2': case 'F8_E4M3': return new Uint8Array(buf.buffer, buf.byteOffset, n);
      case 'I16': return new Int16Array(buf.buffer, buf.byteOffset, n);
      case 'U16': case 'F16': case 'BF16': return new Uint16Array(buf.buffer, buf.byteOffset, n);
      case 'I32': return new Int32Array(buf.buffer, buf.byteOffset, n);
      case 'U32': return new Uint32Array(buf.buffer, buf.byteOffset, n);
      case 'I64': return new BigInt64Array(buf.buffer, buf.byteOffset, n);
      case 'U64': return new BigUint64Array(buf.buffer, buf.byteOffset, n);
    }
  }

  #entry(name: string): Entry {
    const e = this.#entries.get(name);
    if (e === undefined) {
      const some = this.names.slice(0, 5).map((n) => `"${n}"`).join(', ');
      throw new SafetensorsTensorNotFoundError(
        `tensor "${name}" is not in this safetensors file (it holds ${this.names.length} tensors` +
          `${some ? `, e.g. ${some}` : ''}); check the tensor name or that you opened the right file.`,
      );
    }
    return e;
  }
}

/** Copy bytes into a fresh ArrayBuffer (offset 0, so any typed view on it is aligned). */
function alignedCopy(raw: Uint8Array): ArrayBuffer {
  const out = new Uint8Array(raw.byteLength);
  out.set(raw);
  return out.buffer;
}

/** Parse a whole safetensors file held in memory. Throws SafetensorsError subclasses. */
export function parseSafetensors(bytes: Uint8Array, maxHeaderBytes = MAX_HEADER_BYTES): SafetensorsFile {
  if (bytes.byteLength < 8) {
    throw new SafetensorsTruncatedError(
      `safetensors file is ${bytes.byteLength} bytes, shorter than its 8-byte header-length prefix; ` +
        `the file is empty or truncated: ${REMEDY}.`,
    );
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, 8);
  const lo = dv.getUint32(0, true);
  const hi = dv.getUint32(4, true);
  const n = hi * 2 ** 32 + lo; // exact below 2^53; anything with hi > 0 is over the cap anyway
  if (hi !== 0 || n > maxHeaderBytes) {
    throw new SafetensorsHeaderTooLargeError(
      `safetensors header length prefix says ${hi !== 0 ? '≥ 4 GiB' : `${n} bytes`}, above the ${maxHeaderBytes}-byte limit; ` +
        `this is not a safetensors file or it is corrupt: ${REMEDY}.`,
    );
  }
  if (n > bytes.byteLength - 8) {
    throw new SafetensorsTruncatedError(
      `safetensors header length is ${n} bytes but only ${bytes.byteLength - 8} bytes follow the prefix; ` +
        `the file is truncated: ${REMEDY}.`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    throw new SafetensorsHeaderError(`safetensors header (${n} bytes) is not valid UTF-8; ${REMEDY}.`);
  }
  let header: JsonValue;
  try {
    header = parseStrictJson(text);
  } catch (err) {
    if (err instanceof JsonParseFailure && err.duplicateKey !== null) {
      throw new SafetensorsDuplicateNameError(
        `safetensors header names tensor "${err.duplicateKey}" twice; every tensor name must be unique: ${REMEDY}.`,
      );
    }
    const why = err instanceof JsonParseFailure ? err.message : String(err);
    throw new SafetensorsHeaderError(`safetensors header is not valid JSON (${why}); ${REMEDY}.`);
  }
  if (!isJsonObject(header)) {
    throw new SafetensorsHeaderError(
      `safetensors header must be a JSON object of tensor entries, found ${describe(header)}; ${REMEDY}.`,
    );
  }

  const dataLength = bytes.byteLength - 8 - n;
  let metadata: Record<string, string> | null = null;
  const entries: Entry[] = [];
  for (const [name, value] of header) {
    if (name === '__metadata__') {
      metadata = parseMetadata(value);
      continue;
    }
    entries.push(parseEntry(name, value, dataLength));
  }
  checkTiling(entries, dataLength);
  return new SafetensorsFile(entries, metadata, bytes.subarray(8 + n));
}

function describe(v: JsonValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Map) return 'an object';
  return `${typeof v} ${JSON.stringify(v).slice(0, 40)}`;
}

function parseMetadata(value: JsonValue): Record<string, string> | null {
  if (value === null) return null;
  if (!isJsonObject(value)) {
    throw new SafetensorsHeaderError(
      `safetensors "__metadata__" must be an object of string values, found ${describe(value)}; ${REMEDY}.`,
    );
  }
  const out: [string, string][] = [];
  for (const [k, v] of value) {
    if (typeof v !== 'string') {
      throw new SafetensorsHeaderError(
        `safetensors "__metadata__" key "${k}" holds ${describe(v)}, but metadata values must be strings; ${REMEDY}.`,
      );
    }
    out.push([k, v]);
  }
  return Object.fromEntries(out);
}

function parseEntry(name: string, value: JsonValue, dataLength: number): Entry {
  const bad = (what: string): never => {
    throw new SafetensorsHeaderError(`safetensors tensor "${name}": ${what}; ${REMEDY}.`);
  };
  if (!isJsonObject(value)) bad(`entry must be an object with dtype, shape and data_offsets, found ${describe(value)}`);
  const entry = value as Map<string, JsonValue>;
  const dtype = entry.get('dtype');
  const shape = entry.get('shape');
  const offsets = entry.get('data_offsets');
  if (typeof dtype !== 'string') bad(`"dtype" must be a string such as "F32", found ${describe(dtype)}`);
  if (!Array.isArray(shape)) bad(`"shape" must be an array of non-negative integers, found ${describe(shape)}`);
  if (!Array.isArray(offsets)) bad(`"data_offsets" must be an array [begin, end], found ${describe(offsets)}`);
  if (!isDtype(dtype as string)) {
    throw new SafetensorsDtypeError(
      `safetensors tensor "${name}" has unknown dtype ${JSON.stringify(dtype)}; known dtypes are ${DTYPES.join(', ')}. ` +
        'Convert the tensor to one of them (e.g. F32, F16, BF16) before loading.',
    );
  }
  const dt = dtype as Dtype;
  const dims: number[] = [];
  let numel = 1;
  for (const d of shape as JsonValue[]) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new SafetensorsShapeError(
        `safetensors tensor "${name}" has shape dimension ${describe(d)}; every dimension must be an integer ≥ 0. ${REMEDY}.`,
      );
    }
    dims.push(d);
    numel = Math.min(numel * d, Number.MAX_SAFE_INTEGER); // saturate: a huge product simply mismatches the offsets
  }
  const offs = offsets as JsonValue[];
  if (offs.length !== 2) bad(`"data_offsets" must have exactly 2 entries [begin, end], found ${offs.length}`);
  const [begin, end] = offs;
  for (const o of [begin, end]) {
    if (typeof o !== 'number' || !Number.isSafeInteger(o) || o < 0) {
      throw new SafetensorsOffsetsError(
        `safetensors tensor "${name}" has data offset ${describe(o)}; offsets must be integers ≥ 0. ${REMEDY}.`,
      );
    }
  }
  const b = begin as number;
  const e = end as number;
  if (b > e || e > dataLength) {
    throw new SafetensorsOffsetsError(
      `safetensors tensor "${name}" has data_offsets [${b}, ${e}] outside the ${dataLength}-byte data buffer ` +
        `(or begin > end); the file is truncated or corrupt: ${REMEDY}.`,
    );
  }
  const want = numel * DTYPE_SIZE[dt];
  if (e - b !== want) {
    throw new SafetensorsOffsetsError(
      `safetensors tensor "${name}": shape [${dims.join(', ')}] × ${DTYPE_SIZE[dt]} bytes (${dt}) = ${want} bytes, ` +
        `but data_offsets [${b}, ${e}] span ${e - b} bytes; ${REMEDY}.`,
    );
  }
  return { name, dtype: dt, shape: dims, begin: b, end: e };
}

/** Tensors must tile the data buffer exactly: sorted by offset, no gap, no overlap, ending at its end. */
function checkTiling(entries: Entry[], dataLength: number): void {
  entries.sort((x, y) => x.begin - y.begin || x.end - y.end);
  let at = 0;
  let prev: Entry | null = null;
  for (const e of entries) {
    if (e.begin < at) {
      throw new SafetensorsOffsetsError(
        `safetensors tensor "${e.name}" (bytes [${e.begin}, ${e.end})) overlaps tensor "${prev!.name}" ` +
          `(bytes [${prev!.begin}, ${prev!.end})); ${REMEDY}.`,
      );
    }
    if (e.begin > at) {
      throw new SafetensorsOffsetsError(
        `safetensors tensor "${e.name}" starts at byte ${e.begin} but the previous tensor ends at ${at}, ` +
          `leaving ${e.begin - at} unused bytes; ${REMEDY}.`,
      );
    }
    at = e.end;
    prev = e;
  }
  if (at !== dataLength) {
    throw new SafetensorsOffsetsError(
      `safetensors tensors cover ${at} of the ${dataLength} data bytes; ${dataLength - at} trailing bytes belong to no tensor ` +
        `${prev ? `(last tensor "${prev.name}")` : '(the header lists no tensors)'}; ${REMEDY}.`,
    );
  }
}
