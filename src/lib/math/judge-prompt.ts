// The pairwise step judge's input at inference (prompt text only). Kept apart from
// judge-format.ts, which builds training text with the checker's working: the self-rewarding loop
// imports this file and never reaches the oracle.
import { BOS, CAND_A, CAND_B, JUDGE, PREV, Q, STEP, VERDICT, WORK } from '../tokenizer/special.ts';

export type Verdict = 'A' | 'B';
export type JudgeWorkingMode = 'none' | 'check';

/**
 * The judge's input at inference: question, previous steps, the two candidates, then `<work>`
 * (the judge writes its working next) or `<verdict>`. Text only — no checker involved, so the
 * self-rewarding loop can build it for any question.
 */
export function judgePromptText(example: { question: string; previousSteps: string[]; candidateA: string; candidateB: string }, working: JudgeWorkingMode): string {
  const prev = example.previousSteps.length > 0 ? ` ${example.previousSteps.join(` ${STEP} `)}` : '';
  const prompt = `${BOS} ${JUDGE} ${Q} ${example.question} ${PREV}${prev} ${CAND_A} ${example.candidateA} ${CAND_B} ${example.candidateB}`;
  return prompt + (working === 'check' ? ` ${WORK}` : ` ${VERDICT}`);
}

