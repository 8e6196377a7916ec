// Which of an iteration's pairs the training step uses, by signals the loop itself has (no ground
// truth): the step's position in the solution (later prefixes are more often already wrong, so both
// candidates are) and how many of the w samples wrote the chosen step (the model's own agreement).
// The defaults keep every pair: the method as the paper runs it.
import type { PreferencePair } from './pairs.ts';

export interface TrainPairSelection {
  /** Keep pairs at steps 1 … maxStep; 0 keeps every step. */
  maxStep: number;
  /** Keep pairs whose chosen step was written by at least this many samples; 1 keeps every pair. */
  minCount: number;
}

export const TRAIN_ON_EVERY_PAIR: TrainPairSelection = { maxStep: 0, minCount: 1 };

/** How many of the step's samples wrote the chosen text (1 when the pair does not record it). */
export function chosenCount(p: PreferencePair): number {
  return p.scores.find((s) => s.text === p.chosen)?.count ?? 1;
}

export function selectTrainingPairs(pairs: readonly PreferencePair[], sel: TrainPairSelection = TRAIN_ON_EVERY_PAIR): PreferencePair[] {
  return pairs.filter((p) => (sel.maxStep === 0 || p.stepIndex <= sel.maxStep) && chosenCount(p) >= sel.minCount);
}
