// The paper's two instructions, in our own words, for a real chat model: the reasoning instruction
// (numbered steps, final answer in \boxed{}) and the pairwise judge instruction (which of two
// candidate next steps is more correct and more useful; ignore order, length and names; explain,
// then [[A]] or [[B]]). The step prompt continues the model's own assistant turn up to "Step k:".
import { renderAssistantPrefix, type ConvTemplateConfig } from './chat-template.ts';

export const REASONING_INSTRUCTION =
  'Solve the math problem below one step at a time. Start every step on a new line with "Step n: " ' +
  '(Step 1: , Step 2: , and so on) and make each step one piece of reasoning or calculation. ' +
  'In the last step, give the final answer inside \\boxed{}.';

export const JUDGE_INSTRUCTION =
  'You will see a math problem, the steps of a solution written so far, and two candidate next steps, A and B. ' +
  'Decide which candidate is the better next step: first whether it is correct (check its arithmetic and its logic ' +
  'against the problem and the earlier steps), then whether it moves the solution toward the right final answer. ' +
  'The order in which the candidates are shown, their length and any names in them must not sway you. ' +
  'Explain your comparison briefly, then end your reply with [[A]] if candidate A is better or [[B]] if candidate B is better.';

/** Raw-completion prompt for step k = previousSteps.length + 1: the model's turn so far, ending in "Step k:". */
export function stepPrompt(t: ConvTemplateConfig, question: string, previousSteps: readonly string[]): string {
  const k = previousSteps.length + 1;
  const before = previousSteps.map((s) => `${s}\n`).join('');
  return renderAssistantPrefix(t, REASONING_INSTRUCTION, question.trim()) + before + `Step ${k}:`;
}

/** Stop strings for step k: the next step marker (the model starts a new line with it). */
export function stepStops(k: number): string[] {
  return [`\nStep ${k + 1}:`, `\nStep ${k + 1} :`];
}

/** The judge's user message: problem, the solution so far, candidates A and B. */
export function judgeUserMessage(question: string, previousSteps: readonly string[], candidateA: string, candidateB: string): string {
  const sofar = previousSteps.length > 0 ? previousSteps.join('\n') : '(no steps yet: the candidates are the first step)';
  return `Problem:\n${question.trim()}\n\nSolution so far:\n${sofar}\n\nCandidate next step A:\n${candidateA}\n\nCandidate next step B:\n${candidateB}`;
}

/** "Step k:" + the model's continuation, trimmed; the text of a candidate. */
export function stepText(k: number, continuation: string): string {
  return `Step ${k}: ${continuation.trim()}`.trimEnd();
}

/** The candidate states a final answer (a \boxed{…}). */
export function hasBoxedAnswer(text: string): boolean {
  return /\\(boxed|fbox)\s*\{/.test(text);
}
