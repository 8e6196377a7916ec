// The model-output parser on messy text: step splitting, equations, answers, numbers.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractAnswer, findEquations, normalizeNumber, parseSolution, splitSteps } from '../../../src/lib/math/parse-output.ts';
import { generateProblem } from '../../../src/lib/math/generator.ts';
import { createRng } from '../../../src/lib/math/rng.ts';
import { formatPlainSolution } from '../../../src/lib/math/formats.ts';
import { levelArb, seedArb, world } from './helpers.ts';

describe('normalizeNumber', () => {
  it('reads numbers as people and models write them', () => {
    expect(normalizeNumber('1,234')).toBe(1234);
    expect(normalizeNumber('$1,234.00')).toBe(1234);
    expect(normalizeNumber('\u22125')).toBe(-5);
    expect(normalizeNumber(' 17. ')).toBe(17);
    expect(normalizeNumber('12,345,678')).toBe(12345678);
    expect(normalizeNumber('50%')).toBe(50);
    expect(normalizeNumber('seven')).toBeNull();
    expect(normalizeNumber('\\frac{1}{2}')).toBeNull();
  });
});

describe('extractAnswer', () => {
  it('finds The answer is N, \\boxed{N} and #### N, taking the last one', () => {
    expect(extractAnswer('Step 2: 3 + 4 = 7. The answer is 7.')).toBe(7);
    expect(extractAnswer('so the final answer is $1,200.')).toBe(1200);
    expect(extractAnswer('Thus \\boxed{42}.')).toBe(42);
    expect(extractAnswer('\\boxed{\\$ 1,005}')).toBe(1005);
    expect(extractAnswer('\\boxed{1{,}005 \\text{ apples}}')).toBe(1005);
    expect(extractAnswer('blah\n#### 18')).toBe(18);
    expect(extractAnswer('The answer is 3. Wait, no. The answer is \u22124.')).toBe(-4);
    expect(extractAnswer('no answer here, 12 + 5 = 17')).toBeNull();
  });
});

describe('findEquations', () => {
  it('reads every operator spelling and spacing', () => {
    const ops = ['12 + 5 = 17', '12+5=17', '12 \u2212 5 = 7', '12 – 5 = 7', '4 × 3 = 12', '4 x 3 = 12', '4*3=12', '4 · 3 = 12', '12 ÷ 4 = 3', '12/4 = 3'];
    expect(ops.map((s) => findEquations(`So ${s} apples.`).equations[0].op)).toEqual(['+', '+', '-', '-', '×', '×', '×', '×', '÷', '÷']);
    expect(findEquations('He has $1,200 + $300 = $1,500.').equations[0]).toMatchObject({ a: 1200, b: 300, c: 1500 });
  });

  it('counts separate equations and flags chains', () => {
    expect(findEquations('1 + 2 = 3 and 3 × 4 = 12').equations).toHaveLength(2);
    expect(findEquations('1 + 2 = 3 + 4 = 7').chained).toBe(true);
    expect(findEquations('Step 3: Tom has 12 apples.').equations).toHaveLength(0);
  });
});

describe('splitSteps', () => {
  it('splits well-formed steps', () => {
    expect(splitSteps('Step 1: a 1 + 2 = 3.\nStep 2: b 3 + 3 = 6. The answer is 6.')).toEqual([
      'Step 1: a 1 + 2 = 3.',
      'Step 2: b 3 + 3 = 6. The answer is 6.',
    ]);
  });

  it('tolerates a doubled Step marker, extra spaces and odd casing', () => {
    expect(splitSteps('Step 1: Step 1:   Tom has   12+5=17 apples.\n\n  step 2 :17 x 3 = 51')).toEqual([
      'Step 1: Tom has 12 + 5 = 17 apples.',
      'Step 2: 17 × 3 = 51',
    ]);
  });

  it('renumbers steps and splits a segment whose lines each hold an equation (missing Step n:)', () => {
    expect(splitSteps('Step 1: 1 + 2 = 3\n3 + 4 = 7\nStep 3: 7 × 2 = 14\nThe answer is 14.')).toEqual([
      'Step 1: 1 + 2 = 3',
      'Step 2: 3 + 4 = 7',
      'Step 3: 7 × 2 = 14 The answer is 14.',
    ]);
  });

  it('splits text without any markers by line, or by sentence on one line', () => {
    expect(splitSteps('Ann has 1 + 2 = 3.\nBen has 3 × 3 = 9.\nThe answer is 9.')).toEqual([
      'Step 1: Ann has 1 + 2 = 3.',
      'Step 2: Ben has 3 × 3 = 9. The answer is 9.',
    ]);
    expect(splitSteps('Ann has 1 + 2 = 3 apples. Ben has 3 × 3 = 9 apples. The answer is 9.')).toEqual([
      'Step 1: Ann has 1 + 2 = 3 apples.',
      'Step 2: Ben has 3 × 3 = 9 apples. The answer is 9.',
    ]);
  });

  it('keeps two equations on one line in one step (the checker calls it malformed)', () => {
    expect(splitSteps('Step 1: 1 + 2 = 3 and 3 + 4 = 7')).toEqual(['Step 1: 1 + 2 = 3 and 3 + 4 = 7']);
  });

  it('normalises unicode minus, thousands separators and dollars', () => {
    expect(parseSolution('Step 1: $1,500 \u2212 $200 = $1,300.\r\nThe answer is $1,300.')).toEqual({
      steps: ['Step 1: 1500 - 200 = 1300. The answer is 1300.'],
      answer: 1300,
    });
  });

  it('recovers generated solutions from their canonical, newline and plain forms', () => {
    fc.assert(
      fc.property(seedArb, levelArb, (seed, d) => {
        const p = generateProblem(world, createRng(seed), d);
        expect(splitSteps(p.steps.join(' '))).toEqual(p.steps);
        expect(splitSteps(p.steps.join('\n'))).toEqual(p.steps);
        expect(splitSteps(formatPlainSolution(p))).toEqual(p.steps);
        expect(parseSolution(p.steps.join('\n')).answer).toBe(p.answer);
      }),
      { numRuns: 150 },
    );
  });
});
