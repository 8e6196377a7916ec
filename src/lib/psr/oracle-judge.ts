// CONTROL EXPERIMENTS, not self-rewarding: the model's own candidates judged by the oracle
// (the step checker) instead of by the model. `psr run --judge oracle` runs the loop with it to
// answer one question — would step-DPO at these settings improve the model if the pairs were
// right? — and so tell a weak judge apart from a weak training step. The self-rewarding loop
// never uses this (its search, step model and judge cannot reach the checker: no-oracle.test.ts).
// The coin judge (`--judge random`) is the other end: a verdict that knows nothing, so a loop with
// it shows what sampling, the pair filters and training do without any judgment.
import { judgeStep, stateAfter } from '../math/checker.ts';
import { createRng } from '../math/rng.ts';
import type { UniformRng } from '../model/sampling.ts';
import type { JudgeItem, SampledStep, SamplingSettings, StepModel, JudgeVerdict } from './step-model.ts';

export type JudgeSource = 'self' | 'oracle' | 'random';

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

/**
 * P(A wins) from a coin that knows nothing of the steps: a seeded hash of the two candidate texts,
 * the same pair in either order gets opposite verdicts (so judging both orders does not average it
 * into a tie), identical candidates tie. The control that asks what the self-judge adds over picking
 * among the model's own samples at random (with the same pair filters, e.g. the chosen step's count).
 */
export function coinVerdict(item: JudgeItem, seed: string): number {
  if (item.candidateA === item.candidateB) return 0.5;
  // A well-mixed draw per ordered pair (SplitMix over the text's hash); the pair's two draws decide.
  const draw = (a: string, b: string) => createRng(`${seed}\u0000${a}\u0000${b}`).nextU32();
  const ab = draw(item.candidateA, item.candidateB);
  const ba = draw(item.candidateB, item.candidateA);
  return ab > ba ? 1 : 0;
}

/** `model` samples the candidates; a seeded coin judges them (a control, like the oracle judge). */
export class CoinJudgedStepModel implements StepModel {
  constructor(
    private readonly model: StepModel,
    private readonly seed: string,
  ) {}

  sampleSteps(question: string, previousSteps: readonly string[], w: number, sampling: SamplingSettings, rng: UniformRng): Promise<SampledStep[]> {
    return this.model.sampleSteps(question, previousSteps, w, sampling, rng);
  }

  async judge(items: JudgeItem[]): Promise<JudgeVerdict[]> {
    return items.map((it) => ({ pA: coinVerdict(it, this.seed), working: 'coin (control experiment)' }));
  }
}
