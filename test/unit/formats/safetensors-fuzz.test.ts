// Fuzzing the safetensors parser with fast-check: random bytes, random headers, and mutated valid
// files (truncated, header bytes flipped, offsets/shapes/length prefix edited). Every outcome must be
// a successful parse whose tensors can all be read, or a SafetensorsError — never another exception.
// Input sizes are bounded, so a hang would show up as the test timing out.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SafetensorsError } from '../../../src/lib/errors.ts';
import { DTYPES, parseSafetensors, writeSafetensors } from '../../../src/lib/formats/safetensors.ts';
import type { TensorToWrite } from '../../../src/lib/formats/safetensors.ts';
import { fileFromHeader } from '../model/helpers.ts';

/** Parse and read every tensor; return 'ok' or the SafetensorsError class name; rethrow anything else. */
function outcome(bytes: Uint8Array): string {
  try {
    const file = parseSafetensors(bytes);
    for (const name of file.names) {
      const { dtype, shape } = file.info(name);
      const typed = file.getTyped(name);
      expect(typed.length).toBe(shape.reduce((a, b) => a * b, 1));
      if (dtype === 'F32' || dtype === 'F16' || dtype === 'BF16' || dtype === 'F64') file.getF32(name);
    }
    return 'ok';
  } catch (err) {
    if (err instanceof SafetensorsError) return err.name;
    throw err;
  }
}

const tensorArb: fc.Arbitrary<TensorToWrite> = fc
  .record({
    dtype: fc.constantFrom('F32', 'F16', 'BF16', 'I8', 'U8', 'I32' as const),
    shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
  })
  .map(({ dtype, shape }) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data =
      dtype === 'I8' ? new Int8Array(n).map((_, i) => i - 3)
      : dtype === 'U8' ? new Uint8Array(n).map((_, i) => i)
      : dtype === 'I32' ? new Int32Array(n).map((_, i) => i * 1000 - 7)
      : new Float32Array(n).map((_, i) => i / 3 - 1);
    return { dtype, shape, data };
  });

const validFileArb = fc
  .dictionary(fc.string({ minLength: 0, maxLength: 6 }), tensorArb, { maxKeys: 5 })
  .filter((d) => !('__metadata__' in d))
  .map((d) => writeSafetensors(d, { format: 'pt' }));

describe('parser fuzzing', () => {
  it('random byte strings', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        outcome(bytes);
      }),
      { numRuns: 2000 },
    );
  });

  it('a plausible length prefix followed by random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(250), (rest, n) => {
        const bytes = new Uint8Array(8 + rest.length);
        new DataView(bytes.buffer).setUint32(0, n, true);
        bytes.set(rest, 8);
        outcome(bytes);
      }),
      { numRuns: 2000 },
    );
  });

  it('arbitrary JSON headers with random data', () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 4 }), fc.uint8Array({ maxLength: 64 }), (json, data) => {
        outcome(fileFromHeader(json, data));
      }),
      { numRuns: 1500 },
    );
  });

  it('structured headers with random dtypes, shapes and offsets', () => {
    const entryArb = fc.record({
      dtype: fc.oneof(fc.constantFrom(...DTYPES), fc.string({ maxLength: 4 })),
      shape: fc.array(fc.oneof(fc.integer({ min: -2, max: 6 }), fc.double(), fc.constant(2 ** 53)), { maxLength: 3 }),
      data_offsets: fc.array(fc.oneof(fc.integer({ min: -2, max: 40 }), fc.double()), { minLength: 0, maxLength: 3 }),
    });
    const seen = new Set<string>();
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 3 }), entryArb, { maxKeys: 4 }), fc.nat(40), (header, dataLen) => {
        seen.add(outcome(fileFromHeader(JSON.stringify(header), new Uint8Array(dataLen))));
      }),
      { numRuns: 2000, seed: 42 },
    );
    // The generator reaches most failure classes (guards against a fuzzer that only ever hits one path).
    for (const name of ['ok', 'SafetensorsHeaderError', 'SafetensorsDtypeError', 'SafetensorsShapeError', 'SafetensorsOffsetsError']) {
      expect(seen).toContain(name);
    }
  });

  it('valid files parse and round trip', () => {
    fc.assert(
      fc.property(validFileArb, (bytes) => {
        expect(outcome(bytes)).toBe('ok');
        const file = parseSafetensors(bytes);
        const again: Record<string, TensorToWrite> = {};
        for (const n of file.names) {
          const { dtype, shape } = file.info(n);
          again[n] = { dtype: dtype as TensorToWrite['dtype'], shape, data: file.getTyped(n) as TensorToWrite['data'] };
        }
        expect([...writeSafetensors(again, file.metadata ?? undefined)]).toEqual([...bytes]);
      }),
      { numRuns: 300 },
    );
  });

  it('mutated valid files: truncation, byte flips, edited digits, edited length prefix', () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
      fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.nat(255) }),
      fc.record({ kind: fc.constant('digit' as const), at: fc.nat(), digit: fc.nat(9) }),
      fc.record({ kind: fc.constant('prefix' as const), value: fc.nat(400) }),
      fc.record({ kind: fc.constant('append' as const), extra: fc.uint8Array({ minLength: 1, maxLength: 9 }) }),
    );
    const seen = new Set<string>();
    fc.assert(
      fc.property(validFileArb, fc.array(mutation, { minLength: 1, maxLength: 3 }), (valid, mutations) => {
        let bytes = valid.slice();
        for (const m of mutations) {
          const prefix = bytes.length >= 8 ? new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true) : 0;
          const headerEnd = Math.min(bytes.length, 8 + prefix);
          switch (m.kind) {
            case 'truncate': bytes = bytes.slice(0, m.at % (bytes.length + 1)); break;
            case 'flip': if (headerEnd > 8) bytes[8 + (m.at % (headerEnd - 8))] ^= 1 << m.bit; break;
            case 'set': if (bytes.length > 0) bytes[m.at % bytes.length] = m.value; break;
            case 'digit': {
              // Edit a digit inside the header: changes offsets, shapes or names.
              const digits: number[] = [];
              for (let i = 8; i < headerEnd; i++) if (bytes[i] >= 0x30 && bytes[i] <= 0x39) digits.push(i);
              if (digits.length > 0) bytes[digits[m.at % digits.length]] = 0x30 + m.digit;
              break;
            }
            case 'prefix': if (bytes.length >= 8) new DataView(bytes.buffer).setUint32(0, m.value, true); break;
            case 'append': { const b = new Uint8Array(bytes.length + m.extra.length); b.set(bytes); b.set(m.extra, bytes.length); bytes = b; break; }
          }
        }
        seen.add(outcome(bytes));
      }),
      { numRuns: 2000, seed: 7 },
    );
    for (const name of ['ok', 'SafetensorsTruncatedError', 'SafetensorsHeaderError', 'SafetensorsOffsetsError']) {
      expect(seen).toContain(name);
    }
  });
});
