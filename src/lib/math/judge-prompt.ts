// The pairwise step judge's input at inference (prompt text only). Kept apart from
// judge-format.ts, which builds training text with the checker's working: the self-rewarding loop
// imports this file and never reaches the oracle.
import { BOS, CAND_A, CAND_B, JUDGE, PREV, Q, STEP, VERDICT, WORK } from '../tokenizer/special.ts';

export type Verdict = 'A' | 'B';
export type JudgeWorkingMode = 'none' | 'check';

/** The part of a judge prompt shared by every pair of one step: question and accepted steps. */
export function judgePrefixText(question: string, previousSteps: readonly string[]): string {
  const prev = previousSteps.length > 0 ? ` ${previousSteps.join(` ${STEP} `)}` : '';
  return `${BOS} ${JUDGE} ${Q} ${question} ${PREV}${prev}`;
}

/** The part that differs per pair: the two candidates, then `<work>` or `<verdict>`. */
export function judgeSuffixText(candidateA: string, candidateB: string, working: JudgeWorkingMode): string {
  return `${CAND_A} ${candidateA} ${CAND_B} ${candidateB} ${working === 'check' ? WORK : VERDICT}`;
}

/**
 * The judge's input at inference: question, previous steps, the two candidates, then `<work>`
 * (the judge writes its working next) or `<verdict>`. Text only — no checker involved, so the
 * self-rewarding loop can build it for any question. Equals prefix + " " + suffix.
 */
export function judgePromptText(example: { question: string; previousSteps: string[]; candidateA: string; candidateB: string }, working: JudgeWorkingMode): string {
  return `${judgePrefixText(example.question, example.previousSteps)} ${judgeSuffixText(example.candidateA, example.candidateB, working)}`;
}
