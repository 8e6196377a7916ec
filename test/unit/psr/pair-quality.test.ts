// Oracle labels of preference pairs (display and metrics only): chosen/rejected validity from the
// step checker and the shares of correct-order, both-valid, both-invalid and inverted pairs.
import { describe, expect, it } from 'vitest';
import { labelPair, pairQuality, qualityOf, summarizePairQuality } from '../../../src/lib/psr/pair-quality.ts';
import type { PreferencePair } from '../../../src/lib/psr/pairs.ts';
import { BRANCH_Q } from '../math/helpers.ts';

const ANN = 'Step 1: Ann has 12 + 5 = 17 apples.';
const CARA = 'Step 1: Cara has 20 - 4 = 16 apples.';
const ANN_WRONG = 'Step 1: Ann has 12 + 5 = 18 apples.';
const NOTHING = 'Step 1: Ann has apples.';

function pair(chosen: string, rejected: string): PreferencePair {
  return {
    problemId: 'branch',
    question: BRANCH_Q,
    previousSteps: [],
    chosen,
    rejected,
    chosenFinal: false,
    rejectedFinal: false,
    chosenScore: 1,
    rejectedScore: 0,
    scores: [],
    stepIndex: 1,
    iteration: 1,
  };
}

describe('pair quality (oracle, display only)', () => {
  it('labels each side with the checker verdict', () => {
    expect(labelPair(pair(ANN, ANN_WRONG))).toEqual({ chosenValid: true, rejectedValid: false, chosenKind: 'correct', rejectedKind: 'arithmetic_error', quality: 'correct-order' });
    expect(labelPair(pair(NOTHING, CARA))).toMatchObject({ chosenValid: false, rejectedValid: true, chosenKind: 'malformed', quality: 'inverted' });
  });

  it('any valid order counts: two different valid first steps are both-valid', () => {
    expect(labelPair(pair(CARA, ANN)).quality).toBe('both-valid');
  });

  it('summarises counts and shares over pairs', () => {
    const { labels, summary } = pairQuality([pair(ANN, ANN_WRONG), pair(CARA, NOTHING), pair(ANN_WRONG, ANN), pair(NOTHING, ANN_WRONG)]);
    expect(labels.map((l) => l.quality)).toEqual(['correct-order', 'correct-order', 'inverted', 'both-invalid']);
    expect(summary).toEqual({
      pairs: 4,
      counts: { 'correct-order': 2, 'both-valid': 0, 'both-invalid': 1, inverted: 1 },
      shares: { 'correct-order': 0.5, 'both-valid': 0, 'both-invalid': 0.25, inverted: 0.25 },
    });
  });

  it('has null shares (not NaN) without pairs, and classifies all four cases', () => {
    expect(summarizePairQuality([]).shares).toEqual({ 'correct-order': null, 'both-valid': null, 'both-invalid': null, inverted: null });
    expect([qualityOf(true, false), qualityOf(true, true), qualityOf(false, false), qualityOf(false, true)]).toEqual(['correct-order', 'both-valid', 'both-invalid', 'inverted']);
  });
});
