// Whole solutions of mixed quality with their oracle rubric points, for the cold start of the
// outcome-level (whole-solution) judge of the Self-Rewarding baseline: a simulated solver writes
// valid next steps and, with some probability per step, a realistic wrong one (any mistake kind);
// a wrong final or premature answer ends the solution, as it would for a model.
import { DEFAULT_TEMPLATES, type TemplateSet } from './templates.ts';
import { advance, initialState, judgeStep, scoreSolution } from './checker.ts';
import { MISTAKE_KINDS, validStep, wrongStep } from './mistakes.ts';
import type { Rng } from './rng.ts';
import type { Problem } from './generator.ts';

export interface ScoredSolution {
  problemId: string;
  question: string;
  steps: string[];
  /** Oracle rubric points 0..5 (see scoreSolution). */
  points: number;
}

/** One simulated solution for `problem`: each step is wrong with probability `errorRate`. */
export function simulateSolution(problem: Problem, rng: Rng, errorRate: number, templates: TemplateSet = DEFAULT_TEMPLATES): ScoredSolution {
  let state = initialState(problem.question, templates);
  const steps: string[] = [];
  const cap = problem.steps.length + 4;
  while (!state.finished && steps.length < cap) {
    const n = steps.length + 1;
    let step: string | null = null;
    if (rng.chance(errorRate)) step = wrongStep(templates, state, rng, n, rng.pick(MISTAKE_KINDS.filter((k) => k !== 'malformed')));
    step ??= validStep(templates, state, rng, n);
    if (step === null) break;
    steps.push(step);
    const v = judgeStep(state, step);
    if (v.kind === 'wrong_final_answer' || v.kind === 'premature_answer') break;
    state = advance(state, v);
  }
  return { problemId: problem.id, question: problem.question, steps, points: scoreSolution(problem.question, steps, templates).points };
}
