// The ground-truth step checker: every checker kind on hand-written steps, any valid order
// accepted, reference and random-order solutions pass, built wrong steps get the right kind.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CheckInputError, QuestionParseError } from '../../../src/lib/errors.ts';
import { checkStep, scoreSolution, stateAfter, judgeStep, validateCheckInput } from '../../../src/lib/math/checker.ts';
import { generateProblem } from '../../../src/lib/math/generator.ts';
import { MISTAKE_KINDS, validStep, wrongStep } from '../../../src/lib/math/mistakes.ts';
import { createRng } from '../../../src/lib/math/rng.ts';
import { randomOrder, writeSolution } from '../../../src/lib/math/steps.ts';
import { BRANCH_Q, CHAIN_Q, levelArb, seedArb, world } from './helpers.ts';

const ANN = 'Step 1: Ann has 12 + 5 = 17 apples.';
const BEN = 'Step 2: Ben has 17 × 3 = 51 apples.';

const kindOf = (steps: string[], candidate: string, q = CHAIN_Q) => checkStep(q, steps, candidate).kind;

describe('checkStep kinds (hand-written steps)', () => {
  it('correct: a needed quantity from known values, either operand order for + and ×', () => {
    const v = checkStep(CHAIN_Q, [], ANN);
    expect(v).toMatchObject({ valid: true, kind: 'correct' });
    expect(v.detail).toContain('12 + 5 = 17');
    expect(kindOf([], 'Step 1: 5 + 12 = 17, so Ann has 17.')).toBe('correct');
    expect(kindOf([ANN], 'Step 2: Ben has 3 × 17 = 51 apples.')).toBe('correct');
  });

  it('correct_final_answer: computes the answer and declares it (any convention)', () => {
    expect(kindOf([ANN, BEN], 'Step 3: Together they have 51 + 7 = 58 apples. The answer is 58.')).toBe('correct_final_answer');
    expect(kindOf([ANN, BEN], 'Step 3: 7 + 51 = 58, so \\boxed{58}')).toBe('correct_final_answer');
    expect(kindOf([ANN, BEN, 'Step 3: 51 + 7 = 58 apples.'], 'Step 4: The answer is 58.')).toBe('correct_final_answer');
    expect(checkStep(CHAIN_Q, [ANN, BEN], 'Step 3: 51 + 7 = 58. #### 58').valid).toBe(true);
  });

  it('arithmetic_error: a op b differs from c, or a division that is not whole', () => {
    const v = checkStep(CHAIN_Q, [], 'Step 1: Ann has 12 + 5 = 18 apples.');
    expect(v).toMatchObject({ valid: false, kind: 'arithmetic_error' });
    expect(v.detail).toBe('12 + 5 = 17, not 18');
    expect(kindOf([], 'Step 1: 12 ÷ 5 = 2.')).toBe('arithmetic_error');
  });

  it('unknown_quantity: an operand from nowhere, or a result not computed yet', () => {
    expect(kindOf([], 'Step 1: Ann has 13 + 5 = 18 apples.')).toBe('unknown_quantity');
    expect(kindOf([], 'Step 1: Ben has 17 × 3 = 51 apples.')).toBe('unknown_quantity');
    expect(checkStep(CHAIN_Q, [], 'Step 1: 13 + 5 = 18').unknownValue).toBe(13);
  });

  it('wrong_operation: the right numbers with the wrong operation or order', () => {
    expect(kindOf([], 'Step 1: Ann has 12 × 5 = 60 apples.')).toBe('wrong_operation');
    expect(kindOf([], 'Step 1: Ann has 12 - 5 = 7 apples.')).toBe('wrong_operation');
    expect(kindOf([ANN], 'Step 2: Ben has 17 + 3 = 20 apples.')).toBe('wrong_operation');
  });

  it('wrong_person: a needed quantity attributed to someone else; naming no one is fine', () => {
    const v = checkStep(CHAIN_Q, [], 'Step 1: Ben has 12 + 5 = 17 apples.');
    expect(v).toMatchObject({ valid: false, kind: 'wrong_person', named: ['Ben'], holders: ['Ann'] });
    expect(v.detail).toContain('attributes it to Ben');
    expect(kindOf([], 'Step 1: Vic has 12 + 5 = 17 apples.')).toBe('wrong_person'); // not in the question at all
    expect(kindOf([], 'Step 1: 12 + 5 = 17 apples.')).toBe('correct');
    expect(kindOf([ANN, BEN], 'Step 3: Together Ben and Ben have 51 + 7 = 58 apples. The answer is 58.')).toBe('wrong_person');
    expect(kindOf([ANN, BEN], 'Step 3: Together Ben and Tom have 51 + 7 = 58 apples. The answer is 58.')).toBe('wrong_person');
    expect(kindOf([ANN, BEN], 'Step 3: Cara and Ben have 7 + 51 = 58 apples together. The answer is 58.')).toBe('correct_final_answer');
  });

  it('names pick among quantities that share an equation', () => {
    const q = 'Tom has 12 apples. Ann has 5 more apples than Tom. Ben has 5 more apples than Tom. How many apples do Ann and Ben have together?';
    const ben = checkStep(q, [], 'Step 1: Ben has 12 + 5 = 17 apples.');
    const ann = checkStep(q, [], 'Step 1: Ann has 12 + 5 = 17 apples.');
    expect(ben.valid && ann.valid).toBe(true);
    expect(ben.node).not.toBe(ann.node);
    expect(checkStep(q, ['Step 1: Ben has 12 + 5 = 17 apples.'], 'Step 2: Ann has 12 + 5 = 17 apples.').kind).toBe('correct');
  });

  it('no_progress: a repeat, a distractor, or a quantity the answer does not need', () => {
    const rep = checkStep(CHAIN_Q, [ANN], 'Step 2: Ann has 12 + 5 = 17 apples.');
    expect(rep).toMatchObject({ kind: 'no_progress', repeat: true });
    expect(kindOf([], 'Step 1: Tom and Cara have 12 + 7 = 19 apples.')).toBe('no_progress');
    expect(kindOf([], 'Step 1: Dan and Tom have 9 + 12 = 21 apples.')).toBe('no_progress');
    expect(kindOf([ANN, BEN, 'Step 3: 51 + 7 = 58. The answer is 58.'], 'Step 4: 12 + 5 = 17')).toBe('no_progress');
  });

  it('premature_answer: declares an answer before the final quantity is computed', () => {
    expect(kindOf([], 'Step 1: Ann has 12 + 5 = 17 apples. The answer is 17.')).toBe('premature_answer');
    expect(kindOf([ANN], 'Step 2: The answer is 58.')).toBe('premature_answer');
  });

  it('wrong_final_answer: the final quantity computed but another answer declared', () => {
    expect(kindOf([ANN, BEN], 'Step 3: They have 51 + 7 = 58 apples. The answer is 59.')).toBe('wrong_final_answer');
    expect(kindOf([ANN, BEN, 'Step 3: 51 + 7 = 58 apples.'], 'Step 4: The answer is 57.')).toBe('wrong_final_answer');
  });

  it('malformed: no equation, two equations, a chained equation, a non-numeric answer', () => {
    expect(kindOf([], 'Step 1: Ann has more apples than Tom.')).toBe('malformed');
    expect(kindOf([], 'Step 1: 12 + 5 = 17 and 17 × 3 = 51.')).toBe('malformed');
    expect(kindOf([], 'Step 1: 12 + 5 = 17 × 3 = 51.')).toBe('malformed');
    expect(kindOf([ANN, BEN], 'Step 3: 51 + 7 = 58. The answer is \\boxed{x}.')).toBe('malformed');
  });

  it('accepts every valid order of independent quantities', () => {
    const a = 'Step 1: Ann has 12 + 5 = 17 apples.';
    const c = 'Step 1: Cara has 20 - 4 = 16 apples.';
    const fin = 'Step 3: Together they have 17 + 16 = 33 apples. The answer is 33.';
    expect(scoreSolution(BRANCH_Q, [a, c.replace('Step 1', 'Step 2'), fin]).perfect).toBe(true);
    expect(scoreSolution(BRANCH_Q, [c, a.replace('Step 1', 'Step 2'), fin.replace('17 + 16', '16 + 17')]).perfect).toBe(true);
    // reversed operands of a subtraction are not the same quantity
    expect(kindOf([], 'Step 1: Cara has 4 - 20 = -16 apples.', BRANCH_Q)).toBe('wrong_operation');
  });

  it('tolerates messy model formatting', () => {
    expect(kindOf([], 'step 1 :  Ann has 12+5=17 apples')).toBe('correct');
    expect(kindOf([ANN], 'Ben has 17 x 3 = 51')).toBe('correct');
    expect(kindOf([ANN, BEN], 'Step 3: $51 + $7 = $58. The answer is $58.')).toBe('correct_final_answer');
  });
});

