// Greedy solving, one step at a time so the page can show each step as soon as it exists: the
// model writes its next step at temperature 0 after the question and its own earlier steps,
// until it ends the solution, reaches maxSteps or fills its context. Each streamed step carries
// the oracle's verdict for the teaching display (computed after the step was written).
import { extractAnswer } from '../math/parse-output.ts';
import { createRng } from '../math/rng.ts';
import { ContextFullError } from '../errors.ts';
import { checkpoint, type TaskControl } from '../psr/control.ts';
import type { StepModel } from '../psr/step-model.ts';
import { oracleLabel, trueAnswer } from './oracle.ts';
import type { SolveEvent, SolveResult } from './types.ts';

export async function solveStepwise(
  model: StepModel,
  question: string,
  maxSteps: number,
  onEvent: (e: SolveEvent) => void,
  control?: TaskControl,
): Promise<SolveResult> {
  const t0 = performance.now();
  const steps: string[] = [];
  let stop: SolveResult['stop'] = 'max-steps';
  while (steps.length < maxSteps) {
    await checkpoint(control, `while solving (after ${steps.length} steps)`);
    let next;
    try {
      [next] = await model.sampleSteps(question, steps, 1, { temperature: 0, topP: 1 }, createRng(0));
    } catch (e) {
      if (e instanceof ContextFullError) {
        stop = 'context-full';
        break;
      }
      throw e;
    }
    onEvent({ type: 'step', index: steps.length + 1, text: next.text, final: next.final, oracle: oracleLabel(question, steps, next.text) });
    steps.push(next.text);
    if (next.final) {
      stop = 'final';
      break;
    }
  }
  const answer = steps.length > 0 ? extractAnswer(steps[steps.length - 1]) : null;
  const truth = trueAnswer(question);
  return { steps, answer, trueAnswer: truth, correct: answer !== null && answer === truth, stop, ms: performance.now() - t0 };
}
