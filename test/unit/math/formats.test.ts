// Text formats: judge prompt (spans, working from text only, inverse parser), IFT, plain
// pretraining text, step continuation, whole-solution score prompt.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildDatasets } from '../../../src/lib/math/datasets.ts';
import {
  formatIftExample,
  formatPlainSolution,
  formatPretrainText,
  formatSolutionScoreExample,
  formatSolutionScorePrompt,
  formatStepPrompt,
  parseSolutionScore,
  parseStepContinuation,
} from '../../../src/lib/math/formats.ts';
import { formatJudgePrompt, judgeWorking, parseJudgeOutput, workingLineGood } from '../../../src/lib/math/judge-format.ts';
import { scoreSolution } from '../../../src/lib/math/checker.ts';
import { generateProblem } from '../../../src/lib/math/generator.ts';
import { createRng } from '../../../src/lib/math/rng.ts';
import { CHAIN_Q, levelArb, seedArb, world } from './helpers.ts';
import { createTokenizer } from '../../../src/lib/math/vocab.ts';

const eft = buildDatasets(world, { seed: 3, iftCount: 0, eftCount: 120, eftTestCount: 0, testCount: 0, poolSizes: [] }).eft;

describe('judge working (derived from text only)', () => {
  it('writes one line per candidate with the recomputed equation and the checks', () => {
    const w = judgeWorking({
      question: CHAIN_Q,
      previousSteps: ['Step 1: Ann has 12 + 5 = 17 apples.'],
      candidateA: 'Step 2: Ben has 17 × 3 = 51 apples.',
      candidateB: 'Step 2: Ben has 17 × 3 = 52 apples.',
    });
    expect(w.lines).toEqual(['A: 17 × 3 = 51 ok, inputs known, needed.', 'B: 17 × 3 = 51 not 52.']);
    expect(w.good).toEqual([true, false]);
    expect(w.verdict).toBe('A');
  });

  it('covers the other failure lines', () => {
    const line = (prev: string[], cand: string) =>
      judgeWorking({ question: CHAIN_Q, previousSteps: prev, candidateA: cand, candidateB: cand }).lines[0];
    expect(line([], 'Step 1: 13 + 5 = 18')).toBe('A: 13 + 5 = 18 ok, 13 unknown.');
    expect(line([], 'Step 1: 12 × 5 = 60')).toBe('A: 12 × 5 = 60 ok, inputs known, not needed.');
    expect(line(['Step 1: 12 + 5 = 17'], 'Step 2: 12 + 5 = 17')).toBe('A: 12 + 5 = 17 ok, inputs known, repeat.');
    expect(line([], 'Step 1: 12 + 5 = 17. The answer is 17.')).toBe('A: 12 + 5 = 17 ok, inputs known, needed, answer 17 early.');
    expect(line([], 'Step 1: Ann has more apples.')).toBe('A: no equation.');
    expect(line([], 'Step 1: 12 ÷ 5 = 2')).toBe('A: 12 ÷ 5 not whole.');
    expect(line([], 'Step 1: Dan has 12 + 5 = 17 apples.')).toBe('A: 12 + 5 = 17 ok, inputs known, needed, Ann not Dan.');
    expect(workingLineGood('A: 12 + 5 = 17 ok, inputs known, needed, Ann not Dan.')).toBe(false);
    expect(line(['Step 1: 12 + 5 = 17', 'Step 2: 17 × 3 = 51'], 'Step 3: 51 + 7 = 58. The answer is 58.')).toBe(
      'A: 51 + 7 = 58 ok, inputs known, needed, answer 58 ok.',
    );
    expect(workingLineGood('A: 51 + 7 = 58 ok, inputs known, needed, answer 58 ok.')).toBe(true);
    expect(workingLineGood('B: 51 + 7 = 58 ok, inputs known, needed, answer 59 wrong.')).toBe(false);
  });

  it('implies the labelled verdict on every EFT pair', () => {
    for (const ex of eft) expect(judgeWorking(ex).verdict).toBe(ex.verdict);
  });

  it("'ground' lines copy how the question relates the step's numbers, or (no), in the world's words", () => {
    const line = (prev: string[], cand: string) =>
      judgeWorking({ question: CHAIN_Q, previousSteps: prev, candidateA: cand, candidateB: cand }, undefined, true).lines[0];
    // Needed: the question's own relation (Ann = Tom + 5), in either order of the step.
    expect(line([], 'Step 1: Ann has 12 + 5 = 17 apples.')).toBe('A: 12 + 5 = 17 ok, inputs known, (12 + 5), needed.');
    expect(line([], 'Step 1: Ann has 5 + 12 = 17 apples.')).toBe('A: 5 + 12 = 17 ok, inputs known, (12 + 5), needed.');
    // The right numbers with the wrong operation: the question says +.
    expect(line([], 'Step 1: Ann has 12 - 5 = 7 apples.')).toBe('A: 12 - 5 = 7 ok, inputs known, (12 + 5), not needed.');
    // Numbers the question does not relate, and a repeat (related, already computed).
    expect(line([], 'Step 1: 12 × 5 = 60')).toBe('A: 12 × 5 = 60 ok, inputs known, (12 + 5), not needed.');
    expect(line([], 'Step 1: 7 + 9 = 16')).toBe('A: 7 + 9 = 16 ok, inputs known, (no), not needed.');
    expect(line(['Step 1: 12 + 5 = 17'], 'Step 2: 12 + 5 = 17')).toBe('A: 12 + 5 = 17 ok, inputs known, (12 + 5), repeat.');
    // Lines before the relation are unchanged.
    expect(line([], 'Step 1: 12 ÷ 5 = 2')).toBe('A: 12 ÷ 5 not whole.');
    expect(line([], 'Step 1: 13 + 5 = 18')).toBe('A: 13 + 5 = 18 ok, 13 unknown.');
    expect(workingLineGood('A: 12 + 5 = 17 ok, inputs known, (12 + 5), needed.')).toBe(true);
    expect(workingLineGood('A: 12 - 5 = 7 ok, inputs known, (12 + 5), not needed.')).toBe(false);
    // Every ground line of the EFT pairs implies the same verdict and encodes with the world's vocabulary.
    const tok = createTokenizer(world);
    for (const ex of eft) {
      const w = judgeWorking(ex, undefined, true);
      expect(w.verdict).toBe(ex.verdict);
      for (const l of w.lines) expect(() => tok.encode(l, { strict: true })).not.toThrow();
    }
  });
});

