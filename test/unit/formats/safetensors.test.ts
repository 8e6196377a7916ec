// safetensors reader/writer: round trips for every writable dtype, byte-exact agreement with the
// layout Python's safetensors writes, and each named error for malformed files, one by one.
import { describe, expect, it } from 'vitest';
import {
  PsrError, SafetensorsDtypeError, SafetensorsDuplicateNameError, SafetensorsError, SafetensorsHeaderError,
  SafetensorsHeaderTooLargeError, SafetensorsOffsetsError, SafetensorsShapeError, SafetensorsTensorNotFoundError,
  SafetensorsTruncatedError, SafetensorsWriteError,
} from '../../../src/lib/errors.ts';
import { parseSafetensors, writeSafetensors } from '../../../src/lib/formats/safetensors.ts';
import type { TensorToWrite } from '../../../src/lib/formats/safetensors.ts';
import { bytesOf, fileFromHeader } from '../model/helpers.ts';

describe('round trips', () => {
  it('writes and reads back every writable dtype, scalars and empty tensors', () => {
    const tensors: Record<string, TensorToWrite> = {
      f32: { dtype: 'F32', shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 0, -0, 1e-40]) },
      f16: { dtype: 'F16', shape: [4], data: Float32Array.from([1, 0.5, 65504, -(2 ** -24)]) },
      bf16: { dtype: 'BF16', shape: [2, 1], data: Float32Array.from([1, -3]) },
      i8: { dtype: 'I8', shape: [3], data: Int8Array.from([-128, 0, 127]) },
      u8: { dtype: 'U8', shape: [3], data: Uint8Array.from([0, 1, 255]) },
      i32: { dtype: 'I32', shape: [2], data: Int32Array.from([-(2 ** 31), 2 ** 31 - 1]) },
      scalar: { dtype: 'F32', shape: [], data: Float32Array.from([42]) },
      empty: { dtype: 'F16', shape: [0, 3], data: new Float32Array(0) },
    };
    const file = parseSafetensors(writeSafetensors(tensors, { note: 'hi' }));
    expect(new Set(file.names)).toEqual(new Set(Object.keys(tensors)));
    expect(file.metadata).toEqual({ note: 'hi' });
    for (const [name, t] of Object.entries(tensors)) expect(file.info(name)).toEqual({ dtype: t.dtype, shape: t.shape });
    expect([...file.getF32('f32')]).toEqual([...Float32Array.from([1, -2, 3.5, 0, -0, 1e-40])]);
    expect(Object.is(file.getF32('f32')[4], -0)).toBe(true);
    expect([...file.getF32('f16')]).toEqual([1, 0.5, 65504, -(2 ** -24)]);
    expect([...file.getF32('bf16')]).toEqual([1, -3]);
    expect([...file.getTyped('i8')]).toEqual([-128, 0, 127]);
    expect([...file.getTyped('u8')]).toEqual([0, 1, 255]);
    expect([...file.getTyped('i32')]).toEqual([-(2 ** 31), 2 ** 31 - 1]);
    expect(file.getTyped('i32')).toBeInstanceOf(Int32Array);
    expect([...file.getF32('scalar')]).toEqual([42]);
    expect(file.getF32('empty').length).toBe(0);
    expect([...file.getTyped('f16')]).toEqual([0x3c00, 0x3800, 0x7bff, 0x8001]); // raw bits
    expect(file.getRaw('u8')).toEqual(Uint8Array.from([0, 1, 255]));
  });

  it('writes F16/BF16 from raw Uint16 bits unchanged', () => {
    const bits = Uint16Array.from([0x7e01, 0x0001, 0xfc00]);
    const file = parseSafetensors(writeSafetensors({ h: { dtype: 'F16', shape: [3], data: bits } }));
    expect([...file.getTyped('h')]).toEqual([...bits]);
  });

  it('rounds f32 values to nearest even when writing BF16', () => {
    const x = new Float32Array(new Uint32Array([0x3f808000, 0x3f818000]).buffer); // both ties
    const file = parseSafetensors(writeSafetensors({ x: { dtype: 'BF16', shape: [2], data: x } }));
    expect([...file.getTyped('x')]).toEqual([0x3f80, 0x3f82]);
  });

  it('reads tensors from a buffer at an odd byteOffset (copies to align)', () => {
    const bytes = writeSafetensors({ a: { dtype: 'F32', shape: [2], data: Float32Array.from([1, 2]) } });
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const file = parseSafetensors(shifted.subarray(1));
    expect([...file.getF32('a')]).toEqual([1, 2]);
    expect([...file.getTyped('a')]).toEqual([1, 2]);
  });

  it('pads the header with spaces to a multiple of 8 and aligns every tensor to its element size', () => {
    const bytes = writeSafetensors({
      odd: { dtype: 'U8', shape: [3], data: Uint8Array.from([1, 2, 3]) },
      f: { dtype: 'F32', shape: [1], data: Float32Array.from([1]) },
      h: { dtype: 'F16', shape: [1], data: Float32Array.from([1]) },
    });
    const n = new DataView(bytes.buffer).getUint32(0, true);
    expect(n % 8).toBe(0);
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(header.trimEnd().endsWith('}')).toBe(true);
    expect(/^[^ ]*\}( *)$/.exec(header)).not.toBeNull();
    const json = JSON.parse(header) as Record<string, { dtype: string; data_offsets: [number, number] }>;
    const sizes: Record<string, number> = { U8: 1, F16: 2, F32: 4 };
    for (const e of Object.values(json)) expect((8 + n + e.data_offsets[0]) % sizes[e.dtype]).toBe(0);
  });
});

