// The strict JSON parser used for safetensors headers: agrees with JSON.parse on valid JSON
// (property test), rejects what JSON.parse rejects, and adds duplicate-key and depth checks.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { JsonParseFailure, parseStrictJson } from '../../../src/lib/formats/strict-json.ts';
import type { JsonValue } from '../../../src/lib/formats/strict-json.ts';

/** Maps → plain objects, for comparison with JSON.parse. */
function plain(v: JsonValue): unknown {
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, plain(x)]));
  if (Array.isArray(v)) return v.map(plain);
  return v;
}

describe('parseStrictJson', () => {
  it('agrees with JSON.parse on arbitrary JSON (incl. unicode and escapes)', () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 5 }), (text) => {
        expect(plain(parseStrictJson(text))).toEqual(JSON.parse(text));
      }),
      { numRuns: 1000 },
    );
  });

  it('parses escapes, surrogate pairs and numbers exactly', () => {
    expect(parseStrictJson('"a\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00"')).toBe('a"\\/\b\f\n\r\té😀');
    expect(parseStrictJson(' [ -0.5e2 , 0 , 1E+2 , true , false , null ] ')).toEqual([-50, 0, 100, true, false, null]);
  });

  it.each(['', '{', '{"a"}', '{"a":1,}', '[1,]', '01', '1.', '.5', '"\\x"', '"a\u0001"', 'tru', '{} {}', "{'a':1}", 'NaN'])(
    'rejects %j like JSON.parse does',
    (text) => {
      expect(() => JSON.parse(text)).toThrow();
      expect(() => parseStrictJson(text)).toThrow(JsonParseFailure);
    },
  );

  it('reports duplicate keys by name', () => {
    try {
      parseStrictJson('{"x":{"k":1,"k":2}}');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(JsonParseFailure);
      expect((err as JsonParseFailure).duplicateKey).toBe('k');
    }
  });

  it('bounds nesting depth instead of overflowing the stack', () => {
    expect(() => parseStrictJson('['.repeat(100_000))).toThrow(/nesting deeper than 64/);
    expect(parseStrictJson('[[[1]]]', 3)).toEqual([[[1]]]);
    expect(() => parseStrictJson('[[[1]]]', 2)).toThrow(JsonParseFailure);
  });

  it('keeps "__proto__" as an ordinary key', () => {
    const v = parseStrictJson('{"__proto__":{"polluted":1}}') as Map<string, JsonValue>;
    expect(v.get('__proto__')).toBeInstanceOf(Map);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
