// "Try your own problem": unknown words with their spans and nearest known words, the oracle's
// answer for a question the world's parser reads, a note for one it cannot, and the limits.
import { describe, expect, it } from 'vitest';
import { checkOwnProblem, nearestWords } from '../../../src/lib/lab/own-problem.ts';
import { createTokenizer } from '../../../src/lib/math/vocab.ts';
import { defaultWorldConfig } from '../../../src/lib/math/config.ts';
import { generateProblems } from '../../../src/lib/math/generator.ts';

const world = defaultWorldConfig();
const tok = createTokenizer(world);

describe('checkOwnProblem', () => {
  it('reads a generated question like the generator: same answer, no unknown words, an id', () => {
    const [p] = generateProblems(world, { seed: 3, count: 1, difficulty: 3 });
    const c = checkOwnProblem(`  ${p.question.replace(/ /g, '   ')} `, tok, world, 512);
    expect(c.question).toBe(p.question);
    expect(c.unknown).toEqual([]);
    expect(c.answer).toBe(p.answer);
    expect(c.steps).toHaveLength(p.steps.length);
    expect(c.id).toMatch(/^own-/);
  });

  it('marks words outside the vocabulary with their spans and the nearest known words, and gives no id', () => {
    const q = 'Ann has 12 aples. Tom has 5 more apples than Ann. How many apples does Tom have?';
    const c = checkOwnProblem(q, tok, world, 512);
    expect(c.unknown).toHaveLength(1);
    const u = c.unknown[0];
    expect(q.slice(u.start, u.end)).toBe('aples');
    expect(u.near[0]).toBe('apples');
    expect(c.id).toBeNull();
  });

  it('a question outside the templates can still run, with a note that the checker cannot grade it', () => {
    const c = checkOwnProblem('Ann has 12 apples. How many apples does Tom have?', tok, world, 512);
    expect(c.unknown).toEqual([]);
    expect(c.answer).toBeNull();
    expect(c.oracleNote).toMatch(/cannot read this question/);
    expect(c.id).not.toBeNull();
  });

  it('refuses empty and overlong text by name, and gives no id to a question too long for a solution', () => {
    expect(() => checkOwnProblem('   ', tok, world, 512)).toThrow(/empty/);
    expect(() => checkOwnProblem('Ann has 3 apples. '.repeat(60), tok, world, 512)).toThrow(/at most 800/);
    const long = checkOwnProblem('Ann has 3 apples. '.repeat(40), tok, world, 256);
    expect(long.tokens).toBeGreaterThan(128);
    expect(long.id).toBeNull();
  });

  it('nearestWords ranks by spelling distance and ignores markers and digits', () => {
    expect(nearestWords(['apples', 'apple', 'maples', '<step>', '7'], 'aples')).toEqual(['apples', 'maples', 'apple']);
    expect(nearestWords(['apples'], 'xyzzyq')).toEqual([]);
  });
});
