// Vocabulary of the tiny model: special tokens, the ten digits, punctuation and operators, and
// every word the world's templates and text formats can emit. Deterministic order (specials,
// digits, punctuation, then words sorted), so the same world always gets the same ids; and
// createTokenizer(world), the tokenizer a world's model uses.

import { DEFAULT_TEMPLATES, allTemplateStrings, type TemplateSet } from './templates.ts';
import type { WorldConfig } from './config.ts';
import { pretokenize } from '../tokenizer/pretokenize.ts';
import { SPECIAL_TOKENS } from '../tokenizer/special.ts';
import { Tokenizer } from '../tokenizer/tokenizer.ts';

export const DIGITS: readonly string[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** All ASCII punctuation (HF isolates each) plus the two unicode operators the world writes. */
export const PUNCTUATION: readonly string[] = [
  ...'!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'.split(''),
  '×',
  '÷',
];

/** Words every world needs besides its templates: step prefix, answer forms, judge working. */
export const FORMAT_WORDS: readonly string[] = [
  'Step', 'The', 'answer', 'is', 'boxed', 'A', 'B',
  // judge working (see math/judge-format.ts)
  'ok', 'not', 'wrong', 'known', 'unknown', 'needed', 'repeat', 'early', 'no', 'equation', 'two', 'equations',
  'whole', 'inputs', 'score',
];

/** The words (non-special, non-digit, non-punctuation pieces) of a template set. */
export function templateWords(t: TemplateSet): string[] {
  const words = new Set<string>();
  const add = (text: string) => {
    for (const p of pretokenize(text.replace(/\{[A-Za-z0-9]+\}/g, ' '), [])) words.add(p.text);
  };
  for (const s of allTemplateStrings(t)) add(s);
  for (const n of t.names) add(n);
  for (const th of t.things) {
    add(th.plural);
    add(th.sing);
  }
  for (const v of t.verbs) {
    add(v.s);
    add(v.base);
  }
  return [...words];
}

/**
 * The ordered token list (index = id) for a template set. The default set's words are always in,
 * so a world that only rephrases the steps with those words (the nameless-steps set) keeps the ids
 * of a model pretrained on the default world.
 */
export function buildVocab(t: TemplateSet): string[] {
  const fixed = new Set<string>([...SPECIAL_TOKENS, ...DIGITS, ...PUNCTUATION]);
  const words = new Set<string>([...templateWords(DEFAULT_TEMPLATES), ...templateWords(t), ...FORMAT_WORDS]);
  for (const f of fixed) words.delete(f);
  const sorted = [...words].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return [...SPECIAL_TOKENS, ...DIGITS, ...PUNCTUATION, ...sorted];
}

/** A tokenizer for a world: vocabulary from its templates, digit order from its config. */
export function createTokenizer(world: Pick<WorldConfig, 'templates' | 'digitOrder'>): Tokenizer {
  return new Tokenizer(buildVocab(world.templates), world.digitOrder);
}
