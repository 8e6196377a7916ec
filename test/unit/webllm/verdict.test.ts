// A pairwise judge's reply: the verdict comes only from the [[A]] / [[B]] markers (never from prose),
// the final marker is cut from the explanation, and verdictToPA maps verdicts to P(A).
import { describe, expect, it } from 'vitest';
import { parseVerdict, verdictToPA } from '../../../src/lib/webllm/verdict.ts';

const REASONING_FOR_A =
  'Both candidates continue from "Janet has 16 eggs and eats 3." Step A computes the eggs left after baking ' +
  'as 16 - 3 - 4 = 9, which uses every quantity in the problem exactly once. Step B writes 16 - 3 = 13 and ' +
  'then multiplies 13 by $2, forgetting the 4 eggs used for muffins, so its revenue of $26 is wrong.';

describe('parseVerdict', () => {
  it('reads a verdict at the end of several sentences of reasoning', () => {
    const reply = `${REASONING_FOR_A}\n\nTherefore Step A is the better next step.\n\n[[A]]`;
    const v = parseVerdict(reply);
    expect(v.verdict).toBe('A');
    expect(v.explanation).toBe(`${REASONING_FOR_A}\n\nTherefore Step A is the better next step.`);
  });

  it('tolerates spaces, lower case and markdown around the marker', () => {
    expect(parseVerdict('Step B checks its arithmetic: 12 × 7 = 84. Verdict: [[ b ]]').verdict).toBe('B');
    const bold = parseVerdict(
      '### Evaluation\n- **Step A**: divides 84 by 7 to get 12, correct.\n- **Step B**: divides by 6, giving 14, wrong.\n\n' +
        '**Final verdict:** **[[A]]**.',
    );
    expect(bold.verdict).toBe('A');
    expect(bold.explanation.endsWith('**Final verdict:**')).toBe(true);
    expect(bold.explanation).not.toContain('[[');
  });

  it('accepts a math model that boxes its marker', () => {
    const v = parseVerdict('Step B keeps the denominator 12, so it is right.\n\n$\\boxed{[[B]]}$');
    expect(v.verdict).toBe('B');
    expect(v.explanation).toBe('Step B keeps the denominator 12, so it is right.');
  });

  it('lets a final marker decide when the instruction was repeated mid-text', () => {
    const reply =
      'I need to compare the two steps and answer with [[A]] or [[B]].\n\n' +
      'Step A claims the area is 6 × 4 = 24 square units, which matches the rectangle. Step B adds the sides ' +
      'instead, 6 + 4 = 10, confusing area with half the perimeter.\n\nSo the answer is [[A]]';
    const v = parseVerdict(reply);
    expect(v.verdict).toBe('A');
    expect(v.explanation.startsWith('I need to compare the two steps and answer with [[A]] or [[B]].')).toBe(true);
    expect(v.explanation.endsWith('So the answer is')).toBe(true);

    const forB = reply.replace(/So the answer is \[\[A\]\]$/, 'On reflection Step B is right after all. [[B]]');
    expect(parseVerdict(forB).verdict).toBe('B');
  });

  it("is 'both' when both letters occur and the last marker does not end the reply", () => {
    const reply =
      'Answer with [[A]] or [[B]]. My verdict is [[B]] because Step B factors x^2 - 5x + 6 as (x - 2)(x - 3), ' +
      'while Step A gets the signs wrong.';
    const v = parseVerdict(reply);
    expect(v.verdict).toBe('both');
    expect(v.explanation).toContain('My verdict is because Step B factors'); // the last marker is removed
  });

  it("is 'both' when the reply only echoes the instruction at its end", () => {
    const v = parseVerdict('Both steps compute 3 × 5 = 15 correctly. Final verdict: [[A]] or [[B]]');
    expect(v.verdict).toBe('both');
    expect(verdictToPA(v)).toBeNull();
  });

  it('keeps one letter even when it is repeated or followed by more text', () => {
    const v = parseVerdict('[[A]] Step A is correct: 45 minutes is 0.75 hours, so the speed is 60 km/h. I choose [[A]] again.');
    expect(v.verdict).toBe('A');
    expect(v.explanation).toBe('[[A]] Step A is correct: 45 minutes is 0.75 hours, so the speed is 60 km/h. I choose again.');
    const early = parseVerdict('[[B]]\nStep B rounds 2.5 to 3 only at the end, as the problem asks.');
    expect(early.verdict).toBe('B');
    expect(early.explanation).toBe('Step B rounds 2.5 to 3 only at the end, as the problem asks.');
  });

  it("is 'none' for a reply cut off by max_tokens, and never guesses from prose", () => {
    const cut =
      'Let me check Step A first. The train covers 120 km in 1.5 hours, so its speed is 120 / 1.5 = 80 km/h. ' +
      'Step A is better than Step B because Step B divides 120 by 2 instead of 1.5, which gives 60 km/h. ' +
      'Now checking whether Step A also converts the 90 minutes into';
    const v = parseVerdict(cut);
    expect(v.verdict).toBe('none');
    expect(v.explanation).toBe(cut);
    expect(parseVerdict('Step B is clearly better. The answer is B.').verdict).toBe('none');
    expect(parseVerdict('[A] is right').verdict).toBe('none'); // single brackets are no marker
    expect(parseVerdict('[[C]]').verdict).toBe('none');
  });
});

describe('verdictToPA', () => {
  it('maps A → 1, B → 0, none / both → null, from a label or a parsed verdict', () => {
    expect(verdictToPA('A')).toBe(1);
    expect(verdictToPA('B')).toBe(0);
    expect(verdictToPA('none')).toBeNull();
    expect(verdictToPA('both')).toBeNull();
    expect(verdictToPA(parseVerdict(`${REASONING_FOR_A} [[A]]`))).toBe(1);
    expect(verdictToPA(parseVerdict('Step B keeps the units consistent. [[B]]'))).toBe(0);
  });
});
