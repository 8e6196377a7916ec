// A generic loader for HF `tokenizers` tokenizer.json files with a WordLevel model, as the Python
// library writes them, encoding text exactly as `Tokenizer.encode(text)` does (add_special_tokens
// on): added tokens cut out first (non-normalized ones on the raw text, normalized ones after the
// normalizer), then normalizer → pre-tokenizer → vocab lookup (unk_token for misses) → truncation →
// post-processor. Components outside hf-pipeline.ts's list throw UnsupportedTokenizerError.
import { TokenizerFormatError, UnknownWordsError, UnsupportedTokenizerError } from '../errors.ts';
import {
  ENDS_WITH_WORD, STARTS_WITH_WORD, applyPreTokenizer, isWhitespace, parseNormalizer, parsePreTokenizer,
} from './hf-pipeline.ts';
import type { Normalizer, PreTokenizer } from './hf-pipeline.ts';

type Json = Record<string, unknown>;

/** The result of encoding one text. */
export interface TextEncoding {
  /** Token ids, length T. */
  ids: number[];
  /** Token strings, length T (unk_token where a word is unknown; matched text for added tokens). */
  tokens: string[];
  /** Distinct words encoded as the unknown token, in order of first appearance. */
  unknown: string[];
  /** Tokens dropped by the tokenizer.json's own truncation setting (0 when none). */
  truncated: number;
}

/** One entry of tokenizer.json's added_tokens. */
interface AddedToken {
  id: number;
  content: string;
  singleWord: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
}

/** A piece of the text: plain (to be pre-tokenized) or already an added token. */
interface Piece {
  text: string;
  id: number | null;
}

interface Special {
  id: number;
  token: string;
}

const SUPPORTED_POST = 'null, TemplateProcessing (single template), BertProcessing, RobertaProcessing, ByteLevel and Sequence of these';

const fail = (what: string): never => {
  throw new TokenizerFormatError(`tokenizer.json ${what}; fix or re-save the tokenizer.json with the Python tokenizers library.`);
};

function unsupported(component: string, what: unknown, supported: string): never {
  throw new UnsupportedTokenizerError(
    `tokenizer.json ${component} ${JSON.stringify(what)} is not supported; PSR Lab's WordLevel loader supports ${supported}. ` +
      'Re-save the tokenizer with supported components, or compare with a tool that implements this one.',
  );
}

const isId = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) < 2 ** 31;

/** Leftmost-longest, non-overlapping occurrences of the patterns (aho-corasick MatchKind::LeftmostLongest). */
function* leftmostLongest(s: string, patterns: { text: string; token: AddedToken }[]): Generator<[number, number, AddedToken]> {
  let i = 0;
  while (i < s.length) {
    let best: { text: string; token: AddedToken } | null = null;
    for (const p of patterns) if ((best === null || p.text.length > best.text.length) && s.startsWith(p.text, i)) best = p;
    if (best === null) {
      i++;
      continue;
    }
    yield [i, i + best.text.length, best.token];
    i += best.text.length;
  }
}

/** AddedVocabulary::find_matches: split `s` around added tokens honouring single_word / lstrip / rstrip. */
function splitAdded(s: string, patterns: { text: string; token: AddedToken }[]): Piece[] {
  if (patterns.length === 0 || s === '') return [{ text: s, id: null }];
  const out: Piece[] = [];
  let startOffset = 0;
  for (const [mStart, mStop, tok] of leftmostLongest(s, patterns)) {
    let start = mStart;
    let stop = mStop;
    if (tok.singleWord) {
      const startSpace = start === 0 || !ENDS_WITH_WORD.test(s.slice(0, start));
      const stopSpace = stop === s.length || !STARTS_WITH_WORD.test(s.slice(stop));
      if (!startSpace || !stopSpace) continue;
    }
    if (tok.lstrip) {
      let k = start;
      while (k > 0) {
        const cp = s.codePointAt(k - 1)!;
        const w = cp >= 0xdc00 && cp <= 0xdfff && k >= 2 ? 2 : 1; // a low surrogate: step over the pair
        if (!isWhitespace(s.slice(k - w, k))) break;
        k -= w;
      }
      start = Math.max(k, startOffset);
    }
    if (tok.rstrip) {
      for (const ch of s.slice(stop)) {
        if (!isWhitespace(ch)) break;
        stop += ch.length;
      }
    }
    if (startOffset < start) out.push({ text: s.slice(startOffset, start), id: null });
    out.push({ text: s.slice(start, stop), id: tok.id });
    startOffset = stop;
  }
  if (startOffset !== s.length) out.push({ text: s.slice(startOffset), id: null });
  return out;
}

