// The pairwise step judge's input at inference (prompt text only). Kept apart from
// judge-format.ts, which builds training text with the checker's working: the self-rewarding loop
// imports this file and never reaches the oracle.
import { BOS, CAND_A, CAND_B, JUDGE, PREV, Q, STEP, VERDICT, WORK } from '../tokenizer/special.ts';

export type Verdict = 'A' | 'B';
/**
 * How the judge reasons before its verdict: 'none' — the verdict token right after the candidates;
 * 'check' — one working line per candidate, A's then B's, in the pairwise prompt; 'separate' — each
 * candidate's line is written in a prompt that shows that candidate alone (judgeLinePromptText), then
 * both lines are put into the pairwise prompt and the verdict is read. With 'check', B's line is written
 * after A's, and when training pairs always hold one valid step B's line can be copied as the opposite
 * of A's instead of checked; 'separate' leaves no such shortcut.
 */
export const JUDGE_WORKING_MODES = ['none', 'check', 'separate', 'ground'] as const;
export type JudgeWorkingMode = (typeof JUDGE_WORKING_MODES)[number];

/**
 * 'ground' is 'separate' with a line that also copies, from the question, how it relates the step's
 * two numbers — `(26 + 5)`, or `(no)` when no sentence relates them — before saying whether the step
 * is needed: finding that relation in the text is a different skill from choosing what to compute.
 */
export function writesLinesAlone(working: JudgeWorkingMode): boolean {
  return working === 'separate' || working === 'ground';
}

/** The part of a judge prompt shared by every pair of one step: question and accepted steps. */
export function judgePrefixText(question: string, previousSteps: readonly string[]): string {
  const prev = previousSteps.length > 0 ? ` ${previousSteps.join(` ${STEP} `)}` : '';
  return `${BOS} ${JUDGE} ${Q} ${question} ${PREV}${prev}`;
}

/** The part that differs per pair: the two candidates, then `<work>` or `<verdict>`. */
export function judgeSuffixText(candidateA: string, candidateB: string, working: JudgeWorkingMode): string {
  return `${CAND_A} ${candidateA} ${CAND_B} ${candidateB} ${working === 'none' ? VERDICT : WORK}`;
}

/** The per-candidate part of a 'separate' (or 'ground') judge's line prompt: the candidate alone, then `<work>`. */
export function judgeLineSuffixText(candidate: string): string {
  return `${CAND_A} ${candidate} ${WORK}`;
}

/** The whole prompt after which a 'separate' (or 'ground') judge writes one candidate's working line ("A: …."). */
export function judgeLinePromptText(example: { question: string; previousSteps: readonly string[]; candidate: string }): string {
  return `${judgePrefixText(example.question, example.previousSteps)} ${judgeLineSuffixText(example.candidate)}`;
}

/** A working line written for a candidate shown as A, as the line of the candidate shown as `label`. */
export function relabelWorkingLine(line: string, label: Verdict): string {
  return line.trim().replace(/^[AB]:/, `${label}:`);
}

/**
 * The judge's input at inference: question, previous steps, the two candidates, then `<work>`
 * (the judge writes its working next) or `<verdict>`. Text only — no checker involved, so the
 * self-rewarding loop can build it for any question. Equals prefix + " " + suffix.
 */
export function judgePromptText(example: { question: string; previousSteps: string[]; candidateA: string; candidateB: string }, working: JudgeWorkingMode): string {
  return `${judgePrefixText(example.question, example.previousSteps)} ${judgeSuffixText(example.candidateA, example.candidateB, working)}`;
}
