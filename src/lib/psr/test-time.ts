// Test-time step-wise selection (the paper's comparison with greedy decoding): each held-out
// problem is solved by the same search the loop runs — w candidates per step, every pair judged
// by the model itself, the best candidate appended, rollbacks on ties — and the finished solution
// is graded by the oracle exactly as a greedy one is. The pairs the search forms are discarded.
import type { Problem } from '../math/generator.ts';
import type { Tokenizer } from '../tokenizer/tokenizer.ts';
import { gradeSolution, summariseSolutions, type SolveEvaluation, type SolvedProblem } from './evaluate.ts';
import { searchProblem } from './search.ts';
import type { SearchSettings } from './search-config.ts';
import type { StepModel } from './step-model.ts';
import type { TaskControl } from './control.ts';

export interface SelectionEvaluation extends SolveEvaluation {
  /** Share of problems whose search reached a final step (not the step cap or a full context). */
  finished_rate: number;
  /** Rollbacks per problem (all candidates of a step tied). */
  rollbacks_per_problem: number;
  /** Candidates per step (w) and sampling temperature used. */
  w: number;
  temperature: number;
}

/** Solve `problems` by step-wise self-judged selection; graded per problem and summarised. */
export async function evaluateStepwiseSelection(
  model: StepModel,
  tok: Tokenizer,
  problems: Problem[],
  settings: SearchSettings,
  seed: number | string,
  opts: { onProgress?: (done: number, total: number) => void; control?: TaskControl } = {},
): Promise<{ summary: SelectionEvaluation; solved: SolvedProblem[] }> {
  const solved: SolvedProblem[] = [];
  let finished = 0;
  let rollbacks = 0;
  for (const [i, p] of problems.entries()) {
    const r = await searchProblem(model, { id: p.id, question: p.question }, settings, seed, { control: opts.control }, { index: i, total: problems.length });
    if (r.finished) finished++;
    rollbacks += r.rollbacks;
    solved.push(gradeSolution(p, r.steps, tok));
    opts.onProgress?.(i + 1, problems.length);
  }
  const n = Math.max(1, problems.length);
  return {
    summary: { ...summariseSolutions(solved), finished_rate: finished / n, rollbacks_per_problem: rollbacks / n, w: settings.w, temperature: settings.temperature },
    solved,
  };
}