/** The special tokens a post-processor puts around a single sequence. */
function parsePostProcessor(json: unknown, where = 'post_processor'): { prefix: Special[]; suffix: Special[] } {
  if (json === null || json === undefined) return { prefix: [], suffix: [] };
  if (typeof json !== 'object' || Array.isArray(json)) fail(`${where} must be an object or null`);
  const j = json as Json;
  const pairOf = (v: unknown, name: string): Special => {
    if (!Array.isArray(v) || typeof v[0] !== 'string' || !isId(v[1])) fail(`${where}.${name} must be [token, id]`);
    return { token: (v as [string, number])[0], id: (v as [string, number])[1] };
  };
  switch (j.type) {
    case 'ByteLevel':
      return { prefix: [], suffix: [] }; // only trims offsets; ids unchanged
    case 'BertProcessing':
    case 'RobertaProcessing':
      return { prefix: [pairOf(j.cls, 'cls')], suffix: [pairOf(j.sep, 'sep')] };
    case 'TemplateProcessing': {
      if (!Array.isArray(j.single)) fail(`${where}.single must be a list of template pieces`);
      const specials = (j.special_tokens ?? {}) as Record<string, { ids?: unknown; tokens?: unknown }>;
      const prefix: Special[] = [];
      const suffix: Special[] = [];
      let seenA = false;
      for (const piece of j.single as Json[]) {
        const seq = piece?.Sequence as Json | undefined;
        const sp = piece?.SpecialToken as Json | undefined;
        if (seq) {
          if (seq.id !== 'A' || seenA) {
            unsupported(`${where}.single piece`, piece, `${SUPPORTED_POST}; a single template holds the sequence "$A" exactly once`);
          }
          seenA = true;
        } else if (sp && typeof sp.id === 'string') {
          const entry = specials[sp.id];
          const ids = entry?.ids;
          const toks = entry?.tokens;
          if (!Array.isArray(ids) || !Array.isArray(toks) || ids.length !== toks.length || !ids.every(isId)) {
            fail(`${where}.special_tokens lacks a valid entry {ids, tokens} for "${sp.id}" used by the single template`);
          }
          for (let k = 0; k < (ids as number[]).length; k++) {
            (seenA ? suffix : prefix).push({ id: (ids as number[])[k], token: String((toks as unknown[])[k]) });
          }
        } else {
          fail(`${where}.single holds a piece that is neither {Sequence} nor {SpecialToken}: ${JSON.stringify(piece)}`);
        }
      }
      if (!seenA) unsupported(`${where}.single template`, j.single, `${SUPPORTED_POST}; the template must contain "$A"`);
      return { prefix, suffix };
    }
    case 'Sequence': {
      if (!Array.isArray(j.processors)) fail(`${where} Sequence needs a "processors" list`);
      // Processors apply in order, each wrapping the previous result.
      let prefix: Special[] = [];
      let suffix: Special[] = [];
      (j.processors as unknown[]).forEach((p, i) => {
        const r = parsePostProcessor(p, `${where}.processors[${i}]`);
        prefix = [...r.prefix, ...prefix];
        suffix = [...suffix, ...r.suffix];
      });
      return { prefix, suffix };
    }
    default:
      return unsupported(`${where} type`, j.type ?? null, SUPPORTED_POST);
  }
}

/** tokenizer.json with a WordLevel model, loaded from its parsed JSON. */
export class HfWordLevelTokenizer {
  private readonly vocab = new Map<string, number>();
  private readonly idToToken = new Map<number, string>();
  private readonly unkToken: string;
  private readonly normalize: Normalizer;
  private readonly preTokenize: PreTokenizer;
  private readonly rawPatterns: { text: string; token: AddedToken }[] = [];
  private readonly normalizedPatterns: { text: string; token: AddedToken }[] = [];
  private readonly prefix: Special[];
  private readonly suffix: Special[];
  private readonly truncation: { maxLength: number; left: boolean } | null;

  constructor(json: unknown) {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) fail('is not a JSON object');
    const j = json as Json;
    const model = j.model as Json | undefined;
    if (typeof model !== 'object' || model === null) fail('has no "model" object');
    if (model!.type !== 'WordLevel') {
      unsupported('model type', model!.type ?? null, 'the WordLevel model only (BPE, Unigram and WordPiece are not implemented)');
    }
    const vocab = model!.vocab;
    if (typeof vocab !== 'object' || vocab === null || Array.isArray(vocab)) fail('model.vocab must be an object {token: id}');
    for (const [tok, id] of Object.entries(vocab as Json)) {
      if (!isId(id)) fail(`model.vocab["${tok}"] = ${JSON.stringify(id)} is not a token id (a non-negative integer)`);
      this.vocab.set(tok, id as number);
      if (!this.idToToken.has(id as number)) this.idToToken.set(id as number, tok);
    }
    if (typeof model!.unk_token !== 'string') fail('model.unk_token must be a string');
    this.unkToken = model!.unk_token as string;
    this.normalize = parseNormalizer(j.normalizer);
    this.preTokenize = parsePreTokenizer(j.pre_tokenizer);
    ({ prefix: this.prefix, suffix: this.suffix } = parsePostProcessor(j.post_processor));
    this.truncation = parseTruncation(j.truncation);
    parsePadding(j.padding);

