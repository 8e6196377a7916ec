// Hand-written tokenizer.json fixtures, in the exact layout the Python `tokenizers` library saves
// (Tokenizer.save / to_str): WordLevel + each pre-tokenizer / normalizer / post-processor the generic
// loader supports, and a few it must refuse. Each comment gives the Python that writes the file.

/** The fields of a saved tokenizer.json, in the library's order; `model` is a WordLevel. */
export function saved(parts: {
  vocab: Record<string, number>;
  unk?: string;
  added_tokens?: object[];
  normalizer?: object | null;
  pre_tokenizer?: object | null;
  post_processor?: object | null;
  truncation?: object | null;
  padding?: object | null;
}): Record<string, unknown> {
  return {
    version: '1.0',
    truncation: parts.truncation ?? null,
    padding: parts.padding ?? null,
    added_tokens: parts.added_tokens ?? [],
    normalizer: parts.normalizer ?? null,
    pre_tokenizer: parts.pre_tokenizer ?? null,
    post_processor: parts.post_processor ?? null,
    decoder: null,
    model: { type: 'WordLevel', vocab: parts.vocab, unk_token: parts.unk ?? '[UNK]' },
  };
}

/** An added_tokens entry as saved (Python: AddedToken(content, special=..., ...)). */
export function added(id: number, content: string, o: { special?: boolean; normalized?: boolean; lstrip?: boolean; rstrip?: boolean; single_word?: boolean } = {}): object {
  const special = o.special ?? true;
  return {
    id,
    content,
    single_word: o.single_word ?? false,
    lstrip: o.lstrip ?? false,
    rstrip: o.rstrip ?? false,
    normalized: o.normalized ?? !special,
    special,
  };
}

// vocab = {"[UNK]": 0, "[BOS]": 1, "[EOS]": 2, "Tom": 3, "has": 4, "12": 5, "1": 6, "2": 7,
//          "apples": 8, ".": 9, "!": 10, "?": 11, "apples.": 12, "tom": 13, "don": 14, "'": 15,
//          "t": 16, "don't": 17, "3": 18, "..": 19, "Tom's": 20, "s": 21, "hello": 22, "<mask>": 23}
export const VOCAB: Record<string, number> = {
  '[UNK]': 0, '[BOS]': 1, '[EOS]': 2, Tom: 3, has: 4, '12': 5, '1': 6, '2': 7, apples: 8, '.': 9, '!': 10, '?': 11,
  'apples.': 12, tom: 13, don: 14, "'": 15, t: 16, "don't": 17, '3': 18, '..': 19, "Tom's": 20, s: 21, hello: 22, '<mask>': 23,
};

// from tokenizers import Tokenizer, models, pre_tokenizers, normalizers, processors, AddedToken
// tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
// tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
// tok.add_special_tokens(["[UNK]"]); tok.save("tokenizer.json")
export const WHITESPACE_SPLIT = saved({ vocab: VOCAB, added_tokens: [added(0, '[UNK]')], pre_tokenizer: { type: 'WhitespaceSplit' } });

// ... tok.pre_tokenizer = pre_tokenizers.Whitespace()
export const WHITESPACE = saved({ vocab: VOCAB, added_tokens: [added(0, '[UNK]')], pre_tokenizer: { type: 'Whitespace' } });

// ... tok.pre_tokenizer = pre_tokenizers.Digits(individual_digits=True)   (False for DIGITS_CONTIGUOUS)
export const DIGITS_INDIVIDUAL = saved({ vocab: VOCAB, pre_tokenizer: { type: 'Digits', individual_digits: true } });
export const DIGITS_CONTIGUOUS = saved({ vocab: VOCAB, pre_tokenizer: { type: 'Digits', individual_digits: false } });

// ... tok.pre_tokenizer = pre_tokenizers.Punctuation(behavior)   with behavior = "isolated", "merged_with_previous", ...
export const punctuation = (behavior: string): Record<string, unknown> =>
  saved({ vocab: VOCAB, pre_tokenizer: { type: 'Punctuation', behavior } });

// ... tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(),
//         pre_tokenizers.Punctuation("isolated"), pre_tokenizers.Digits(individual_digits=True)])
//     (the layout PSR Lab itself writes)
export const SEQUENCE = saved({
  vocab: VOCAB,
  added_tokens: [added(0, '[UNK]'), added(1, '[BOS]'), added(2, '[EOS]')],
  pre_tokenizer: {
    type: 'Sequence',
    pretokenizers: [{ type: 'WhitespaceSplit' }, { type: 'Punctuation', behavior: 'Isolated' }, { type: 'Digits', individual_digits: true }],
  },
});

// ... tok.normalizer = normalizers.Sequence([normalizers.Lowercase()])
//     tok.pre_tokenizer = pre_tokenizers.Whitespace()
//     tok.add_special_tokens(["[BOS]"]); tok.add_tokens(["hello"])   # normalized: matched after lowercasing
export const LOWERCASE = saved({
  vocab: VOCAB,
  added_tokens: [added(1, '[BOS]'), added(22, 'hello', { special: false })],
  normalizer: { type: 'Sequence', normalizers: [{ type: 'Lowercase' }] },
  pre_tokenizer: { type: 'Whitespace' },
});

// ... tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
//     tok.post_processor = processors.TemplateProcessing(single="[BOS] $A [EOS]",
//         special_tokens=[("[BOS]", 1), ("[EOS]", 2)])
export const TEMPLATE_BOS = saved({
  vocab: VOCAB,
  added_tokens: [added(1, '[BOS]'), added(2, '[EOS]')],
  pre_tokenizer: { type: 'WhitespaceSplit' },
  post_processor: {
    type: 'TemplateProcessing',
    single: [{ SpecialToken: { id: '[BOS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[EOS]', type_id: 0 } }],
    pair: [
      { SpecialToken: { id: '[BOS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } },
      { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[EOS]', type_id: 1 } },
    ],
    special_tokens: {
      '[BOS]': { id: '[BOS]', ids: [1], tokens: ['[BOS]'] },
      '[EOS]': { id: '[EOS]', ids: [2], tokens: ['[EOS]'] },
    },
  },
});

// ... tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
//     tok.add_special_tokens([AddedToken("<mask>", lstrip=True, rstrip=True)])
//     tok.add_tokens([AddedToken("has", single_word=True)])
export const ADDED_OPTIONS = saved({
  vocab: VOCAB,
  added_tokens: [added(4, 'has', { special: false, single_word: true }), added(23, '<mask>', { lstrip: true, rstrip: true })],
  pre_tokenizer: { type: 'WhitespaceSplit' },
});

// ---- components the loader must refuse ----

// tok = Tokenizer(models.BPE(vocab={"a": 0}, merges=[], unk_token="a"))
export const BPE_MODEL = { ...saved({ vocab: VOCAB }), model: { type: 'BPE', dropout: null, unk_token: 'a', vocab: { a: 0 }, merges: [] } };
// ... tok.pre_tokenizer = pre_tokenizers.ByteLevel()
export const BYTELEVEL_PRE = saved({ vocab: VOCAB, pre_tokenizer: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true } });
// ... tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Metaspace()])
export const METASPACE_IN_SEQUENCE = saved({
  vocab: VOCAB,
  pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'WhitespaceSplit' }, { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true }] },
});
// ... tok.normalizer = normalizers.BertNormalizer()
export const BERT_NORMALIZER = saved({
  vocab: VOCAB,
  normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
});
// ... tok.pre_tokenizer = pre_tokenizers.Split(Regex(r"\d+"), "isolated")
export const SPLIT_REGEX = saved({ vocab: VOCAB, pre_tokenizer: { type: 'Split', pattern: { Regex: '\\d+' }, behavior: 'Isolated', invert: false } });
// ... tok.post_processor = processors.TemplateProcessing(single="$A $B", ...)  (not a single-sequence template)
export const TEMPLATE_TWO_SEQUENCES = saved({
  vocab: VOCAB,
  post_processor: { type: 'TemplateProcessing', single: [{ Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 0 } }], pair: [], special_tokens: {} },
});
// ... tok.enable_padding(length=16)
export const FIXED_PADDING = saved({
  vocab: VOCAB,
  padding: { strategy: { Fixed: 16 }, direction: 'Right', pad_to_multiple_of: null, pad_id: 0, pad_type_id: 0, pad_token: '[UNK]' },
});
