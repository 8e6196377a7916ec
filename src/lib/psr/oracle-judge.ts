// A CONTROL EXPERIMENT, not self-rewarding: the model's own candidates judged by the oracle
// (the step checker) instead of by the model. `psr run --judge oracle` runs the loop with it to
// answer one question — would step-DPO at these settings improve the model if the pairs were
// right? — and so tell a weak judge apart from a weak training step. The self-rewarding loop
// never uses this (its search, step model and judge cannot reach the checker: no-oracle.test.ts).
import { judgeStep, stateAfter } from '../math/checker.ts';
import type { UniformRng } from '../model/sampling.ts';
import type { JudgeItem, SampledStep, SamplingSettings, StepModel, JudgeVerdict } from './step-model.ts';

export type JudgeSource = 'self' | 'oracle';

/** P(A wins) from the oracle: 1 when only A is valid, 0 when only B is, ½ when both or neither are. */
export function oracleVerdict(item: JudgeItem): number {
  const state = stateAfter(item.question, item.previousSteps);
  const a = judgeStep(state, item.candidateA).valid;
  const b = judgeStep(state, item.candidateB).valid;
  return a === b ? 0.5 : a ? 1 : 0;
}

/** `model` samples the candidates; the oracle judges them. */
export class OracleJudgedStepModel implements StepModel {
  constructor(private readonly model: StepModel) {}

  sampleSteps(question: string, previousSteps: readonly string[], w: number, sampling: SamplingSettings, rng: UniformRng): Promise<SampledStep[]> {
    return this.model.sampleSteps(question, previousSteps, w, sampling, rng);
  }

  async judge(items: JudgeItem[]): Promise<JudgeVerdict[]> {
    return items.map((it) => ({ pA: oracleVerdict(it), working: 'oracle (control experiment)' }));
  }
}
