// The question under every gain the loop could make: at the prefixes it trains on, is the step its
// judge chose better than the step the model already writes greedily there? Training toward the
// chosen steps (SFT or DPO) can only teach what the choice adds over greedy decoding. The oracle
// grades both after the fact (a diagnostic, like pair quality): nothing here feeds the loop.
import { checkStep } from '../math/checker.ts';
import { createRng } from '../math/rng.ts';
import type { PreferencePair } from './pairs.ts';
import type { StepModel } from './step-model.ts';
import { bootstrapMean, type Interval } from './intervals.ts';

export interface GreedyAuditRow {
  problemId: string;
  stepIndex: number;
  chosenValid: boolean;
  greedyValid: boolean;
  /** The chosen step is the text greedy decoding writes. */
  chosenIsGreedy: boolean;
}

export interface GreedyAudit {
  pairs: number;
  chosenValid: Interval;
  greedyValid: Interval;
  /** Chosen valid minus greedy valid, paired over the same prefixes (bootstrap over problems). */
  advantage: Interval;
  chosenIsGreedy: number;
  /** Prefixes where only the chosen step is valid, and where only greedy's is. */
  onlyChosen: number;
  onlyGreedy: number;
}

/** Greedy's next step at each pair's prefix, graded with the chosen step by the checker. */
export async function auditAgainstGreedy(model: StepModel, pairs: readonly PreferencePair[], onProgress?: (done: number, total: number) => void): Promise<GreedyAuditRow[]> {
  const rows: GreedyAuditRow[] = [];
  for (const [i, p] of pairs.entries()) {
    // Temperature 0: every sample is the greedy step (one is enough).
    const [g] = await model.sampleSteps(p.question, p.previousSteps, 1, { temperature: 0, topP: 1 }, createRng(0));
    rows.push({
      problemId: p.problemId,
      stepIndex: p.stepIndex,
      chosenValid: checkStep(p.question, p.previousSteps, p.chosen).valid,
      greedyValid: checkStep(p.question, p.previousSteps, g.text).valid,
      chosenIsGreedy: g.text === p.chosen,
    });
    onProgress?.(i + 1, pairs.length);
  }
  return rows;
}

/** Shares with 95 % intervals, resampling problems (a problem's prefixes move together). */
export function summariseAudit(rows: readonly GreedyAuditRow[], seed: string | number): GreedyAudit {
  const byProblem = new Map<string, GreedyAuditRow[]>();
  for (const r of rows) {
    const mine = byProblem.get(r.problemId);
    if (mine) mine.push(r);
    else byProblem.set(r.problemId, [r]);
  }
  const groups = (f: (r: GreedyAuditRow) => number) => [...byProblem.values()].map((rs): [number, number] => [rs.reduce((a, r) => a + f(r), 0), rs.length]);
  return {
    pairs: rows.length,
    chosenValid: bootstrapMean(groups((r) => +r.chosenValid), `${seed}:chosen`),
    greedyValid: bootstrapMean(groups((r) => +r.greedyValid), `${seed}:greedy`),
    advantage: bootstrapMean(groups((r) => +r.chosenValid - +r.greedyValid), `${seed}:advantage`),
    chosenIsGreedy: rows.filter((r) => r.chosenIsGreedy).length,
    onlyChosen: rows.filter((r) => r.chosenValid && !r.greedyValid).length,
    onlyGreedy: rows.filter((r) => !r.chosenValid && r.greedyValid).length,
  };
}