describe('checker on generated problems (oracle properties)', () => {
  it('every reference solution passes step by step and reaches the answer', () => {
    fc.assert(
      fc.property(seedArb, levelArb, (seed, d) => {
        const p = generateProblem(world, createRng(seed), d);
        const s = scoreSolution(p.question, p.steps);
        expect(s.verdicts.map((v) => v.valid)).toEqual(p.steps.map(() => true));
        expect(s.verdicts[s.verdicts.length - 1].kind).toBe('correct_final_answer');
        expect(s.perfect && s.finalCorrect && s.answer === p.answer && s.points === 5).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('every random valid order (and operand swap) passes too', () => {
    fc.assert(
      fc.property(seedArb, levelArb, (seed, d) => {
        const rng = createRng(seed);
        const p = generateProblem(world, rng, d);
        const steps = writeSolution(world.templates, p.graph, randomOrder(p.graph, rng), rng);
        expect(scoreSolution(p.question, steps).perfect).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('built wrong steps of each kind are rejected with that kind; built valid steps are accepted', () => {
    const seen = new Map<string, number>();
    fc.assert(
      fc.property(seedArb, levelArb, fc.nat(), (seed, d, cut) => {
        const rng = createRng(seed);
        const p = generateProblem(world, rng, d);
        const order = randomOrder(p.graph, rng);
        const l = cut % order.length;
        const prev = writeSolution(world.templates, p.graph, order, rng).slice(0, l).map((s) => s.replace(/ The answer is \d+\.$/, ''));
        const state = stateAfter(p.question, prev);
        const good = validStep(world.templates, state, rng, l + 1)!;
        expect(judgeStep(state, good).valid).toBe(true);
        for (const kind of MISTAKE_KINDS) {
          const w = wrongStep(world.templates, state, rng, l + 1, kind);
          if (w === null) continue;
          seen.set(kind, (seen.get(kind) ?? 0) + 1);
          const v = judgeStep(state, w);
          expect({ kind: v.kind, valid: v.valid, step: w }).toEqual({ kind, valid: false, step: w });
        }
      }),
      { numRuns: 300 },
    );
    for (const kind of MISTAKE_KINDS) expect(seen.get(kind) ?? 0).toBeGreaterThan(20);
  });
});

describe('checker input errors', () => {
  it('names missing or mistyped fields', () => {
    expect(() => validateCheckInput(null)).toThrow(CheckInputError);
    expect(() => validateCheckInput([])).toThrow(/JSON object/);
    expect(() => validateCheckInput({ steps: [], candidate: 'x' })).toThrow(/"question" must be a non-empty string/);
    expect(() => validateCheckInput({ question: 'q', steps: 'Step 1', candidate: 'x' })).toThrow(/"steps" must be an array of strings/);
    expect(() => validateCheckInput({ question: 'q', steps: [] })).toThrow(/"candidate" must be a string/);
    expect(() => validateCheckInput({ question: 'q', steps: new Array(65).fill('s'), candidate: 'x' })).toThrow(/at most 64/);
  });

  it('refuses questions that are not made of the world templates', () => {
    expect(() => checkStep('What is the meaning of life?', [], 'Step 1: 6 × 7 = 42')).toThrow(QuestionParseError);
    expect(() => checkStep('Tom has 12 apples. Ann has 5 more apples than Zed. How many apples does Ann have?', [], 'x')).toThrow(
      QuestionParseError,
    );
  });
});
