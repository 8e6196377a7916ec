// The generic HF WordLevel tokenizer.json loader: exact splits for each supported pre-tokenizer,
// normalizer, added-token option and post-processor (expected values are what the Rust `tokenizers`
// library returns for the same files and texts), named errors for what it does not implement, and
// the choice between the project's own tokenizer and the generic one.
import { describe, expect, it } from 'vitest';
import { HfWordLevelTokenizer } from '../../../src/lib/tokenizer/hf-wordlevel.ts';
import { loadTextTokenizer } from '../../../src/lib/tokenizer/text-tokenizer.ts';
import { Tokenizer } from '../../../src/lib/tokenizer/tokenizer.ts';
import { fromTokenizerJson, toTokenizerJson, toTokenizerConfig } from '../../../src/lib/tokenizer/tokenizer-json.ts';
import { SPECIAL_TOKENS } from '../../../src/lib/tokenizer/special.ts';
import { TokenizerFormatError, UnknownWordsError, UnsupportedTokenizerError } from '../../../src/lib/errors.ts';
import * as F from './hf-fixtures.ts';

const enc = (json: unknown, text: string) => {
  const e = new HfWordLevelTokenizer(json).encode(text);
  return { ids: e.ids, tokens: e.tokens };
};

describe('HF WordLevel pre-tokenizers', () => {
  it('WhitespaceSplit splits on Unicode White_Space only (NBSP and NEL split, U+FEFF does not)', () => {
    expect(enc(F.WHITESPACE_SPLIT, 'Tom has  12 apples.')).toEqual({ ids: [3, 4, 5, 12], tokens: ['Tom', 'has', '12', 'apples.'] });
    const e = new HfWordLevelTokenizer(F.WHITESPACE_SPLIT).encode('Tom\u00a0has\u0085apples\ufeff.');
    expect(e.ids).toEqual([3, 4, 0]);
    expect(e.tokens).toEqual(['Tom', 'has', '[UNK]']);
    expect(e.unknown).toEqual(['apples\ufeff.']);
  });

  it('Whitespace keeps runs of word characters and runs of other non-space characters', () => {
    const e = new HfWordLevelTokenizer(F.WHITESPACE).encode("Tom's 12 apples...");
    expect(e.tokens).toEqual(['Tom', "'", 's', '12', 'apples', '[UNK]']);
    expect(e.ids).toEqual([3, 15, 21, 5, 8, 0]);
    expect(e.unknown).toEqual(['...']);
    expect(enc(F.WHITESPACE, "don't!? apples..")).toEqual({ ids: [14, 15, 16, 0, 8, 19], tokens: ['don', "'", 't', '[UNK]', 'apples', '..'] });
  });

  it('Digits isolates each digit or keeps runs, and does not split on whitespace by itself', () => {
    expect(enc(F.DIGITS_INDIVIDUAL, 'Tom has 12 apples')).toEqual({ ids: [0, 6, 7, 0], tokens: ['[UNK]', '1', '2', '[UNK]'] });
    expect(enc(F.DIGITS_INDIVIDUAL, '3apples').ids).toEqual([18, 8]);
    expect(enc(F.DIGITS_CONTIGUOUS, '12apples3').tokens).toEqual(['12', 'apples', '3']);
    // "½" is numeric (No), so "1½2" is one run.
    expect(new HfWordLevelTokenizer(F.DIGITS_CONTIGUOUS).encode('1½2').unknown).toEqual(['1½2']);
  });

  it('Punctuation honours every split behavior', () => {
    expect(enc(F.punctuation('Isolated'), 'apples..!').ids).toEqual([8, 9, 9, 10]);
    expect(enc(F.punctuation('Removed'), 'apples..!').ids).toEqual([8]);
    expect(enc(F.punctuation('MergedWithPrevious'), 'apples..!').tokens).toEqual(['apples.', '.', '!']);
    expect(new HfWordLevelTokenizer(F.punctuation('MergedWithNext')).encode('..apples').unknown).toEqual(['.apples']);
    expect(enc(F.punctuation('Contiguous'), 'apples..').tokens).toEqual(['apples', '..']);
    expect(new HfWordLevelTokenizer(F.punctuation('Isolated')).encode('Tom has.').unknown).toEqual(['Tom has']);
  });

  it('Sequence[WhitespaceSplit, Punctuation, Digits] with special tokens cut out first', () => {
    expect(enc(F.SEQUENCE, 'Tom has 12 apples.').ids).toEqual([3, 4, 6, 7, 8, 9]);
    expect(enc(F.SEQUENCE, "[BOS]Tom has 3 apples.[EOS] don't")).toEqual({
      ids: [1, 3, 4, 18, 8, 9, 2, 14, 15, 16],
      tokens: ['[BOS]', 'Tom', 'has', '3', 'apples', '.', '[EOS]', 'don', "'", 't'],
    });
  });

  it('empty and whitespace-only text give no tokens', () => {
    expect(enc(F.SEQUENCE, '')).toEqual({ ids: [], tokens: [] });
    expect(enc(F.WHITESPACE, ' \t\n')).toEqual({ ids: [], tokens: [] });
  });
});

