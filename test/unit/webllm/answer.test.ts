// Final answers of real benchmark problems: the last \boxed{…} of realistic model replies, the canonical
// form answers are compared in, numeric matching, and GSM8K's "#### N" gold with its named error.
import { describe, expect, it } from 'vitest';
import { answersMatch, extractBoxed, gsm8kGold, normalizeAnswer } from '../../../src/lib/webllm/answer.ts';
import { BenchmarkFormatError } from '../../../src/lib/webllm/benchmark-errors.ts';

describe('extractBoxed', () => {
  it('reads the box at the end of a GSM8K-style solution', () => {
    const reply =
      'Janet starts with 16 eggs and uses 3 + 4 = 7 of them.\nShe sells 16 - 7 = 9 eggs at $2 each, ' +
      'so the total is $18$ dollars. \\boxed{18}';
    expect(extractBoxed(reply)).toBe('18');
  });

  it('keeps nested braces whole', () => {
    expect(extractBoxed('The probability is \\boxed{\\frac{1}{2}}.')).toBe('\\frac{1}{2}');
    expect(extractBoxed('$$\\boxed{\\left( 3, \\frac{\\pi}{2} \\right)}$$')).toBe('\\left( 3, \\frac{\\pi}{2} \\right)');
    expect(extractBoxed('\\boxed{\\{1, 2\\}}')).toBe('\\{1, 2\\}'); // escaped braces do not count
  });

  it('accepts \\boxed {…} with a space and \\fbox{…}', () => {
    expect(extractBoxed('Therefore the answer is \\boxed {42}.')).toBe('42');
    expect(extractBoxed('Final: \\fbox{x^2 + 1}')).toBe('x^2 + 1');
  });

  it('takes the LAST box when a reply boxes twice', () => {
    const reply =
      'First I guessed \\boxed{12}, but I forgot the 4 muffins.\n' +
      'Redoing it: 16 - 3 - 4 = 9 eggs, and 9 × 2 = 18.\n\n**Final answer:** \\boxed{18}';
    expect(extractBoxed(reply)).toBe('18');
  });

  it('is null when there is no box, or the last one was cut off by max_tokens', () => {
    expect(extractBoxed('So the answer is 18 dollars.')).toBeNull();
    expect(extractBoxed('We get \\boxed{5} first, then the final value \\boxed{\\frac{3}{')).toBeNull();
    expect(extractBoxed('\\boxed')).toBeNull();
  });
});

describe('normalizeAnswer', () => {
  it.each([
    ['$18$', '18'],
    ['\\$18.00', '18'],
    ['18 \\text{ dollars}', '18'],
    ['18 dollars.', '18'],
    ['1{,}000', '1000'],
    ['1,000,000', '1000000'],
    ['10\\%', '10'],
    ['10%', '10'],
    ['30^\\circ', '30'],
    ['30^{\\circ}', '30'],
    ['30 degrees', '30'],
    ['5\\text{ cm}^2', '5'],
    ['0.50', '0.5'],
    ['5.0', '5'],
    ['+3', '3'],
    ['x = 5', '5'],
    ['y=-2', '-2'],
    ['\\dfrac{3}{4}', '\\frac{3}{4}'],
    ['\\tfrac{3}{4}', '\\frac{3}{4}'],
    ['\\frac34', '\\frac{3}{4}'],
    ['\\frac{1}2', '\\frac{1}{2}'],
    ['\\frac\\pi2', '\\frac{\\pi}{2}'],
    ['2\\sqrt3', '2\\sqrt{3}'],
    ['\\left( 1, 2 \\right)', '(1,2)'],
    ['3\\!\\cdot\\,4', '3\\cdot4'],
    ['\\textbf{(C)}', '(C)'],
    ['\\mbox{even}', 'even'],
  ])('%s → %s', (raw, canonical) => {
    expect(normalizeAnswer(raw)).toBe(canonical);
  });

  it('keeps tuples, intervals and unit words that follow no number', () => {
    expect(normalizeAnswer('(1, 2)')).toBe('(1,2)');
    expect(normalizeAnswer('(1, 234)')).toBe('(1,234)'); // not a thousands separator
    expect(normalizeAnswer('1, 234')).toBe('1,234'); // only a lone number loses its commas
    expect(normalizeAnswer('\\text{degrees}')).toBe('degrees');
    expect(normalizeAnswer('x + 3')).toBe('x+3'); // a plus sign inside stays
    expect(normalizeAnswer('1.05')).toBe('1.05'); // an inner zero stays
    expect(normalizeAnswer('x = y = 2')).toBe('x=y=2'); // more than one "=" is no single assignment
  });

  it('does not eat \\rightarrow when it removes \\right', () => {
    expect(normalizeAnswer('A \\rightarrow B')).toBe('A\\rightarrowB');
  });
});

