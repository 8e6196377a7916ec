// A small, strict JSON parser for untrusted headers (safetensors). Unlike JSON.parse it
// reports duplicate object keys, bounds nesting depth (no stack overflow on hostile input)
// and returns objects as Maps, so keys such as "__proto__" are plain data.
// It never throws anything but JsonParseFailure; callers turn that into a named PsrError.

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export type JsonObject = Map<string, JsonValue>;

/** Why strict parsing failed; `duplicateKey` is set when the only problem is a repeated key. */
export class JsonParseFailure extends Error {
  constructor(
    message: string,
    readonly position: number,
    readonly duplicateKey: string | null = null,
  ) {
    super(message);
    this.name = 'JsonParseFailure';
  }
}

const NUMBER_RE = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

/** Parse `text` as one JSON value (surrounding whitespace allowed). */
export function parseStrictJson(text: string, maxDepth = 64): JsonValue {
  let pos = 0;

  const fail = (what: string): never => {
    throw new JsonParseFailure(`${what} at character ${pos}`, pos);
  };

  const skipWs = (): void => {
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
      else break;
    }
  };

  const parseString = (): string => {
    // Assumes text[pos] === '"'.
    pos++;
    let out = '';
    let runStart = pos;
    while (true) {
      if (pos >= text.length) fail('unterminated string');
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        out += text.slice(runStart, pos);
        pos++;
        return out;
      }
      if (c < 0x20) fail('control character in string');
      if (c !== 0x5c) {
        pos++;
        continue;
      }
      out += text.slice(runStart, pos);
      pos++;
      if (pos >= text.length) fail('unterminated escape');
      const e = text[pos];
      pos++;
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          const hex = text.slice(pos, pos + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('bad \\u escape');
          out += String.fromCharCode(parseInt(hex, 16));
          pos += 4;
          break;
        }
        default:
          pos--;
          fail('bad escape');
      }
      runStart = pos;
    }
  };

  const parseValue = (depth: number): JsonValue => {
    skipWs();
    if (pos >= text.length) fail('unexpected end of input');
    const c = text[pos];
    if (c === '{' || c === '[') {
      if (depth >= maxDepth) fail(`nesting deeper than ${maxDepth}`);
      return c === '{' ? parseObject(depth + 1) : parseArray(depth + 1);
    }
    if (c === '"') return parseString();
    if (text.startsWith('true', pos)) { pos += 4; return true; }
    if (text.startsWith('false', pos)) { pos += 5; return false; }
    if (text.startsWith('null', pos)) { pos += 4; return null; }
    NUMBER_RE.lastIndex = pos;
    const m = NUMBER_RE.exec(text);
    if (m === null) fail(`unexpected character ${JSON.stringify(c)}`);
    pos += m![0].length;
    return Number(m![0]);
  };

  const parseArray = (depth: number): JsonValue[] => {
    pos++; // '['
    const out: JsonValue[] = [];
    skipWs();
    if (text[pos] === ']') { pos++; return out; }
    while (true) {
      out.push(parseValue(depth));
      skipWs();
      const c = text[pos];
      if (c === ',') { pos++; continue; }
      if (c === ']') { pos++; return out; }
      fail("expected ',' or ']'");
    }
  };

  const parseObject = (depth: number): JsonObject => {
    pos++; // '{'
    const out: JsonObject = new Map();
    skipWs();
    if (text[pos] === '}') { pos++; return out; }
    while (true) {
      skipWs();
      if (text[pos] !== '"') fail('expected a string key');
      const keyPos = pos;
      const key = parseString();
      if (out.has(key)) {
        throw new JsonParseFailure(`duplicate key ${JSON.stringify(key)} at character ${keyPos}`, keyPos, key);
      }
      skipWs();
      if (text[pos] !== ':') fail("expected ':'");
      pos++;
      out.set(key, parseValue(depth));
      skipWs();
      const c = text[pos];
      if (c === ',') { pos++; continue; }
      if (c === '}') { pos++; return out; }
      fail("expected ',' or '}'");
    }
  };

  const value = parseValue(0);
  skipWs();
  if (pos !== text.length) fail('trailing characters after the JSON value');
  return value;
}

/** True for a parsed JSON object (a Map). */
export function isJsonObject(v: JsonValue | undefined): v is JsonObject {
  return v instanceof Map;
}