describe('formatJudgePrompt', () => {
  it('lays out question, previous steps, A, B, working and verdict with exact spans', () => {
    for (const ex of eft.slice(0, 40)) {
      const j = formatJudgePrompt(ex, { working: 'check' });
      expect(j.text.startsWith(j.prompt)).toBe(true);
      expect(j.prompt.endsWith('<work>')).toBe(true);
      expect(j.text.slice(j.verdictSpan![0], j.verdictSpan![1])).toBe(ex.verdict);
      expect(j.workingSpans.map(([a, b]) => j.text.slice(a, b))).toEqual(j.working);
      expect(j.text.endsWith(`<verdict> ${ex.verdict} <eos>`)).toBe(true);
      for (const part of [ex.question, ex.candidateA, ex.candidateB, ...ex.previousSteps]) expect(j.prompt).toContain(part);
      expect(j.prompt.indexOf('<A>')).toBeLessThan(j.prompt.indexOf('<B>'));

      const none = formatJudgePrompt(ex, { working: 'none' });
      expect(none.prompt.endsWith('<verdict>')).toBe(true);
      expect(none.workingSpans).toEqual([]);
      expect(none.text).toBe(`${none.prompt} ${ex.verdict} <eos>`);
    }
  });

  it('gives the prompt alone (no verdict span) at inference time', () => {
    const { verdict: _v, ...ex } = eft[0];
    const j = formatJudgePrompt(ex, { working: 'check' });
    expect(j.verdictSpan).toBeNull();
    const n = formatJudgePrompt(ex, { working: 'none' });
    expect(n.text).toBe(n.prompt);
  });

  it('round-trips through parseJudgeOutput (working + verdict, and verdict only)', () => {
    for (const ex of eft.slice(0, 40)) {
      const j = formatJudgePrompt(ex, { working: 'check' });
      const parsed = parseJudgeOutput(j.text.slice(j.promptEnd));
      expect(parsed).toMatchObject({ verdict: ex.verdict, workingVerdict: ex.verdict, consistent: true });
      expect([parsed.working.A, parsed.working.B]).toEqual(j.working);
      const n = formatJudgePrompt(ex, { working: 'none' });
      expect(parseJudgeOutput(n.text.slice(n.promptEnd)).verdict).toBe(ex.verdict);
    }
    expect(parseJudgeOutput(' [[B]]').verdict).toBe('B');
    expect(parseJudgeOutput(' A: 1 + 2 = 3 ok, inputs known, needed. B: 1 + 2 = 3 not 4. <verdict> B').consistent).toBe(false);
    expect(parseJudgeOutput(' garbage').verdict).toBeNull();
  });
});