    const added = j.added_tokens ?? [];
    if (!Array.isArray(added)) fail('added_tokens must be a list');
    // Deserialisation adds them sorted by id; a token already in the vocab keeps the vocab's id.
    const entries = [...(added as Json[])].sort((a, b) => Number(a?.id) - Number(b?.id));
    const seen = new Set<string>();
    for (const a of entries) {
      if (typeof a?.content !== 'string' || !isId(a.id)) fail(`added_tokens entry ${JSON.stringify(a)} needs "id" and "content"`);
      const content = a.content as string;
      if (content === '' || seen.has(content)) continue;
      seen.add(content);
      const tok: AddedToken = {
        id: this.vocab.get(content) ?? (a.id as number),
        content,
        singleWord: a.single_word === true,
        lstrip: a.lstrip === true,
        rstrip: a.rstrip === true,
        normalized: a.normalized === undefined ? a.special !== true : a.normalized === true,
      };
      if (!this.idToToken.has(tok.id)) this.idToToken.set(tok.id, content);
      if (tok.normalized) this.normalizedPatterns.push({ text: this.normalize(content), token: tok });
      else this.rawPatterns.push({ text: content, token: tok });
    }
  }

  /** Largest id + 1 over the vocab, added tokens and post-processor tokens. */
  get idBound(): number {
    let max = -1;
    for (const id of this.idToToken.keys()) max = Math.max(max, id);
    for (const s of [...this.prefix, ...this.suffix]) max = Math.max(max, s.id);
    return max + 1;
  }

  /** The token string of an id (undefined when the tokenizer has none). */
  token(id: number): string | undefined {
    return this.idToToken.get(id);
  }

  /** Encode like `tokenizers.Tokenizer.encode(text)` (add_special_tokens = true). */
  encode(text: string): TextEncoding {
    // 1. added tokens that are not normalized, on the raw text; 2. normalize the rest, then the normalized ones.
    const pieces: Piece[] = [];
    for (const p of splitAdded(text, this.rawPatterns)) {
      if (p.id !== null) pieces.push(p);
      else if (p.text !== '') for (const q of splitAdded(this.normalize(p.text), this.normalizedPatterns)) if (q.text !== '') pieces.push(q);
    }
    // 3. pre-tokenize plain pieces; 4. WordLevel lookup.
    const ids: number[] = [];
    const tokens: string[] = [];
    const unknown: string[] = [];
    for (const p of pieces) {
      if (p.id !== null) {
        ids.push(p.id);
        tokens.push(p.text);
        continue;
      }
      for (const word of applyPreTokenizer(this.preTokenize, [p.text])) {
        const id = this.vocab.get(word);
        if (id !== undefined) {
          ids.push(id);
          tokens.push(word);
          continue;
        }
        const unk = this.vocab.get(this.unkToken);
        if (unk === undefined) {
          throw new UnknownWordsError(
            `"${word}" is not in the tokenizer's vocabulary and its unk_token "${this.unkToken}" is not in the vocab either, ` +
              'so the text cannot be encoded (HF tokenizers fails the same way); rephrase the text with vocabulary words.',
          );
        }
        if (!unknown.includes(word)) unknown.push(word);
        ids.push(unk);
        tokens.push(this.unkToken);
      }
    }
    // 5. truncation (room is left for the post-processor's tokens), 6. post-processor.
    let truncated = 0;
    if (this.truncation) {
      const room = this.truncation.maxLength - this.prefix.length - this.suffix.length;
      if (room < 0) {
        throw new TokenizerFormatError(
          `tokenizer.json truncation.max_length = ${this.truncation.maxLength} is smaller than the ${this.prefix.length + this.suffix.length} ` +
            'special tokens its post_processor adds; raise max_length or set truncation to null.',
        );
      }
      if (ids.length > room) {
        truncated = ids.length - room;
        const [a, b] = this.truncation.left ? [truncated, ids.length] : [0, room];
        ids.splice(0, ids.length, ...ids.slice(a, b));
        tokens.splice(0, tokens.length, ...tokens.slice(a, b));
      }
    }
    return {
      ids: [...this.prefix.map((s) => s.id), ...ids, ...this.suffix.map((s) => s.id)],
      tokens: [...this.prefix.map((s) => s.token), ...tokens, ...this.suffix.map((s) => s.token)],
      unknown,
      truncated,
    };
  }
}

function parseTruncation(v: unknown): { maxLength: number; left: boolean } | null {
  if (v === null || v === undefined) return null;
  const t = v as Json;
  if (typeof t !== 'object' || !isId(t.max_length)) fail('truncation must be null or an object with an integer "max_length"');
  if (t.direction !== undefined && t.direction !== 'Left' && t.direction !== 'Right') fail('truncation.direction must be "Left" or "Right"');
  return { maxLength: t.max_length as number, left: t.direction === 'Left' };
}

function parsePadding(v: unknown): void {
  if (v === null || v === undefined) return;
  const p = v as Json;
  // Padding a single text to the batch's longest is a no-op; a fixed length would feed pad tokens to the model.
  if (typeof p === 'object' && p.strategy === 'BatchLongest' && (p.pad_to_multiple_of ?? null) === null) return;
  unsupported('padding', v, 'null or {strategy: "BatchLongest"} without pad_to_multiple_of (set padding to null: tokenizer.no_padding())');
}
