// What one problem's search produced (ProblemResult) and the pool-level counts the UI and the
// loop report (SearchStats) — above all how many steps yielded pairs: a model that is already
// right almost always samples identical candidates and yields almost none.
import type { PreferencePair } from './pairs.ts';

export type StopReason = 'final' | 'max-steps' | 'context-full';

export interface ProblemResult {
  problemId: string;
  /** The accepted solution. */
  steps: string[];
  /** Pairs kept (pairs of rolled-back steps removed), in step order. */
  pairs: PreferencePair[];
  finished: boolean;
  stop: StopReason;
  /** The number the final step declares (null when unfinished or unreadable). */
  finalAnswer: number | null;
  /** Sampling rounds run, rolled-back ones included. */
  rounds: number;
  /** Rounds that made a pair (some may have been dropped by a later rollback). */
  roundsWithPair: number;
  rollbacks: number;
  droppedPairs: number;
  /** Rounds whose w samples were all one text (accepted, no pair). */
  allIdentical: number;
  /** Rounds accepted on a tie because the rollback cap was reached. */
  tiedAccepts: number;
  /** Rounds whose pair the pair filter (pairMargin) left out; their best step was kept. */
  filteredPairs: number;
}

export interface SearchStats {
  problems: number;
  /** Sampling rounds (one per visit of a step, so rolled-back steps count). */
  steps: number;
  /** Rounds that produced a pair (before rollbacks dropped any). */
  stepsWithPair: number;
  /** Pairs kept. */
  pairs: number;
  droppedPairs: number;
  rollbacks: number;
  allIdentical: number;
  tiedAccepts: number;
  filteredPairs: number;
  /** Problems that reached a final step. */
  finished: number;
  /** Problems stopped because the context was full. */
  contextFull: number;
  /** Accepted steps over all final solutions. */
  acceptedSteps: number;
  meanStepsPerProblem: number;
  /** stepsWithPair / steps (0 when no step ran). */
  pairRate: number;
}

export function summarizeResults(results: readonly ProblemResult[]): SearchStats {
  const sum = (f: (r: ProblemResult) => number) => results.reduce((a, r) => a + f(r), 0);
  const steps = sum((r) => r.rounds);
  const stepsWithPair = sum((r) => r.roundsWithPair);
  const acceptedSteps = sum((r) => r.steps.length);
  return {
    problems: results.length,
    steps,
    stepsWithPair,
    pairs: sum((r) => r.pairs.length),
    droppedPairs: sum((r) => r.droppedPairs),
    rollbacks: sum((r) => r.rollbacks),
    allIdentical: sum((r) => r.allIdentical),
    tiedAccepts: sum((r) => r.tiedAccepts),
    filteredPairs: sum((r) => r.filteredPairs),
    finished: sum((r) => (r.finished ? 1 : 0)),
    contextFull: sum((r) => (r.stop === 'context-full' ? 1 : 0)),
    acceptedSteps,
    meanStepsPerProblem: results.length === 0 ? 0 : acceptedSteps / results.length,
    pairRate: steps === 0 ? 0 : stepsWithPair / steps,
  };
}
