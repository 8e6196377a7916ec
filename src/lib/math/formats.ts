// Token-friendly text formats for the tiny model (all canonical text: tokenizer decode restores
// them exactly). Solver: `<bos> <q> Q <sol> Step 1: ... <step> Step 2: ... The answer is N. <eos>`;
// pretraining (base model M0): `<bos> Q <plain sentences> <eos>`; whole-solution scoring (the
// outcome-level baseline): `<bos> <judge> <q> Q <sol> S1 <step> S2 <score> P <eos>`.

import { BOS, EOS, JUDGE, Q, SCORE, SOL, STEP } from '../tokenizer/special.ts';
import { stripStepPrefix } from './steps.ts';

/** A character span [start, end) in a formatted text. */
export type Span = [start: number, end: number];

export interface FormattedText {
  /** Full training text (prompt + target). */
  text: string;
  /** The input given to the model at inference: text.slice(0, promptEnd). */
  prompt: string;
  promptEnd: number;
  /** Spans the model must produce (loss targets), within `text`. */
  targetSpans: Span[];
}

/** Prompt for generating the next step: question and the accepted steps so far. */
export function formatStepPrompt(question: string, previousSteps: readonly string[]): string {
  let s = `${BOS} ${Q} ${question} ${SOL}`;
  for (const step of previousSteps) s += ` ${step} ${STEP}`;
  return s;
}

/** IFT example: the whole Step-n solution as target; each step ends with <step>, the last with <eos>. */
export function formatIftExample(question: string, steps: readonly string[]): FormattedText {
  const prompt = `${BOS} ${Q} ${question} ${SOL}`;
  let text = prompt;
  const targetSpans: Span[] = [];
  steps.forEach((step, i) => {
    const start = text.length + 1;
    text += ` ${step} ${i === steps.length - 1 ? EOS : STEP}`;
    targetSpans.push([start, text.length]);
  });
  return { text, prompt, promptEnd: prompt.length, targetSpans };
}

/**
 * What the model wrote after a step prompt, cut at the first <step> or <eos>: the step text and
 * whether the model ended the solution there. Text after the marker is ignored.
 */
export function parseStepContinuation(generated: string): { step: string; final: boolean; complete: boolean } {
  const iStep = generated.indexOf(STEP);
  const iEos = generated.indexOf(EOS);
  const cut = [iStep, iEos].filter((i) => i >= 0);
  if (cut.length === 0) return { step: generated.trim(), final: false, complete: false };
  const at = Math.min(...cut);
  return { step: generated.slice(0, at).trim(), final: at === iEos, complete: true };
}

/** The solution as plain sentences (no `Step n:`), for pretraining the base model. */
export function formatPlainSolution(problem: { steps: readonly string[] }): string {
  return problem.steps.map(stripStepPrefix).join(' ');
}

/** Pretraining text: question followed by the plain solution. */
export function formatPretrainText(problem: { question: string; steps: readonly string[] }): string {
  return `${BOS} ${problem.question} ${formatPlainSolution(problem)} ${EOS}`;
}

/** Whole-solution scoring prompt, up to and including the score marker. */
export function formatSolutionScorePrompt(question: string, solutionSteps: readonly string[]): string {
  return `${BOS} ${JUDGE} ${Q} ${question} ${SOL} ${solutionSteps.join(` ${STEP} `)} ${SCORE}`;
}

/** Whole-solution scoring training example: the target is the score digit (0..5) and <eos>. */
export function formatSolutionScoreExample(question: string, solutionSteps: readonly string[], points: number): FormattedText {
  if (!Number.isInteger(points) || points < 0 || points > 9) throw new RangeError(`points must be an integer 0..9, got ${points}`);
  const prompt = formatSolutionScorePrompt(question, solutionSteps);
  const text = `${prompt} ${points} ${EOS}`;
  return { text, prompt, promptEnd: prompt.length, targetSpans: [[prompt.length + 1, text.length]] };
}

/** The score a model wrote after the score marker, or null. */
export function parseSolutionScore(generated: string): number | null {
  const m = generated.match(/^\s*(\d)/);
  return m ? Number(m[1]) : null;
}
