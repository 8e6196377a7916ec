// The training-pair selection: by step index and by how many samples wrote the chosen step; the
// defaults keep every pair.
import { describe, expect, it } from 'vitest';
import { chosenCount, selectTrainingPairs, TRAIN_ON_EVERY_PAIR } from '../../../src/lib/psr/train-selection.ts';
import type { PreferencePair } from '../../../src/lib/psr/pairs.ts';

const pair = (stepIndex: number, count: number, id = 'p'): PreferencePair => ({
  problemId: id, question: 'Q', previousSteps: Array.from({ length: stepIndex - 1 }, (_, i) => `Step ${i + 1}: s`),
  chosen: 'good', rejected: 'bad', chosenFinal: false, rejectedFinal: false, chosenScore: 2, rejectedScore: 0,
  scores: [{ text: 'bad', score: 0, count: 1 }, { text: 'good', score: 2, count }], stepIndex, iteration: 1,
});

describe('selectTrainingPairs', () => {
  const pairs = [pair(1, 1), pair(1, 3), pair(2, 2), pair(3, 4), pair(5, 1)];
  it('keeps every pair by default', () => {
    expect(selectTrainingPairs(pairs)).toEqual(pairs);
    expect(selectTrainingPairs(pairs, TRAIN_ON_EVERY_PAIR)).toHaveLength(5);
  });
  it('keeps the first N steps, and chosen steps written by at least k samples', () => {
    expect(selectTrainingPairs(pairs, { maxStep: 2, minCount: 1 }).map((p) => p.stepIndex)).toEqual([1, 1, 2]);
    expect(selectTrainingPairs(pairs, { maxStep: 0, minCount: 2 }).map(chosenCount)).toEqual([3, 2, 4]);
    expect(selectTrainingPairs(pairs, { maxStep: 2, minCount: 2 }).map((p) => [p.stepIndex, chosenCount(p)])).toEqual([[1, 3], [2, 2]]);
  });
  it('counts a chosen text missing from the scores as written once', () => {
    expect(chosenCount({ ...pair(1, 5), scores: [] })).toBe(1);
  });
});
