// tokenizer.json (HF tokenizers format: WordLevel model, special tokens as added_tokens,
// Sequence[WhitespaceSplit, Punctuation(Isolated), Digits(individual_digits)] pre-tokenizer)
// and tokenizer_config.json I/O. The digit order lives in
// tokenizer_config.json as "psr_digit_order" because tokenizer.json cannot express it.

import { TokenizerFormatError } from '../errors.ts';
import { BOS, EOS, PAD, SPECIAL_TOKENS, UNK } from './special.ts';
import { Tokenizer, type DigitOrder } from './tokenizer.ts';

export interface HfAddedToken {
  id: number;
  content: string;
  single_word: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

export interface HfTokenizerJson {
  version: '1.0';
  truncation: null;
  padding: null;
  added_tokens: HfAddedToken[];
  normalizer: null;
  pre_tokenizer: {
    type: 'Sequence';
    pretokenizers: [{ type: 'WhitespaceSplit' }, { type: 'Punctuation'; behavior: 'Isolated' }, { type: 'Digits'; individual_digits: true }];
  };
  post_processor: null;
  decoder: null;
  model: { type: 'WordLevel'; vocab: Record<string, number>; unk_token: string };
}

export function toTokenizerJson(tok: Tokenizer): HfTokenizerJson {
  const vocab: Record<string, number> = {};
  tok.vocab.forEach((t, i) => (vocab[t] = i));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: tok.specials.map((s) => ({
      id: tok.id(s),
      content: s,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [{ type: 'WhitespaceSplit' }, { type: 'Punctuation', behavior: 'Isolated' }, { type: 'Digits', individual_digits: true }],
    },
    post_processor: null,
    decoder: null,
    model: { type: 'WordLevel', vocab, unk_token: UNK },
  };
}

/** tokenizer_config.json for transformers' PreTrainedTokenizerFast, carrying the digit order. */
export function toTokenizerConfig(tok: Tokenizer): Record<string, unknown> {
  return {
    tokenizer_class: 'PreTrainedTokenizerFast',
    bos_token: BOS,
    eos_token: EOS,
    pad_token: PAD,
    unk_token: UNK,
    clean_up_tokenization_spaces: false,
    model_max_length: 1024,
    psr_digit_order: tok.digitOrder,
  };
}

function bad(what: string): never {
  throw new TokenizerFormatError(`tokenizer.json ${what}; save it with toTokenizerJson() or use a WordLevel tokenizer of this project`);
}

/**
 * Load a tokenizer from parsed tokenizer.json (+ optional tokenizer_config.json for the digit
 * order; without it, or without psr_digit_order, 'msd' — what plain HF tooling does).
 */
export function fromTokenizerJson(json: unknown, config?: unknown): Tokenizer {
  if (typeof json !== 'object' || json === null) bad('is not a JSON object');
  const j = json as Partial<HfTokenizerJson> & Record<string, unknown>;
  const model = j.model as HfTokenizerJson['model'] | undefined;
  if (!model || model.type !== 'WordLevel') bad(`has model type ${JSON.stringify(model?.type)}, expected "WordLevel"`);
  if (typeof model.vocab !== 'object' || model.vocab === null) bad('has no model.vocab object');
  const entries = Object.entries(model.vocab);
  const vocab: string[] = new Array(entries.length);
  for (const [tokText, id] of entries) {
    if (!Number.isInteger(id) || id < 0 || id >= entries.length || vocab[id] !== undefined) {
      bad(`has vocab ids that are not a permutation of 0..${entries.length - 1} (token ${JSON.stringify(tokText)} → ${id})`);
    }
    vocab[id] = tokText;
  }
  if (model.unk_token !== UNK) bad(`has unk_token ${JSON.stringify(model.unk_token)}, expected "${UNK}"`);
  const pre = JSON.stringify(j.pre_tokenizer);
  const expected = JSON.stringify(toTokenizerJson(new Tokenizer([...SPECIAL_TOKENS], 'msd')).pre_tokenizer);
  if (pre !== expected) bad(`has pre_tokenizer ${pre}, expected ${expected}`);
  const added = Array.isArray(j.added_tokens) ? j.added_tokens : bad('has no added_tokens list');
  const specials: string[] = [];
  for (const a of added) {
    if (!a || typeof a.content !== 'string' || vocab[a.id] !== a.content) bad(`added token ${JSON.stringify(a)} does not match the vocab`);
    if (a.special) specials.push(a.content);
  }
  for (const s of [PAD, BOS, EOS, UNK]) if (!specials.includes(s)) bad(`lacks the special token ${s}`);
  let digitOrder: DigitOrder = 'msd';
  if (config !== undefined && config !== null) {
    if (typeof config !== 'object') throw new TokenizerFormatError('tokenizer_config.json is not a JSON object; pass the parsed file or nothing');
    const d = (config as Record<string, unknown>).psr_digit_order;
    if (d !== undefined) {
      if (d !== 'msd' && d !== 'lsd') throw new TokenizerFormatError(`tokenizer_config.json psr_digit_order is ${JSON.stringify(d)}; use "msd" or "lsd"`);
      digitOrder = d;
    }
  }
  return new Tokenizer(vocab, digitOrder, specials);
}
