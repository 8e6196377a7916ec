// The parts of the HF `tokenizers` pipeline a WordLevel tokenizer.json may use, with the Rust
// library's semantics: split patterns (char predicates, literal strings, the Whitespace regex)
// and the five SplitDelimiterBehaviors, the normalizers and the pre-tokenizers we support.
// Each is parsed from its tokenizer.json object; anything else is an UnsupportedTokenizerError.
// Positions are UTF-16 indices where Rust uses bytes: both cut at code-point boundaries only.
import { TokenizerFormatError, UnsupportedTokenizerError } from '../errors.ts';

type Json = Record<string, unknown>;

export type SplitBehavior = 'Removed' | 'Isolated' | 'MergedWithPrevious' | 'MergedWithNext' | 'Contiguous';
const BEHAVIORS: readonly SplitBehavior[] = ['Removed', 'Isolated', 'MergedWithPrevious', 'MergedWithNext', 'Contiguous'];

/** [start, end, isMatch]: one slice of a string; a pattern's slices cover it in order. */
type Slice = [number, number, boolean];

// ---- character classes (Rust std / regex crate, Unicode-aware) -------------------------------

/** char::is_whitespace = Unicode White_Space (not JS \s, which adds U+FEFF and lacks U+0085). */
export const isWhitespace = (ch: string): boolean => /^\p{White_Space}$/u.test(ch);
/** char::is_numeric = general categories Nd, Nl, No. */
export const isNumeric = (ch: string): boolean => /^\p{N}$/u.test(ch);
/** Punctuation / BertPreTokenizer: char::is_ascii_punctuation || Unicode P* categories. */
export const isPunctuation = (ch: string): boolean => /^(?:[!-/:-@[-`{-~]|\p{P})$/u.test(ch);
/** The regex crate's Unicode \w (\s is \p{White_Space}). */
const W = String.raw`\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}`;
/** HF's Whitespace pre-tokenizer regex `\w+|[^\w\s]+`, in JS with the regex crate's classes. */
const WHITESPACE_RE = new RegExp(String.raw`[${W}]+|[^${W}\p{White_Space}]+`, 'gu');
export const STARTS_WITH_WORD = new RegExp(String.raw`^[${W}]`, 'u');
export const ENDS_WITH_WORD = new RegExp(String.raw`[${W}]$`, 'u');

// ---- patterns → slices -------------------------------------------------------------------------

/** A char predicate: every matching code point is its own match (tokenizers' `impl Pattern for Fn(char)`). */
function charSlices(s: string, pred: (ch: string) => boolean): Slice[] {
  if (s === '') return [[0, 0, false]];
  const out: Slice[] = [];
  let last = 0;
  let i = 0;
  for (const ch of s) {
    if (pred(ch)) {
      if (last < i) out.push([last, i, false]);
      out.push([i, i + ch.length, true]);
      last = i + ch.length;
    }
    i += ch.length;
  }
  if (s.length > last) out.push([last, s.length, false]);
  return out;
}

/** A global regex (never matching ""): matches and the gaps between them. */
function regexSlices(s: string, re: RegExp): Slice[] {
  if (s === '') return [[0, 0, false]];
  const out: Slice[] = [];
  let prev = 0;
  for (const m of s.matchAll(re)) {
    const start = m.index;
    const end = start + m[0].length;
    if (prev !== start) out.push([prev, start, false]);
    out.push([start, end, true]);
    prev = end;
  }
  if (prev !== s.length) out.push([prev, s.length, false]);
  return out;
}

/** A literal string (tokenizers escapes it into a regex): non-overlapping, left to right. */
function literalSlices(s: string, lit: string): Slice[] {
  if (lit === '') return [[0, s.length, false]];
  return regexSlices(s, new RegExp(lit.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gu'));
}

/** NormalizedString::split: apply the delimiter behavior, drop removed slices. Empty pieces are kept (callers drop them). */
export function splitBy(s: string, slices: Slice[], behavior: SplitBehavior): string[] {
  let kept: [number, number, boolean][]; // [start, end, remove]
  switch (behavior) {
    case 'Isolated':
      kept = slices.map(([a, b]) => [a, b, false]);
      break;
    case 'Removed':
      kept = slices;
      break;
    case 'Contiguous': {
      kept = [];
      let prev = false;
      for (const [a, b, m] of slices) {
        if (m === prev && kept.length > 0) kept[kept.length - 1][1] = b;
        else kept.push([a, b, false]);
        prev = m;
      }
      break;
    }
    case 'MergedWithPrevious': {
      kept = [];
      let prev = false;
      for (const [a, b, m] of slices) {
        if (m && !prev && kept.length > 0) kept[kept.length - 1][1] = b;
        else kept.push([a, b, false]);
        prev = m;
      }
      break;
    }
    case 'MergedWithNext': {
      kept = [];
      let prev = false;
      for (let k = slices.length - 1; k >= 0; k--) {
        const [a, b, m] = slices[k];
        if (m && !prev && kept.length > 0) kept[kept.length - 1][0] = a;
        else kept.push([a, b, false]);
        prev = m;
      }
      kept.reverse();
      break;
    }
  }
  return kept.filter(([, , remove]) => !remove).map(([a, b]) => s.slice(a, b));
}

// ---- normalizers -------------------------------------------------------------------------------

export type Normalizer = (s: string) => string;

/** NormalizedString::lowercase maps each char on its own (no final-sigma context), as here. */
function lowercase(s: string): string {
  let out = '';
  for (const ch of s) out += ch.toLowerCase();
  return out;
}

function strip(s: string, left: boolean, right: boolean): string {
  const chars = [...s];
  let a = 0;
  let b = chars.length;
  if (left) while (a < b && isWhitespace(chars[a])) a++;
  if (right) while (b > a && isWhitespace(chars[b - 1])) b--;
  return chars.slice(a, b).join('');
}

const SUPPORTED_NORMALIZERS = 'null, Lowercase, NFC, NFD, NFKC, NFKD, Strip, Replace (String pattern) and Sequence of these';

function unsupported(component: string, what: unknown, supported: string): never {
  throw new UnsupportedTokenizerError(
    `tokenizer.json ${component} ${JSON.stringify(what)} is not supported; PSR Lab's WordLevel loader supports ${supported}. ` +
      'Re-save the tokenizer with supported components, or compare with a tool that implements this one.',
  );
}

