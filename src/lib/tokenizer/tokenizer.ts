// Word-level tokenizer of the tiny model: each template word, each digit and each punctuation
// mark is one token, plus special markers. Encoding is HF-compatible (see tokenizer-json.ts);
// decoding restores canonical spacing, so decode(encode(x)) === x for every text the world emits.
//
// Digit order knob: with digitOrder 'lsd' the digits of every number are given to the model
// least-significant first ("123" → 3 2 1); decode reverses them back, so text, checker and UI
// never change. HF's WordLevel tokenizer.json cannot express this reversal. A Python user of an
// 'lsd' checkpoint must (1) before encoding, reverse every maximal run of ASCII digits in the
// text: re.sub(r"[0-9]+", lambda m: m.group(0)[::-1], text); (2) after converting ids back to
// tokens, reverse every maximal run of consecutive digit tokens before joining them. The digit
// order is saved as "psr_digit_order" in tokenizer_config.json.

import { TokenizerFormatError, UnknownWordsError } from '../errors.ts';
import { isDigitToken, pretokenize } from './pretokenize.ts';
import { BOS, EOS, PAD, SPECIAL_TOKENS, UNK } from './special.ts';

/** How numbers are written as digit tokens: most significant digit first, or least significant first. */
export type DigitOrder = 'msd' | 'lsd';

export interface Encoding {
  /** Token ids, shape [T]. */
  ids: Int32Array;
  /** Character span of each token in the input text, shape [T, 2] as (start, end) pairs. */
  offsets: Int32Array;
  /** Distinct words that were not in the vocabulary (encoded as <unk>). Empty when lossless. */
  unknown: string[];
}

export interface EncodeOptions {
  /** Prepend <bos> / append <eos> (their offsets are empty spans at the ends). */
  bos?: boolean;
  eos?: boolean;
  /** Throw UnknownWordsError instead of encoding unknown words as <unk>. */
  strict?: boolean;
}

export interface DecodeOptions {
  /** Drop every special token (markers included); default false. */
  skipSpecial?: boolean;
}

/** Tokens written without a space before them. */
const NO_SPACE_BEFORE = new Set(['.', ',', '?', '!', ':', ';', ')', ']', '}', '%']);
/** Tokens written without a space after them. */
const NO_SPACE_AFTER = new Set(['(', '[', '{', '$', '\\']);

export class Tokenizer {
  readonly vocab: readonly string[];
  readonly digitOrder: DigitOrder;
  readonly specials: readonly string[];
  private readonly ids: Map<string, number>;
  readonly padId: number;
  readonly bosId: number;
  readonly eosId: number;
  readonly unkId: number;

  constructor(vocab: readonly string[], digitOrder: DigitOrder, specials: readonly string[] = SPECIAL_TOKENS) {
    this.vocab = vocab;
    this.digitOrder = digitOrder;
    this.specials = specials;
    this.ids = new Map(vocab.map((t, i) => [t, i]));
    if (this.ids.size !== vocab.length) throw new TokenizerFormatError('the vocabulary has duplicate tokens; rebuild it with buildVocab()');
    const need = (t: string) => {
      const id = this.ids.get(t);
      if (id === undefined) throw new TokenizerFormatError(`the vocabulary lacks the special token ${t}; rebuild it with buildVocab()`);
      return id;
    };
    this.padId = need(PAD);
    this.bosId = need(BOS);
    this.eosId = need(EOS);
    this.unkId = need(UNK);
    for (const s of specials) need(s);
  }

  get size(): number {
    return this.vocab.length;
  }

  /** Id of a token (throws for tokens outside the vocabulary). */
  id(token: string): number {
    const id = this.ids.get(token);
    if (id === undefined) throw new UnknownWordsError(`"${token}" is not in the vocabulary; add it to the templates or FORMAT_WORDS and rebuild`);
    return id;
  }

  has(token: string): boolean {
    return this.ids.has(token);
  }

