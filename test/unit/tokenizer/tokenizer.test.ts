// The word-level tokenizer: lossless round trips on everything the world emits, vocabulary
// coverage at every difficulty, digit order, unknown words, offsets and masks, tokenizer.json
// I/O, and agreement with an independent HF tokenizers implementation (tokenizers.js).
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TokenizerFormatError, UnknownWordsError } from '../../../src/lib/errors.ts';
import { defaultWorldConfig } from '../../../src/lib/math/config.ts';
import { buildDatasets } from '../../../src/lib/math/datasets.ts';
import { formatIftExample, formatPretrainText, formatSolutionScoreExample } from '../../../src/lib/math/formats.ts';
import { generateProblem } from '../../../src/lib/math/generator.ts';
import { formatJudgePrompt } from '../../../src/lib/math/judge-format.ts';
import { createRng } from '../../../src/lib/math/rng.ts';
import { fromTokenizerJson, toTokenizerConfig, toTokenizerJson } from '../../../src/lib/tokenizer/tokenizer-json.ts';
import { createTokenizer } from '../../../src/lib/math/vocab.ts';
import { tokenMask } from '../../../src/lib/tokenizer/tokenizer.ts';
import { SPECIAL_TOKENS } from '../../../src/lib/tokenizer/special.ts';

const world = defaultWorldConfig();
const lsd = createTokenizer({ ...world, digitOrder: 'lsd' });
const msd = createTokenizer({ ...world, digitOrder: 'msd' });
const seedArb = fc.integer({ min: 0, max: 0xffffffff });
const levelArb = fc.integer({ min: 1, max: world.difficulties.length });
const eft = buildDatasets(world, { seed: 5, iftCount: 0, eftCount: 60, eftTestCount: 0, testCount: 0, poolSizes: [] }).eft;

/** Every kind of text the world emits for one problem. */
function textsOf(seed: number, d: number): string[] {
  const p = generateProblem(world, createRng(seed), d);
  return [p.question, ...p.steps, formatIftExample(p.question, p.steps).text, formatPretrainText(p), formatSolutionScoreExample(p.question, p.steps, 4).text];
}