function objectOf(v: unknown, where: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new TokenizerFormatError(`tokenizer.json ${where} must be a JSON object with a "type"; fix or re-save the tokenizer.json.`);
  }
  return v as Json;
}

/** A normalizer from tokenizer.json's "normalizer" (null → identity). */
export function parseNormalizer(json: unknown, where = 'normalizer'): Normalizer {
  if (json === null || json === undefined) return (s) => s;
  const j = objectOf(json, where);
  switch (j.type) {
    case 'Lowercase':
      return lowercase;
    case 'NFC':
    case 'NFD':
    case 'NFKC':
    case 'NFKD': {
      const form = j.type;
      return (s) => s.normalize(form);
    }
    case 'Strip': {
      const left = j.strip_left !== false;
      const right = j.strip_right !== false;
      return (s) => strip(s, left, right);
    }
    case 'Replace': {
      const pattern = j.pattern as Json | undefined;
      const content = j.content;
      if (typeof pattern?.String !== 'string' || typeof content !== 'string') {
        return unsupported(`${where} Replace with pattern`, pattern ?? null, `${SUPPORTED_NORMALIZERS} (regex patterns are not)`);
      }
      const lit = pattern.String;
      return (s) => (lit === '' ? s : s.split(lit).join(content));
    }
    case 'Sequence': {
      if (!Array.isArray(j.normalizers)) {
        throw new TokenizerFormatError(`tokenizer.json ${where} Sequence needs a "normalizers" list; fix or re-save the tokenizer.json.`);
      }
      const steps = j.normalizers.map((n, i) => parseNormalizer(n, `${where}.normalizers[${i}]`));
      return (s) => steps.reduce((acc, f) => f(acc), s);
    }
    default:
      return unsupported(`${where} type`, j.type ?? null, SUPPORTED_NORMALIZERS);
  }
}

