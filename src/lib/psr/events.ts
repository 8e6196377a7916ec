// The named events the step-wise search streams while it runs (to the UI through comlink, to the
// CLI as JSON lines): one discriminated union on `type`. Steps are 1-based solution positions;
// `round` counts sampling rounds within a problem (a rollback re-visits a step in a new round).
// Candidate indices (`a`, `b`, `best`, `worst`) point into that round's `candidates` list.
import type { CandidateScore, PreferencePair } from './pairs.ts';
import type { SearchStats } from './search-stats.ts';

/** A distinct candidate of a round (identical samples merged; `count` of the w had this text). */
export interface CandidateView {
  text: string;
  final: boolean;
  /** log P per generated token of the first sample with this text (stop marker included). */
  tokenLogprobs: number[];
  count: number;
}

export type AcceptReason =
  /** The best-scored candidate of a step with a pair. */
  | 'best'
  /** All w samples were the same text: accepted with no pair and no rollback. */
  | 'all-identical'
  /** The candidates tied again after maxRollbacks: one was accepted anyway (seeded), no pair. */
  | 'tie-after-cap';

export type SearchEvent =
  | { type: 'problem-start'; index: number; total: number; problemId: string; question: string }
  | { type: 'candidates'; problemId: string; step: number; round: number; candidates: CandidateView[] }
  | {
      type: 'judgment';
      problemId: string;
      step: number;
      round: number;
      a: number;
      b: number;
      /** The verdict used for scoring: P(a beats b) (mean over both orders when both were judged). */
      pA: number;
      /** P(A) with a shown as A (null when only the swapped order was judged). */
      pAForward: number | null;
      /** P(A) with b shown as A (null when only the forward order was judged); a's share is 1 − this. */
      pASwapped: number | null;
      workingForward?: string;
      workingSwapped?: string;
      /** The written verdicts of a judge that writes one (real-model tier): none / both count as a tie. */
      verdictForward?: 'A' | 'B' | 'none' | 'both';
      verdictSwapped?: 'A' | 'B' | 'none' | 'both';
    }
  | { type: 'scores'; problemId: string; step: number; round: number; scores: CandidateScore[]; best: number | null; worst: number | null; allEqual: boolean }
  | { type: 'pair'; problemId: string; pair: PreferencePair }
  | { type: 'accept'; problemId: string; step: number; round: number; text: string; final: boolean; reason: AcceptReason }
  | {
      type: 'rollback';
      problemId: string;
      /** The step whose candidates all tied. */
      step: number;
      round: number;
      reason: string;
      /** The accepted step that was removed (null at step 1: the step is simply re-sampled). */
      droppedStep: string | null;
      /** The pair made at the removed step, now discarded (null when it had none). */
      droppedPair: PreferencePair | null;
    }
  | {
      type: 'problem-end';
      problemId: string;
      /** The accepted solution. */
      steps: string[];
      pairs: number;
      /** The number the final step declares (null when unfinished or none could be read). */
      finalAnswer: number | null;
      rollbacks: number;
      finished: boolean;
      /** Why the problem stopped. */
      stop: 'final' | 'max-steps' | 'context-full';
    }
  | { type: 'pool-end'; stats: SearchStats };

export type SearchEventType = SearchEvent['type'];
export type SearchEventListener = (event: SearchEvent) => void;
