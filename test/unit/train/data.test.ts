// From formatted text to batches: span weights land on the right tokens (digits reversed or
// not), documents pack into full rows without losing a token, held-out questions never appear.
import { describe, expect, it } from 'vitest';
import { createTokenizer } from '../../../src/lib/math/vocab.ts';
import { defaultWorldConfig } from '../../../src/lib/math/config.ts';
import { formatIftExample } from '../../../src/lib/math/formats.ts';
import { generateProblem, generateProblems } from '../../../src/lib/math/generator.ts';
import { createRng } from '../../../src/lib/math/rng.ts';
import { DocumentPacker, encodeWeighted, toSftExample } from '../../../src/lib/train/data.ts';
import { pretrainStream } from '../../../src/lib/train/pretrain-data.ts';

const world = defaultWorldConfig();
const tok = createTokenizer(world);

describe('encodeWeighted', () => {
  it('weights exactly the tokens of the target spans', () => {
    const [p] = generateProblems(world, { seed: 3, count: 1, difficulty: 2 });
    const ft = formatIftExample(p.question, p.steps);
    const { ids, weights } = encodeWeighted(tok, ft.text, ft.targetSpans.map(([start, end]) => ({ start, end, weight: 1 })));
    const promptTokens = tok.encode(ft.prompt).ids.length;
    expect(Array.from(weights.subarray(0, promptTokens)).every((w) => w === 0)).toBe(true);
    expect(Array.from(weights.subarray(promptTokens)).every((w) => w === 1)).toBe(true);
    // The weighted tokens decode to the solution text itself.
    const scored = Array.from(ids).filter((_, i) => weights[i] > 0);
    expect(tok.decode(scored)).toBe(ft.text.slice(ft.promptEnd + 1));
  });

  it('rejects text with unknown words (training data must be lossless)', () => {
    expect(() => encodeWeighted(tok, 'Tom has 3 zebras.', [])).toThrow(/outside the vocabulary/);
  });

  it('builds next-token targets and weights for padded rows', () => {
    const a = { ids: Int32Array.from([1, 7, 8, 9]), weights: Float32Array.from([0, 0, 1, 2]) };
    const b = { ids: Int32Array.from([1, 5]), weights: Float32Array.from([0, 1]) };
    const ex = toSftExample([a, b], 5, tok.padId);
    expect(Array.from(ex.targets)).toEqual([0, 8, 9, 0, 0, 5, 0, 0, 0, 0]);
    expect(Array.from(ex.weights)).toEqual([0, 1, 2, 0, 0, 1, 0, 0, 0, 0]);
    expect(Array.from(ex.batch.keyValid)).toEqual([1, 1, 1, 1, 0, 1, 1, 0, 0, 0]);
  });
});

describe('pretraining stream', () => {
  it('packs documents into full rows without dropping or duplicating tokens', () => {
    const docs = [[1, 2, 3], [4, 5], [6, 7, 8, 9, 10], [11]];
    let i = 0;
    const packer = new DocumentPacker(() => Int32Array.from(docs[i++ % docs.length]), 4);
    const rows = [packer.nextRow(), packer.nextRow(), packer.nextRow()];
    expect(rows.flatMap((r) => Array.from(r.ids))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 1]);
    expect(Array.from(rows[0].weights)).toEqual([0, 1, 1, 1]);
  });

  it('is deterministic for a seed, plain (no Step-n, no judge markers), and skips held-out questions', () => {
    // The stream's own first question (replaying its generator), plus unrelated ones.
    const replay = createRng(9).fork('pretrain');
    replay.nextFloat(); // the difficulty draw
    const first = generateProblem(world, replay, 1).question;
    const held = [first, ...generateProblems(world, { seed: 1, count: 40, difficulty: 1 }).map((p) => p.question)];
    const make = () => pretrainStream(world, tok, { seed: 9, heldOut: new Set(held), T: 128, difficultyWeights: [1, 0, 0, 0, 0, 0] });
    const s1 = make();
    const s2 = make();
    const rows1 = Array.from({ length: 30 }, () => Array.from(s1.packer.nextRow().ids));
    const rows2 = Array.from({ length: 30 }, () => Array.from(s2.packer.nextRow().ids));
    expect(rows1).toEqual(rows2);
    const text = rows1.map((r) => tok.decode(r)).join(' ');
    expect(text).not.toMatch(/Step \d+:|<step>|<judge>|<verdict>|<sol>/);
    expect(text).toContain('The answer is');
    for (const q of held) expect(text.includes(q)).toBe(false);
    expect(s1.stats.skippedHeldOut).toBeGreaterThanOrEqual(1);
    expect(s1.stats.documents[0]).toBeGreaterThan(0);
    expect(s1.stats.documents.slice(1).every((n) => n === 0)).toBe(true);
  });
});