describe('Python safetensors compatibility', () => {
  // Layout relied on (safetensors ≥ 0.3, Rust core used by safetensors.torch.save / save_file):
  //  - 8-byte little-endian u64 header length N, then N bytes of compact JSON (serde_json: no spaces),
  //    padded with ASCII spaces to a multiple of 8, then the data buffer.
  //  - "__metadata__" (when given) is the first key; tensors follow in data order.
  //  - Tensors are ordered by dtype alignment, largest first (enum order BOOL < U8 < I8 < F8 < I16 < U16 < F16
  //    < BF16 < I32 < U32 < F32 < F64 < I64 < U64, descending), then by name; offsets are contiguous from 0.
  it('matches the bytes Python writes for save({"attn.0": arange(6, float32).reshape(1, 2, 3)})', () => {
    const header = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}'; // 64 bytes: no padding
    expect(header.length).toBe(64);
    const values = Float32Array.from([0, 1, 2, 3, 4, 5]);
    const python = fileFromHeader(header, bytesOf(values));
    expect([...python.subarray(0, 8)]).toEqual([64, 0, 0, 0, 0, 0, 0, 0]);
    const ours = writeSafetensors({ 'attn.0': { dtype: 'F32', shape: [1, 2, 3], data: values } });
    expect([...ours]).toEqual([...python]);
    const file = parseSafetensors(python);
    expect(file.info('attn.0')).toEqual({ dtype: 'F32', shape: [1, 2, 3] });
    expect([...file.getF32('attn.0')]).toEqual([0, 1, 2, 3, 4, 5]);
    expect(file.metadata).toBeNull();
  });

  it('matches Python for mixed dtypes with metadata {"format": "pt"} (order, padding, offsets)', () => {
    const header =
      '{"__metadata__":{"format":"pt"},' +
      '"b":{"dtype":"I32","shape":[2],"data_offsets":[0,8]},' +
      '"c":{"dtype":"BF16","shape":[2],"data_offsets":[8,12]},' +
      '"a":{"dtype":"F16","shape":[3],"data_offsets":[12,18]},' +
      '"z":{"dtype":"U8","shape":[3],"data_offsets":[18,21]}}';
    const data = [
      0x07, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, // b: int32 [7, -1]
      0x80, 0x3f, 0x00, 0xc0, // c: bf16 [1, -2]
      0x00, 0x3c, 0x00, 0x38, 0x00, 0xfc, // a: f16 [1, 0.5, -inf]
      0x01, 0x02, 0xff, // z: uint8 [1, 2, 255]
    ];
    const python = fileFromHeader(header, data);
    expect((python.length - 8 - data.length) % 8).toBe(0);
    const file = parseSafetensors(python);
    expect(file.names).toEqual(['b', 'c', 'a', 'z']);
    expect(file.metadata).toEqual({ format: 'pt' });
    expect([...file.getTyped('b')]).toEqual([7, -1]);
    expect([...file.getF32('c')]).toEqual([1, -2]);
    expect([...file.getF32('a')]).toEqual([1, 0.5, -Infinity]);
    expect([...file.getTyped('z')]).toEqual([1, 2, 255]);
    const ours = writeSafetensors(
      {
        z: { dtype: 'U8', shape: [3], data: Uint8Array.from([1, 2, 255]) },
        a: { dtype: 'F16', shape: [3], data: Float32Array.from([1, 0.5, -Infinity]) },
        c: { dtype: 'BF16', shape: [2], data: Float32Array.from([1, -2]) },
        b: { dtype: 'I32', shape: [2], data: Int32Array.from([7, -1]) },
      },
      { format: 'pt' },
    );
    expect([...ours]).toEqual([...python]);
  });

  it('accepts headers from other writers: any key order, whitespace, unpadded, extra entry fields', () => {
    const header = ' { "y" : {"data_offsets":[4,8],"shape":[1],"dtype":"F32","extra":1},\n"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]} }';
    const file = parseSafetensors(fileFromHeader(header, bytesOf(Float32Array.from([1, 2])), false));
    expect(file.names).toEqual(['x', 'y']);
    expect([...file.getF32('y')]).toEqual([2]);
  });

  it('reads F64 as f32 and I64 as BigInt64Array', () => {
    const header = '{"d":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},"l":{"dtype":"I64","shape":[1],"data_offsets":[16,24]}}';
    const data = [...bytesOf(Float64Array.from([0.5, -1])), ...bytesOf(BigInt64Array.from([-5n]))];
    const file = parseSafetensors(fileFromHeader(header, data));
    expect([...file.getF32('d')]).toEqual([0.5, -1]);
    expect([...(file.getTyped('l') as BigInt64Array)]).toEqual([-5n]);
  });
});