describe('answersMatch', () => {
  it('grades realistic boxed answers against their gold', () => {
    const cases: [reply: string, gold: string][] = [
      ['... so the total is $18$ dollars. \\boxed{18}', '18'],
      ['The fraction shaded is \\boxed{\\dfrac{3}{4}}.', '\\frac34'],
      ['He made a profit of \\boxed{1{,}000} dollars.', '1000'],
      ['The price rose by \\boxed{10\\%}.', '10'],
      ['The intersection point is \\boxed{(1, 2)}.', '(1,2)'],
      ['Hence the angle measures \\boxed{30^\\circ}.', '30'],
      ['So the interest is \\boxed{\\$ 70,000}.', '70000'],
      ['Solving gives \\boxed{x = \\frac{1}{2}}.', '0.5'],
    ];
    for (const [reply, gold] of cases) {
      const boxed = extractBoxed(reply);
      expect(boxed, reply).not.toBeNull();
      expect(answersMatch(boxed!, gold), `${boxed} vs ${gold}`).toBe(true);
    }
  });

  it('matches the same number written as a fraction, a decimal or a/b', () => {
    expect(answersMatch('\\frac{1}{2}', '0.5')).toBe(true);
    expect(answersMatch('1/2', '\\frac{1}{2}')).toBe(true);
    expect(answersMatch('-\\frac{3}{4}', '-0.75')).toBe(true);
    expect(answersMatch('\\frac{-3}{4}', '-3/4')).toBe(true);
    expect(answersMatch('.25', '1/4')).toBe(true);
    expect(answersMatch('0.33333', '\\frac13')).toBe(false); // 1e-5 relative: beyond the 1e-6 tolerance
    expect(answersMatch('0.3333333', '\\frac13')).toBe(true); // 1e-7 relative: within it
  });

  it('rejects wrong answers and takes only the last box', () => {
    const reply = 'At first I thought \\boxed{17}, but re-reading, she eats 3 and bakes 4: \\boxed{9}';
    expect(answersMatch(extractBoxed(reply)!, '9')).toBe(true);
    expect(answersMatch(extractBoxed(reply)!, '17')).toBe(false);
    expect(answersMatch('18', '81')).toBe(false);
    expect(answersMatch('-5', '5')).toBe(false);
    expect(answersMatch('\\frac{1}{0}', '\\frac{1}{0}')).toBe(true); // same string, even if not a number
    expect(answersMatch('\\frac{1}{0}', '0')).toBe(false);
    expect(answersMatch('(1,2)', '(2,1)')).toBe(false);
    expect(answersMatch('', '')).toBe(false); // an empty prediction never counts
  });
});

describe('gsm8kGold', () => {
  it('returns what follows the last ####, trimmed and without commas', () => {
    const field =
      'The house and repairs cost 80,000+50,000=$<<80000+50000=130000>>130,000\n' +
      'So he made 200,000-130,000=$<<200000-130000=70000>>70,000\n#### 70,000';
    expect(gsm8kGold(field)).toBe('70000');
    expect(gsm8kGold('Notes #### ignored\nShe needs 2+1=<<2+1=3>>3 bolts.\n####  3 ')).toBe('3');
  });

  it('throws BenchmarkFormatError saying what is missing', () => {
    expect(() => gsm8kGold('She needs 2+1=3 bolts.')).toThrow(BenchmarkFormatError);
    expect(() => gsm8kGold('She needs 2+1=3 bolts.')).toThrow(/no "####".*pass the dataset's answer field unchanged/);
    expect(() => gsm8kGold('She needs 3 bolts.\n#### ')).toThrow(/nothing follows its "####"/);
  });
});
