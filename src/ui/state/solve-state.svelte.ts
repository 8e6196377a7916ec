// SolveState: the greedy solution of the current problem, streamed step by step from the engine,
// each step with the oracle's badge (teaching only), then the final answer against the true one.
import * as Comlink from 'comlink';
import type { SolveEvent, SolveResult } from '../../lib/api.ts';
import type { EngineTasks } from './engine-tasks.svelte.ts';
import type { ProblemState } from './problem-state.svelte.ts';
import { errorParts, type ErrorParts } from './task-errors.ts';

export class SolveState {
  steps = $state.raw<SolveEvent[]>([]);
  result = $state.raw<SolveResult | null>(null);
  error = $state<ErrorParts | null>(null);
  running = $state(false);

  constructor(
    private readonly tasks: EngineTasks,
    private readonly problem: ProblemState,
  ) {
    problem.onchange(() => this.reset());
  }

  reset(): void {
    this.steps = [];
    this.result = null;
    this.error = null;
  }

  async solve(): Promise<void> {
    const p = this.problem.problem;
    if (!p) return;
    this.reset();
    this.running = true;
    try {
      const result = await this.tasks.run('solve', () =>
        this.tasks.api.solve(
          p.question,
          Comlink.proxy((e: SolveEvent) => {
            if (this.problem.problem?.id === p.id) this.steps = [...this.steps, e];
          }),
        ),
      );
      if (this.problem.problem?.id === p.id) this.result = result;
    } catch (e) {
      this.error = errorParts(e);
    } finally {
      this.running = false;
    }
  }
}
