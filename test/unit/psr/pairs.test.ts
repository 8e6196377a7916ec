// Preference pairs export as JSONL rows in Step-DPO's shape plus our fields, and parse back
// exactly; malformed rows get PairFormatError naming the line.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { initialReasonSteps, pairToRow, pairsToJsonl, parsePairsJsonl, type PreferencePair } from '../../../src/lib/psr/pairs.ts';
import { PairFormatError } from '../../../src/lib/errors.ts';
import type { StepPair } from '../../../src/lib/train/step-dpo.ts';

const pair: PreferencePair = {
  problemId: 'w-17',
  question: 'Tom has 12 apples. Ann has 5 more apples than Tom. How many apples does Ann have?',
  previousSteps: ['Step 1: Tom has 12 apples.'],
  chosen: 'Step 2: Ann has 12 + 5 = 17 apples. The answer is 17.',
  rejected: 'Step 2: Ann has 12 + 5 = 18 apples.',
  chosenFinal: true,
  rejectedFinal: false,
  chosenScore: 2,
  rejectedScore: 0.5,
  scores: [
    { text: 'Step 2: Ann has 12 + 5 = 17 apples. The answer is 17.', score: 2, count: 4 },
    { text: 'Step 2: Ann has 12 + 5 = 18 apples.', score: 0.5, count: 1 },
    { text: '', score: 0.5, count: 1 },
  ],
  stepIndex: 2,
  iteration: 1,
};

const pairArb: fc.Arbitrary<PreferencePair> = fc
  .record({
    problemId: fc.string({ minLength: 1 }),
    question: fc.string(),
    previousSteps: fc.array(fc.string(), { maxLength: 5 }),
    chosen: fc.string(),
    rejected: fc.string(),
    chosenFinal: fc.boolean(),
    rejectedFinal: fc.boolean(),
    chosenScore: fc.integer({ min: 0, max: 10 }).map((x) => x / 2),
    rejectedScore: fc.integer({ min: 0, max: 10 }).map((x) => x / 2),
    scores: fc.array(fc.record({ text: fc.string(), score: fc.integer({ min: 0, max: 10 }).map((x) => x / 2), count: fc.integer({ min: 1, max: 6 }) }), { maxLength: 6 }),
    iteration: fc.nat(5),
  })
  .filter((p) => p.chosen !== p.rejected)
  .map((p) => ({ ...p, stepIndex: p.previousSteps.length + 1 }));

describe('Step-DPO JSONL export', () => {
  it('writes Step-DPO fields (question as prompt, previous steps one per line) plus ours', () => {
    const row = pairToRow(pair);
    expect(row).toMatchObject({
      prompt: pair.question,
      initial_reason_steps: 'Step 1: Tom has 12 apples.\n',
      chosen: pair.chosen,
      rejected: pair.rejected,
      problem_id: 'w-17',
      step_index: 2,
      iteration: 1,
      chosen_score: 2,
      rejected_score: 0.5,
    });
    expect(initialReasonSteps([])).toBe('');
    const text = pairsToJsonl([pair, pair]);
    expect(text.split('\n')).toHaveLength(3); // two rows, each ending with a newline
    expect(JSON.parse(text.split('\n')[0])).toEqual(row);
  });

  it('a parsed pair feeds step-DPO training as it is (StepPair is a subset of PreferencePair)', () => {
    const [back] = parsePairsJsonl(pairsToJsonl([pair]));
    const training: StepPair = back;
    expect([training.chosen, training.chosenFinal, training.rejectedFinal, training.previousSteps]).toEqual([pair.chosen, true, false, pair.previousSteps]);
  });

  it('round-trips any pairs (property)', () => {
    fc.assert(
      fc.property(fc.array(pairArb, { maxLength: 4 }), (pairs) => {
        expect(parsePairsJsonl(pairsToJsonl(pairs))).toEqual(pairs);
      }),
      { numRuns: 200 },
    );
  });

  it('skips blank lines and accepts CRLF', () => {
    const text = `\n${pairsToJsonl([pair]).replace('\n', '\r\n')}\n\n`;
    expect(parsePairsJsonl(text)).toEqual([pair]);
  });
});

describe('parsing malformed JSONL', () => {
  const good = JSON.stringify(pairToRow(pair));
  const withRow = (edit: (r: Record<string, unknown>) => void) => {
    const r = JSON.parse(good) as Record<string, unknown>;
    edit(r);
    return `${good}\n${JSON.stringify(r)}\n`;
  };
  const cases: [string, string, RegExp][] = [
    ['not JSON', `${good}\n{oops\n`, /line 2: not valid JSON/],
    ['an array', `${good}\n[1]\n`, /line 2: expected a JSON object/],
    ['no chosen', withRow((r) => delete r.chosen), /line 2: field "chosen" must be a string/],
    ['same chosen and rejected', withRow((r) => (r.rejected = r.chosen)), /line 2: "chosen" and "rejected" are the same text/],
    ['prefix text disagreeing', withRow((r) => (r.initial_reason_steps = 'Step 1: other\n')), /line 2: "initial_reason_steps" disagrees with "previous_steps"/],
    ['wrong step index', withRow((r) => (r.step_index = 5)), /line 2: "step_index" must be previous_steps.length \+ 1 = 2/],
    ['score not a number', withRow((r) => (r.chosen_score = '2')), /line 2: field "chosen_score" must be a finite number/],
    ['bad scores entry', withRow((r) => ((r.scores as unknown[])[1] = { text: 'x', score: 1, count: 0 })), /line 2: scores\[1\] must be/],
    ['final not boolean', withRow((r) => (r.chosen_final = 1)), /line 2: field "chosen_final" must be true or false/],
  ];
  for (const [name, text, msg] of cases) {
    it(`${name} → PairFormatError with the line number`, () => {
      expect(() => parsePairsJsonl(text)).toThrow(PairFormatError);
      expect(() => parsePairsJsonl(text)).toThrow(msg);
      expect(() => parsePairsJsonl(text)).toThrow(/fix that row or re-export the pairs|each line must be one JSON object/);
    });
  }
});
