// Pick the tokenizer for a model directory: the project's own (tokenizer-json.ts, which honours the
// digit order) when tokenizer_config.json carries "psr_digit_order", else the generic HF WordLevel
// loader (hf-wordlevel.ts) for tokenizer.json files written by the Python ecosystem.
import { fromTokenizerJson } from './tokenizer-json.ts';
import { HfWordLevelTokenizer } from './hf-wordlevel.ts';
import type { TextEncoding } from './hf-wordlevel.ts';

export type { TextEncoding } from './hf-wordlevel.ts';

export interface TextTokenizer {
  /** 'psr': the project's tokenizer; 'hf-wordlevel': the generic loader. */
  readonly kind: 'psr' | 'hf-wordlevel';
  /** Largest token id the tokenizer can emit, plus one (must not exceed the model's vocab_size). */
  readonly idBound: number;
  encode(text: string): TextEncoding;
  /** The token string of an id (undefined when the tokenizer has none). */
  tokenOf(id: number): string | undefined;
}

/** The marker the project writes into tokenizer_config.json (see toTokenizerConfig). */
export const PSR_TOKENIZER_MARKER = 'psr_digit_order';

/** True when tokenizer_config.json (parsed) says the tokenizer is the project's own. */
export function isPsrTokenizerConfig(config: unknown): boolean {
  return typeof config === 'object' && config !== null && Object.prototype.hasOwnProperty.call(config, PSR_TOKENIZER_MARKER);
}

/** A tokenizer from parsed tokenizer.json and (optionally) parsed tokenizer_config.json. */
export function loadTextTokenizer(tokenizerJson: unknown, tokenizerConfig: unknown = null): TextTokenizer {
  if (isPsrTokenizerConfig(tokenizerConfig)) {
    const tok = fromTokenizerJson(tokenizerJson, tokenizerConfig);
    return {
      kind: 'psr',
      idBound: tok.size,
      // The project's tokenizer.json has no post_processor: no <bos> is added, as in HF.
      encode(text: string): TextEncoding {
        const enc = tok.encode(text);
        return { ids: Array.from(enc.ids), tokens: tok.tokens(enc.ids), unknown: enc.unknown, truncated: 0 };
      },
      tokenOf: (id) => tok.vocab[id],
    };
  }
  const hf = new HfWordLevelTokenizer(tokenizerJson);
  return { kind: 'hf-wordlevel', idBound: hf.idBound, encode: (text) => hf.encode(text), tokenOf: (id) => hf.token(id) };
}