/** Expect `fn` to throw `cls` whose message mentions every string in `mentions`. */
function expectError(fn: () => unknown, cls: new (...a: never[]) => Error, ...mentions: string[]): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(cls);
  expect(caught).toBeInstanceOf(PsrError);
  const msg = (caught as Error).message;
  for (const m of mentions) expect(msg).toContain(m);
  expect((caught as Error).name).toBe(cls.name);
}

const entry = (name: string, dtype: string, shape: unknown, offsets: unknown): string =>
  `${JSON.stringify(name)}:{"dtype":${JSON.stringify(dtype)},"shape":${JSON.stringify(shape)},"data_offsets":${JSON.stringify(offsets)}}`;

describe('named errors for malformed files', () => {
  it('file shorter than 8 bytes', () => {
    expectError(() => parseSafetensors(new Uint8Array(5)), SafetensorsTruncatedError, '5 bytes', 'truncated');
    expectError(() => parseSafetensors(new Uint8Array(0)), SafetensorsTruncatedError);
  });

  it('header length larger than the file', () => {
    const f = fileFromHeader('{}');
    new DataView(f.buffer).setUint32(0, 1000, true);
    expectError(() => parseSafetensors(f), SafetensorsTruncatedError, '1000 bytes', 'truncated');
  });

  it('header length above the 100 MB cap (and above 4 GiB)', () => {
    const f = new Uint8Array(16);
    new DataView(f.buffer).setUint32(0, 100_000_001, true);
    expectError(() => parseSafetensors(f), SafetensorsHeaderTooLargeError, '100000001', 'limit');
    new DataView(f.buffer).setUint32(4, 7, true);
    expectError(() => parseSafetensors(f), SafetensorsHeaderTooLargeError, '4 GiB');
  });

  it('header not UTF-8', () => {
    const f = fileFromHeader('{"a":1}');
    f[9] = 0xff;
    expectError(() => parseSafetensors(f), SafetensorsHeaderError, 'UTF-8');
  });

  it('header not JSON, or not an object', () => {
    expectError(() => parseSafetensors(fileFromHeader('{"a":')), SafetensorsHeaderError, 'not valid JSON');
    expectError(() => parseSafetensors(fileFromHeader('[1,2]')), SafetensorsHeaderError, 'must be a JSON object');
    expectError(() => parseSafetensors(fileFromHeader('"x"')), SafetensorsHeaderError, 'must be a JSON object');
    expectError(() => parseSafetensors(fileFromHeader('{"a":{}} x')), SafetensorsHeaderError, 'not valid JSON');
    expectError(() => parseSafetensors(fileFromHeader('['.repeat(5000))), SafetensorsHeaderError, 'nesting');
  });

  it('entry missing or mistyping dtype / shape / data_offsets', () => {
    expectError(() => parseSafetensors(fileFromHeader('{"w":5}')), SafetensorsHeaderError, '"w"', 'must be an object');
    expectError(() => parseSafetensors(fileFromHeader('{"w":{"shape":[1],"data_offsets":[0,4]}}', [0, 0, 0, 0])), SafetensorsHeaderError, '"w"', 'dtype');
    expectError(() => parseSafetensors(fileFromHeader('{"w":{"dtype":"F32","data_offsets":[0,4]}}', [0, 0, 0, 0])), SafetensorsHeaderError, '"w"', 'shape');
    expectError(() => parseSafetensors(fileFromHeader('{"w":{"dtype":"F32","shape":[1]}}', [0, 0, 0, 0])), SafetensorsHeaderError, '"w"', 'data_offsets');
    expectError(() => parseSafetensors(fileFromHeader(`{${entry('w', 'F32', [1], [0, 4, 8])}}`, [0, 0, 0, 0])), SafetensorsHeaderError, '"w"', 'exactly 2');
    expectError(() => parseSafetensors(fileFromHeader('{"w":{"dtype":7,"shape":[1],"data_offsets":[0,4]}}')), SafetensorsHeaderError, 'dtype');
  });

  it('metadata that is not a map of strings', () => {
    expectError(() => parseSafetensors(fileFromHeader('{"__metadata__":{"a":1}}')), SafetensorsHeaderError, '__metadata__', '"a"');
    expectError(() => parseSafetensors(fileFromHeader('{"__metadata__":[]}')), SafetensorsHeaderError, '__metadata__');
  });

  it('unknown dtype', () => {
    expectError(() => parseSafetensors(fileFromHeader(`{${entry('w', 'F33', [1], [0, 4])}}`, [0, 0, 0, 0])), SafetensorsDtypeError, '"w"', 'F33', 'Convert');
  });

  it('negative, fractional or non-numeric shape', () => {
    for (const shape of [[-1], [1.5], ['2'], [null]]) {
      expectError(() => parseSafetensors(fileFromHeader(`{${entry('w', 'U8', shape, [0, 0])}}`)), SafetensorsShapeError, '"w"', 'integer ≥ 0');
    }
  });

  it('offsets negative, non-integer, reversed, or past the end of the buffer', () => {
    expectError(() => parseSafetensors(fileFromHeader(`{${entry('w', 'U8', [1], [-1, 0])}}`, [0])), SafetensorsOffsetsError, '"w"');
    expectError(() => parseSafetensors(fileFromHeader(`{${entry('w', 'U8', [1], [0.5, 1])}}`, [0])), SafetensorsOffsetsError, '"w"');
    expectError(() => parseSafetensors(fileFromHeader(`{${entry('w', 'U8', [1], [1, 0])}}`, [0])), SafetensorsOffsetsError, '"w"', 'begin > end');
    expectError(() => parseSafetensors(fileFromHeader(`{${entry('w', 'U8', [4], [0, 4])}}`, [0, 0])), SafetensorsOffsetsError, '"w"', 'outside the 2-byte');
    expectError(() => parseSafetensors(fileFromHeader(`{${entry('w', 'U8', [1], [0, 2 ** 60])}}`, [0])), SafetensorsOffsetsError, '"w"');
  });

  it('byte length ≠ product(shape) × dtype size', () => {
    expectError(() => parseSafetensors(fileFromHeader(`{${entry('w', 'F32', [2, 3], [0, 20])}}`, new Array(20).fill(0))), SafetensorsOffsetsError, '"w"', '24 bytes', 'span 20');
    // A shape whose product overflows 2^53 cannot match any real byte range.
    expectError(() => parseSafetensors(fileFromHeader(`{${entry('w', 'F32', [2 ** 40, 2 ** 40], [0, 4])}}`, [0, 0, 0, 0])), SafetensorsOffsetsError, '"w"');
  });

  it('overlapping tensors', () => {
    const h = `{${entry('a', 'U8', [4], [0, 4])},${entry('b', 'U8', [2], [2, 4])}}`;
    expectError(() => parseSafetensors(fileFromHeader(h, [0, 0, 0, 0])), SafetensorsOffsetsError, '"b"', 'overlaps', '"a"');
  });

  it('a gap between tensors, and trailing bytes no tensor covers', () => {
    const gap = `{${entry('a', 'U8', [1], [0, 1])},${entry('b', 'U8', [1], [2, 3])}}`;
    expectError(() => parseSafetensors(fileFromHeader(gap, [0, 0, 0])), SafetensorsOffsetsError, '"b"', 'unused');
    const trailing = `{${entry('a', 'U8', [1], [0, 1])}}`;
    expectError(() => parseSafetensors(fileFromHeader(trailing, [0, 0, 0])), SafetensorsOffsetsError, 'cover 1 of the 3', '"a"');
    expectError(() => parseSafetensors(fileFromHeader('{}', [0])), SafetensorsOffsetsError, 'no tensors');
  });

  it('duplicate names', () => {
    const h = `{${entry('a', 'U8', [1], [0, 1])},${entry('a', 'U8', [1], [1, 2])}}`;
    expectError(() => parseSafetensors(fileFromHeader(h, [0, 0])), SafetensorsDuplicateNameError, '"a"', 'twice');
  });

  it('"__proto__" is an ordinary tensor name', () => {
    const file = parseSafetensors(fileFromHeader(`{${entry('__proto__', 'U8', [1], [0, 1])}}`, [9]));
    expect(file.names).toEqual(['__proto__']);
    expect([...file.getTyped('__proto__')]).toEqual([9]);
  });

  it('asking for a missing tensor, or f32 of an integer tensor', () => {
    const file = parseSafetensors(writeSafetensors({ q: { dtype: 'I8', shape: [1], data: Int8Array.from([1]) } }));
    expectError(() => file.getF32('nope'), SafetensorsTensorNotFoundError, '"nope"', '"q"');
    expectError(() => file.info('nope'), SafetensorsTensorNotFoundError);
    expectError(() => file.getF32('q'), SafetensorsDtypeError, '"q"', 'I8', 'getTyped');
  });

  it('every parse error is a SafetensorsError', () => {
    expect(new SafetensorsTruncatedError('x')).toBeInstanceOf(SafetensorsError);
    expect(new SafetensorsDuplicateNameError('x')).toBeInstanceOf(SafetensorsError);
  });
});

describe('writer input errors', () => {
  it('rejects bad names, dtypes, shapes, lengths and array types', () => {
    const f32 = Float32Array.from([1, 2]);
    expectError(() => writeSafetensors({ __metadata__: { dtype: 'F32', shape: [2], data: f32 } }), SafetensorsWriteError, 'reserved');
    expectError(() => writeSafetensors({ w: { dtype: 'F64' as 'F32', shape: [2], data: f32 } }), SafetensorsWriteError, '"w"', 'F64');
    expectError(() => writeSafetensors({ w: { dtype: 'F32', shape: [3], data: f32 } }), SafetensorsWriteError, '"w"', '3 elements', 'has 2');
    expectError(() => writeSafetensors({ w: { dtype: 'F32', shape: [-2], data: f32 } }), SafetensorsWriteError, '"w"');
    expectError(() => writeSafetensors({ w: { dtype: 'I32', shape: [2], data: f32 } }), SafetensorsWriteError, '"w"', 'Int32Array');
    expectError(() => writeSafetensors({ w: { dtype: 'F32', shape: [2], data: f32 } }, { k: 1 as unknown as string }), SafetensorsWriteError, '"k"');
  });
});