describe('Tokenizer round trip and coverage', () => {
  it('decode(encode(x)) === x with no unknown words, for every text the world emits, in both digit orders', () => {
    fc.assert(
      fc.property(seedArb, levelArb, (seed, d) => {
        for (const text of textsOf(seed, d)) {
          for (const tok of [lsd, msd]) {
            const enc = tok.encode(text);
            expect(enc.unknown).toEqual([]);
            expect(tok.decode(enc.ids)).toBe(text);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('covers judge prompts with working, every wrong-step kind included', () => {
    for (const ex of eft) {
      for (const working of ['none', 'check'] as const) {
        const { text } = formatJudgePrompt(ex, { working });
        const enc = lsd.encode(text, { strict: true });
        expect(lsd.decode(enc.ids)).toBe(text);
      }
    }
  });

  it('has every template word in a small vocabulary (many problems at every difficulty)', () => {
    const rng = createRng(77);
    const seen = new Set<string>();
    for (let d = 1; d <= world.difficulties.length; d++) {
      for (let i = 0; i < 150; i++) {
        const p = generateProblem(world, rng, d);
        const enc = msd.encode([p.question, ...p.steps].join(' '));
        expect(enc.unknown).toEqual([]);
        for (const id of enc.ids) seen.add(msd.vocab[id]);
      }
    }
    expect(msd.size).toBeLessThan(1000);
    expect(msd.vocab.slice(0, SPECIAL_TOKENS.length)).toEqual([...SPECIAL_TOKENS]);
    expect(seen.size).toBeGreaterThan(100);
  });
});

describe('digit order', () => {
  it('gives digits least-significant first in lsd mode, most-significant first in msd', () => {
    const toks = (t: typeof lsd, s: string) => t.tokens(t.encode(s).ids);
    expect(toks(lsd, 'Tom has 123 apples.')).toEqual(['Tom', 'has', '3', '2', '1', 'apples', '.']);
    expect(toks(msd, 'Tom has 123 apples.')).toEqual(['Tom', 'has', '1', '2', '3', 'apples', '.']);
    expect(toks(lsd, 'Step 10: 45 + 7 = 52')).toEqual(['Step', '0', '1', ':', '5', '4', '+', '7', '=', '2', '5']);
  });

  it('keeps offsets pointing at the right characters after reversal', () => {
    const text = 'Ann has 12 + 345 = 357 apples.';
    const enc = lsd.encode(text);
    enc.ids.forEach((id, t) => expect(text.slice(enc.offsets[2 * t], enc.offsets[2 * t + 1])).toBe(lsd.vocab[id]));
  });
});

describe('unknown words, specials, offsets and masks', () => {
  it('encodes unknown words to <unk> and tells the caller; strict mode throws', () => {
    const enc = msd.encode('Tom has 5 zebras and 2 llamas.');
    expect(enc.unknown.sort()).toEqual(['llamas', 'zebras']);
    expect(Array.from(enc.ids).filter((id) => id === msd.unkId)).toHaveLength(2);
    expect(() => msd.encode('Tom has 5 zebras.', { strict: true })).toThrow(UnknownWordsError);
    expect(() => msd.encode('Tom has 5 zebras.', { strict: true })).toThrow(/"zebras"/);
  });

  it('adds <bos>/<eos> on request and can skip specials when decoding', () => {
    const enc = msd.encode('<q> Tom has 5 apples.', { bos: true, eos: true });
    expect(enc.ids[0]).toBe(msd.bosId);
    expect(enc.ids[enc.ids.length - 1]).toBe(msd.eosId);
    expect(msd.decode(enc.ids)).toBe('<bos> <q> Tom has 5 apples. <eos>');
    expect(msd.decode(enc.ids, { skipSpecial: true })).toBe('Tom has 5 apples.');
    expect(msd.decode([msd.padId, ...enc.ids, msd.padId])).toBe('<bos> <q> Tom has 5 apples. <eos>');
  });

  it('maps the judge verdict and working character spans to token masks', () => {
    for (const ex of eft.slice(0, 20)) {
      const j = formatJudgePrompt(ex, { working: 'check' });
      const enc = lsd.encode(j.text);
      const v = tokenMask(enc, [j.verdictSpan!]);
      expect(Array.from(v).reduce((a, b) => a + b, 0)).toBe(1);
      expect(lsd.vocab[enc.ids[v.indexOf(1)]]).toBe(ex.verdict);
      const w = tokenMask(enc, j.workingSpans);
      const workText = lsd.decode(enc.ids.filter((_, t) => w[t] === 1));
      expect(workText).toBe(j.working.join(' '));
    }
  });
});

describe('tokenizer.json', () => {
  it('saves and loads (vocab, ids, digit order via tokenizer_config.json)', () => {
    const json = JSON.parse(JSON.stringify(toTokenizerJson(lsd)));
    const back = fromTokenizerJson(json, toTokenizerConfig(lsd));
    expect(back.vocab).toEqual(lsd.vocab);
    expect(back.digitOrder).toBe('lsd');
    const text = textsOf(3, 4)[2];
    expect(back.encode(text).ids).toEqual(lsd.encode(text).ids);
    expect(fromTokenizerJson(json).digitOrder).toBe('msd');
    expect(json.model.type).toBe('WordLevel');
    expect(json.pre_tokenizer.pretokenizers.map((p: { type: string }) => p.type)).toEqual(['WhitespaceSplit', 'Punctuation', 'Digits']);
  });

  it('refuses malformed files with TokenizerFormatError', () => {
    const good = toTokenizerJson(msd);
    const bad = (mutate: (j: Record<string, any>) => void, re: RegExp) => {
      const j = structuredClone(good) as Record<string, any>;
      mutate(j);
      expect(() => fromTokenizerJson(j)).toThrow(TokenizerFormatError);
      expect(() => fromTokenizerJson(j)).toThrow(re);
    };
    bad((j) => (j.model.type = 'BPE'), /expected "WordLevel"/);
    bad((j) => (j.model.vocab.apples = 0), /permutation/);
    bad((j) => (j.pre_tokenizer = null), /pre_tokenizer/);
    bad((j) => (j.added_tokens = j.added_tokens.filter((a: { content: string }) => a.content !== '<eos>')), /<eos>/);
    expect(() => fromTokenizerJson('nope')).toThrow(/not a JSON object/);
    expect(() => fromTokenizerJson(good, { psr_digit_order: 'sideways' })).toThrow(/psr_digit_order/);
  });

  it('encodes like an independent HF tokenizers implementation (msd; specials and unknown words too)', () => {
    const hf = new HfTokenizer(toTokenizerJson(msd) as unknown as Record<string, unknown>, { unk_token: '<unk>' });
    fc.assert(
      fc.property(seedArb, levelArb, (seed, d) => {
        for (const base of textsOf(seed, d)) {
          const text = `${base} odd-words 1,234 $5 (x) 12×3 <unk>`;
          expect(Array.from(hf.encode(text, { add_special_tokens: false }).ids)).toEqual(Array.from(msd.encode(text).ids));
        }
      }),
      { numRuns: 60 },
    );
  });
});