  encode(text: string, opts: EncodeOptions = {}): Encoding {
    const pieces = pretokenize(text, this.specials);
    const n = pieces.length + (opts.bos ? 1 : 0) + (opts.eos ? 1 : 0);
    const ids = new Int32Array(n); // [T]
    const offsets = new Int32Array(2 * n); // [T, 2]
    const unknown = new Set<string>();
    let t = 0;
    if (opts.bos) {
      ids[t] = this.bosId;
      t++;
    }
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i];
      const id = this.ids.get(p.text);
      if (id === undefined) unknown.add(p.text);
      ids[t] = id ?? this.unkId;
      offsets[2 * t] = p.start;
      offsets[2 * t + 1] = p.end;
      t++;
    }
    if (opts.eos) {
      ids[t] = this.eosId;
      offsets[2 * t] = text.length;
      offsets[2 * t + 1] = text.length;
    }
    if (this.digitOrder === 'lsd') reverseDigitRuns(ids, offsets, pieces, opts.bos ? 1 : 0);
    if (opts.strict && unknown.size > 0) {
      throw new UnknownWordsError(
        `text has ${unknown.size} word(s) outside the vocabulary: ${[...unknown].slice(0, 8).map((w) => JSON.stringify(w)).join(', ')}; ` +
          'rephrase with template words or add them to the world templates',
      );
    }
    return { ids, offsets, unknown: [...unknown] };
  }

  /** Token strings of ids (no spacing, no digit reordering). */
  tokens(ids: ArrayLike<number>): string[] {
    return Array.from(ids, (id) => this.vocab[id] ?? UNK);
  }

  decode(ids: ArrayLike<number>, opts: DecodeOptions = {}): string {
    let toks = this.tokens(ids);
    if (opts.skipSpecial) toks = toks.filter((t) => !this.specials.includes(t));
    else toks = toks.filter((t) => t !== PAD);
    if (this.digitOrder === 'lsd') toks = reverseTokenDigitRuns(toks);
    let out = '';
    let prev: string | null = null;
    for (const tok of toks) {
      if (prev !== null) {
        const glue = (isDigitToken(prev) && isDigitToken(tok)) || NO_SPACE_BEFORE.has(tok) || NO_SPACE_AFTER.has(prev);
        if (!glue) out += ' ';
      }
      out += tok;
      prev = tok;
    }
    return out;
  }
}

/** Reverse every maximal run of digit tokens (used by decode in 'lsd' mode). */
export function reverseTokenDigitRuns(toks: string[]): string[] {
  const out = toks.slice();
  let i = 0;
  while (i < out.length) {
    if (!isDigitToken(out[i])) {
      i++;
      continue;
    }
    let j = i;
    while (j < out.length && isDigitToken(out[j])) j++;
    const run = out.slice(i, j).reverse();
    for (let k = 0; k < run.length; k++) out[i + k] = run[k];
    i = j;
  }
  return out;
}

/** In place: reverse ids and offsets of each run of digit pieces adjacent in the text. */
function reverseDigitRuns(ids: Int32Array, offsets: Int32Array, pieces: { text: string; start: number; end: number; special: boolean }[], shift: number): void {
  let i = 0;
  while (i < pieces.length) {
    if (pieces[i].special || !isDigitToken(pieces[i].text)) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < pieces.length && !pieces[j].special && isDigitToken(pieces[j].text) && pieces[j].start === pieces[j - 1].end) j++;
    for (let a = i + shift, b = j - 1 + shift; a < b; a++, b--) {
      const t = ids[a];
      ids[a] = ids[b];
      ids[b] = t;
      for (let k = 0; k < 2; k++) {
        const o = offsets[2 * a + k];
        offsets[2 * a + k] = offsets[2 * b + k];
        offsets[2 * b + k] = o;
      }
    }
    i = j;
  }
}

/** Mark tokens whose character span overlaps any of `spans` ([start, end) pairs). Shape [T]. */
export function tokenMask(enc: Encoding, spans: readonly (readonly [number, number])[]): Uint8Array {
  const T = enc.ids.length;
  const mask = new Uint8Array(T); // [T]
  for (let t = 0; t < T; t++) {
    const s = enc.offsets[2 * t];
    const e = enc.offsets[2 * t + 1];
    for (const [a, b] of spans) {
      if (s < b && e > a) {
        mask[t] = 1;
        break;
      }
    }
  }
  return mask;
}
