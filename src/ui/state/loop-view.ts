// The "run an iteration" view model, folded from the engine's IterationEvents (pure): the stage,
// which problem is being searched, pairs kept so far, every step-DPO log entry (for the charts),
// the before / after evaluations and the final report.
import type { IterationEvent } from '../../lib/api.ts';
import type { IterationReport, ModelEvaluation } from '../../lib/psr/loop.ts';
import type { DpoLogEntry } from '../../lib/train/step-dpo.ts';

export type LoopStage = 'idle' | 'evaluate-start' | 'search' | 'train' | 'evaluate-end' | 'done';

export interface LoopView {
  stage: LoopStage;
  problem: { index: number; total: number } | null;
  problemsDone: number;
  pairs: number;
  rollbacks: number;
  train: DpoLogEntry[];
  before: ModelEvaluation | null;
  after: ModelEvaluation | null;
  report: IterationReport | null;
  /** The iteration trains on the pairs of an interrupted one (its search was not run again). */
  resumed: boolean;
}

export const EMPTY_LOOP_VIEW: LoopView = {
  stage: 'idle', problem: null, problemsDone: 0, pairs: 0, rollbacks: 0, train: [], before: null, after: null, report: null, resumed: false,
};

export function applyLoopEvent(v: LoopView, e: IterationEvent): LoopView {
  switch (e.type) {
    case 'stage': {
      const stage: LoopStage =
        e.stage === 'evaluate' ? (e.iteration === 0 ? 'evaluate-start' : 'evaluate-end') : e.stage === 'done' ? 'done' : e.stage;
      return { ...v, stage };
    }
    case 'search': {
      const s = e.event;
      if (s.type === 'problem-start') return { ...v, problem: { index: s.index, total: s.total } };
      if (s.type === 'problem-end') return { ...v, problemsDone: v.problemsDone + 1, pairs: v.pairs + s.pairs, rollbacks: v.rollbacks + s.rollbacks };
      return v;
    }
    case 'train-step':
      return { ...v, train: [...v.train, e.entry] };
    case 'evaluation':
      return e.iteration === 0 ? { ...v, before: e.result } : { ...v, after: e.result };
    case 'iteration-end':
      return { ...v, report: e.report };
    case 'searched':
      // A resumed iteration skips its search: the pairs it trains on arrive here.
      return { ...v, pairs: e.pairs.length, resumed: e.resumed };
    case 'srlm':
      return v;
  }
}

/** The status line after the visitor cancelled an iteration: nothing of it was kept. */
export function cancelledText(from: string): string {
  return `Cancelled: nothing of the interrupted iteration was kept, the page's model is still ${from}. Press Start to run it again.`;
}

/** One line for the aria-live progress region. */
export function progressText(v: LoopView, from: string, to: string, settings: { problems: number; evalProblems: number; evalPairs: number }): string {
  switch (v.stage) {
    case 'idle':
      return 'Not started.';
    case 'evaluate-start':
      return `Evaluating ${from} on ${settings.evalProblems} held-out problems and ${settings.evalPairs} judge pairs…`;
    case 'search':
      return v.problem
        ? `Searching problem ${v.problem.index + 1} of ${v.problem.total} — ${v.pairs} pairs kept so far.`
        : `Searching ${settings.problems} problems…`;
    case 'train': {
      const last = v.train.at(-1);
      const on = v.resumed ? ` on the ${v.pairs} kept pairs of the interrupted iteration` : '';
      return last ? `Training with step-DPO${on}: step ${last.step}, loss ${last.loss.toFixed(4)}, margin ${last.margin.toFixed(3)}.` : `Training with step-DPO${on}…`;
    }
    case 'evaluate-end':
      return `Evaluating ${to}…`;
    case 'done':
      return v.report?.error ? `Stopped: ${v.report.error.name}. ${from} was kept.` : `Done: the model is now ${to}.`;
  }
}
