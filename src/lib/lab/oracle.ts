// Oracle views for TEACHING DISPLAYS ONLY: the ground-truth step checker's verdict on a step the
// model wrote, the true answer of a question, the quality label of a pair. Computed by the engine
// after the model decided, sent to the page beside the model's own output, never fed back into
// search, judging or training. Questions outside the world's templates give null, not an error.
import { checkStep, initialState } from '../math/checker.ts';
import { answerOf } from '../math/graph.ts';
import { labelPair, type PairLabel } from '../psr/pair-quality.ts';
import type { PreferencePair } from '../psr/pairs.ts';
import type { OracleLabel } from './types.ts';

export function oracleLabel(question: string, previousSteps: readonly string[], step: string): OracleLabel | null {
  try {
    const v = checkStep(question, [...previousSteps], step);
    return { valid: v.valid, kind: v.kind, detail: v.detail };
  } catch {
    return null;
  }
}

export function trueAnswer(question: string): number | null {
  try {
    return answerOf(initialState(question).graph);
  } catch {
    return null;
  }
}

export function pairLabel(pair: PreferencePair): PairLabel | null {
  try {
    return labelPair(pair);
  } catch {
    return null;
  }
}