// ---- pre-tokenizers ----------------------------------------------------------------------------

/** Split one piece into pieces (empty ones are dropped by applyPreTokenizer). */
export type PreTokenizer = (piece: string) => string[];

const SUPPORTED_PRETOKENIZERS =
  'null, WhitespaceSplit, Whitespace, Digits, Punctuation, BertPreTokenizer, CharDelimiterSplit, Split (String pattern) and Sequence of these';

function behaviorOf(v: unknown, where: string, dflt: SplitBehavior): SplitBehavior {
  if (v === undefined || v === null) return dflt;
  if (!BEHAVIORS.includes(v as SplitBehavior)) {
    throw new TokenizerFormatError(`tokenizer.json ${where}.behavior ${JSON.stringify(v)} must be one of ${BEHAVIORS.join(', ')}.`);
  }
  return v as SplitBehavior;
}

/** Run a pre-tokenizer over pieces, dropping empty results (PreTokenizedString::split does). */
export function applyPreTokenizer(pre: PreTokenizer, pieces: string[]): string[] {
  const out: string[] = [];
  for (const p of pieces) for (const q of pre(p)) if (q !== '') out.push(q);
  return out;
}

/** A pre-tokenizer from tokenizer.json's "pre_tokenizer" (null → the whole piece). */
export function parsePreTokenizer(json: unknown, where = 'pre_tokenizer'): PreTokenizer {
  if (json === null || json === undefined) return (s) => [s];
  const j = objectOf(json, where);
  switch (j.type) {
    case 'WhitespaceSplit':
      return (s) => splitBy(s, charSlices(s, isWhitespace), 'Removed');
    case 'Whitespace':
      // Invert(regex) + Removed: keep the matches, drop the (whitespace) gaps.
      return (s) => splitBy(s, regexSlices(s, WHITESPACE_RE).map(([a, b, m]) => [a, b, !m]), 'Removed');
    case 'Digits': {
      const behavior: SplitBehavior = j.individual_digits === true ? 'Isolated' : 'Contiguous';
      return (s) => splitBy(s, charSlices(s, isNumeric), behavior);
    }
    case 'Punctuation': {
      const behavior = behaviorOf(j.behavior, where, 'Isolated');
      return (s) => splitBy(s, charSlices(s, isPunctuation), behavior);
    }
    case 'BertPreTokenizer':
      return (s) => applyPreTokenizer((p) => splitBy(p, charSlices(p, isPunctuation), 'Isolated'), splitBy(s, charSlices(s, isWhitespace), 'Removed'));
    case 'CharDelimiterSplit': {
      const d = j.delimiter;
      if (typeof d !== 'string' || [...d].length !== 1) {
        throw new TokenizerFormatError(`tokenizer.json ${where} CharDelimiterSplit needs a one-character "delimiter"; fix the file.`);
      }
      return (s) => splitBy(s, charSlices(s, (ch) => ch === d), 'Removed');
    }
    case 'Split': {
      const pattern = j.pattern as Json | undefined;
      if (typeof pattern?.String !== 'string') {
        return unsupported(`${where} Split with pattern`, pattern ?? null, `${SUPPORTED_PRETOKENIZERS} (Split regex patterns use Oniguruma syntax and are not)`);
      }
      const lit = pattern.String;
      const behavior = behaviorOf(j.behavior, where, 'Removed');
      const invert = j.invert === true;
      return (s) => splitBy(s, literalSlices(s, lit).map(([a, b, m]) => [a, b, invert ? !m : m]), behavior);
    }
    case 'Sequence': {
      if (!Array.isArray(j.pretokenizers)) {
        throw new TokenizerFormatError(`tokenizer.json ${where} Sequence needs a "pretokenizers" list; fix or re-save the tokenizer.json.`);
      }
      const steps = j.pretokenizers.map((p, i) => parsePreTokenizer(p, `${where}.pretokenizers[${i}]`));
      return (s) => steps.reduce((pieces, step) => applyPreTokenizer(step, pieces), [s]);
    }
    default:
      return unsupported(`${where} type`, j.type ?? null, SUPPORTED_PRETOKENIZERS);
  }
}