describe('solver, pretraining and score formats', () => {
  it('IFT text: prompt then steps, each ending with <step>, the last with <eos>', () => {
    fc.assert(
      fc.property(seedArb, levelArb, (seed, d) => {
        const p = generateProblem(world, createRng(seed), d);
        const f = formatIftExample(p.question, p.steps);
        expect(f.prompt).toBe(formatStepPrompt(p.question, []));
        expect(f.text.startsWith(f.prompt)).toBe(true);
        const targets = f.targetSpans.map(([a, b]) => f.text.slice(a, b));
        expect(targets).toEqual(p.steps.map((s, i) => `${s} ${i === p.steps.length - 1 ? '<eos>' : '<step>'}`));
        // a step prompt after k steps is a prefix of the IFT text, and the model's continuation parses back
        const k = p.steps.length - 1;
        const sp = formatStepPrompt(p.question, p.steps.slice(0, k));
        expect(f.text.startsWith(sp)).toBe(true);
        expect(parseStepContinuation(f.text.slice(sp.length))).toEqual({ step: p.steps[k], final: true, complete: true });
      }),
      { numRuns: 100 },
    );
    expect(parseStepContinuation(' Step 2: 1 + 2 = 3. <step> Step 3')).toEqual({ step: 'Step 2: 1 + 2 = 3.', final: false, complete: true });
    expect(parseStepContinuation(' Step 2: 1 + 2')).toMatchObject({ complete: false });
  });

  it('plain solution text has no Step markers but the same sentences', () => {
    const p = generateProblem(world, createRng(4), 5);
    const plain = formatPlainSolution(p);
    expect(plain).not.toMatch(/Step \d/);
    expect(plain.endsWith(`The answer is ${p.answer}.`)).toBe(true);
    expect(formatPretrainText(p)).toBe(`<bos> ${p.question} ${plain} <eos>`);
  });

  it('whole-solution score prompt ends at the score marker; the example targets the oracle points', () => {
    const p = generateProblem(world, createRng(8), 3);
    const prompt = formatSolutionScorePrompt(p.question, p.steps);
    expect(prompt.endsWith('<score>')).toBe(true);
    const pts = scoreSolution(p.question, p.steps).points;
    const ex = formatSolutionScoreExample(p.question, p.steps, pts);
    expect(ex.text.slice(ex.targetSpans[0][0], ex.targetSpans[0][1])).toBe(`${pts} <eos>`);
    expect(parseSolutionScore(ex.text.slice(ex.promptEnd))).toBe(pts);
    const broken = [p.steps[0].replace(/= (\d+)/, (_m, c: string) => `= ${Number(c) + 1}`)];
    expect(scoreSolution(p.question, broken).points).toBeLessThan(pts);
  });
});