describe('HF WordLevel normalizers, added tokens, truncation and post-processors', () => {
  it('Lowercase applies before normalized added tokens match; special tokens match the raw text', () => {
    expect(enc(F.LOWERCASE, 'TOM Has HELLO apples')).toEqual({ ids: [13, 4, 22, 8], tokens: ['tom', 'has', 'hello', 'apples'] });
    expect(enc(F.LOWERCASE, '[BOS]Tom [bos]').ids).toEqual([1, 13, 0, 0, 0]);
  });

  it('lstrip/rstrip absorb the surrounding spaces; single_word only matches whole words', () => {
    expect(enc(F.ADDED_OPTIONS, 'Tom  <mask>  apples')).toEqual({ ids: [3, 23, 8], tokens: ['Tom', '  <mask>  ', 'apples'] });
    const e = new HfWordLevelTokenizer(F.ADDED_OPTIONS).encode('hashas has');
    expect(e.ids).toEqual([0, 4]);
    expect(e.unknown).toEqual(['hashas']);
  });

  it('a TemplateProcessing post-processor adds its [BOS]/[EOS]; without one nothing is added', () => {
    expect(enc(F.TEMPLATE_BOS, 'Tom has 3 apples.')).toEqual({
      ids: [1, 3, 4, 18, 12, 2],
      tokens: ['[BOS]', 'Tom', 'has', '3', 'apples.', '[EOS]'],
    });
    expect(enc(F.WHITESPACE_SPLIT, 'Tom has 3 apples.').ids).toEqual([3, 4, 18, 12]);
  });

  it('truncation keeps room for the post-processor tokens and cuts from the chosen side', () => {
    const json = F.saved({
      vocab: F.VOCAB,
      pre_tokenizer: { type: 'WhitespaceSplit' },
      truncation: { direction: 'Left', max_length: 4, strategy: 'LongestFirst', stride: 0 },
      post_processor: { type: 'BertProcessing', sep: ['[EOS]', 2], cls: ['[BOS]', 1] },
    });
    const e = new HfWordLevelTokenizer(json).encode('Tom has 3 apples.');
    expect(e.tokens).toEqual(['[BOS]', '3', 'apples.', '[EOS]']);
    expect(e.truncated).toBe(2);
  });

  it('an unknown word without the unk token in the vocab is a named error', () => {
    const noUnk = new HfWordLevelTokenizer(F.saved({ vocab: { a: 0 }, pre_tokenizer: { type: 'WhitespaceSplit' } }));
    expect(noUnk.encode('a a').ids).toEqual([0, 0]);
    expect(() => noUnk.encode('a b')).toThrow(UnknownWordsError);
    expect(() => noUnk.encode('a b')).toThrow(/"b" is not in the tokenizer's vocabulary/);
  });
});

describe('HF WordLevel: what the loader refuses', () => {
  const cases: [string, unknown, RegExp][] = [
    ['a BPE model', F.BPE_MODEL, /model type "BPE" is not supported.*WordLevel/],
    ['a ByteLevel pre-tokenizer', F.BYTELEVEL_PRE, /pre_tokenizer type "ByteLevel" is not supported/],
    ['Metaspace inside a Sequence', F.METASPACE_IN_SEQUENCE, /pre_tokenizer\.pretokenizers\[1\] type "Metaspace" is not supported/],
    ['a BertNormalizer', F.BERT_NORMALIZER, /normalizer type "BertNormalizer" is not supported.*Lowercase/],
    ['a Split regex', F.SPLIT_REGEX, /Split with pattern \{"Regex":"\\\\d\+"\} is not supported/],
    ['a template with two sequences', F.TEMPLATE_TWO_SEQUENCES, /single piece .* is not supported/],
    ['fixed-length padding', F.FIXED_PADDING, /padding .* is not supported/],
  ];
  for (const [what, json, message] of cases) {
    it(`refuses ${what} with UnsupportedTokenizerError`, () => {
      let err: unknown;
      try {
        new HfWordLevelTokenizer(json);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UnsupportedTokenizerError);
      expect((err as Error).name).toBe('UnsupportedTokenizerError');
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).toMatch(/supports .*Re-save the tokenizer/);
    });
  }

  it('malformed files are TokenizerFormatError (not "unsupported")', () => {
    expect(() => new HfWordLevelTokenizer('nope')).toThrow(TokenizerFormatError);
    expect(() => new HfWordLevelTokenizer(F.saved({ vocab: { a: 1.5 } }))).toThrow(/model\.vocab\["a"\] = 1\.5 is not a token id/);
    expect(() => new HfWordLevelTokenizer(F.saved({ vocab: F.VOCAB, pre_tokenizer: { type: 'Punctuation', behavior: 'Sideways' } }))).toThrow(
      /behavior "Sideways" must be one of Removed, Isolated/,
    );
  });
});

describe('choosing the tokenizer of a model directory', () => {
  const vocab = [...SPECIAL_TOKENS, 'Tom', 'has', 'apples', '.', ...'0123456789'];
  const own = new Tokenizer(vocab, 'lsd');
  const json = toTokenizerJson(own);

  it('uses the project tokenizer (digit order honoured) when tokenizer_config.json carries psr_digit_order', () => {
    const t = loadTextTokenizer(json, toTokenizerConfig(own));
    expect(t.kind).toBe('psr');
    const e = t.encode('Tom has 12 apples.');
    expect(e.tokens).toEqual(['Tom', 'has', '2', '1', 'apples', '.']);
    expect(t.tokenOf(own.id('Tom'))).toBe('Tom');
  });

  it('uses the generic loader otherwise, which on our own files agrees with the project tokenizer in msd order', () => {
    const generic = loadTextTokenizer(json, { tokenizer_class: 'PreTrainedTokenizerFast' });
    expect(generic.kind).toBe('hf-wordlevel');
    const msd = fromTokenizerJson(json);
    for (const text of ['Tom has 12 apples.', '<q> Tom has 305 apples . <sol>', 'Tom (has) 7 pears!', '']) {
      const a = generic.encode(text);
      const b = msd.encode(text);
      expect(a.ids).toEqual(Array.from(b.ids));
      expect(a.unknown).toEqual(b.unknown);
    }
  });
});
