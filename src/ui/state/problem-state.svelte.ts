// ProblemState: the current problem shared by "Solve" and "Watch the search": a difficulty of the model's world,
// the seed that made it (shown, editable, so a demo can be repeated), and the reference solution
// behind a teaching toggle (fetched from the engine only when asked for). Or the visitor's own
// question, checked first for words the model does not know.
import type { OwnProblemCheck, ProblemView, ReferenceSolution } from '../../lib/api.ts';
import type { EngineTasks } from './engine-tasks.svelte.ts';
import { errorParts, type ErrorParts } from './task-errors.ts';

export function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0] % 1_000_000;
}

export class ProblemState {
  difficulty = $state(2);
  seed = $state(1);
  problem = $state<ProblemView | null>(null);
  reference = $state<ReferenceSolution | null>(null);
  showReference = $state(false);
  error = $state<ErrorParts | null>(null);
  /** "Try your own problem": the typed text and the engine's check of it. */
  ownText = $state('');
  ownCheck = $state.raw<OwnProblemCheck | null>(null);
  private readonly listeners: (() => void)[] = [];

  constructor(private readonly tasks: EngineTasks) {}

  /** Called whenever the problem changes (panels drop their old results). */
  onchange(fn: () => void): void {
    this.listeners.push(fn);
  }

  /** Make the problem for the current seed and difficulty. */
  async make(): Promise<void> {
    this.error = null;
    try {
      const p = await this.tasks.api.newProblem(this.seed, this.difficulty);
      this.problem = p;
      this.reference = null;
      this.showReference = false;
      for (const l of this.listeners) l();
    } catch (e) {
      this.error = errorParts(e);
    }
  }

  /** Check the typed question; when it can run it becomes the current problem. */
  async useOwn(): Promise<void> {
    this.error = null;
    this.ownCheck = null;
    try {
      const check = await this.tasks.api.ownProblem(this.ownText);
      this.ownCheck = check;
      if (check.id !== null) {
        this.problem = { id: check.id, question: check.question, difficulty: 0, seed: 0, own: true };
        this.reference = null;
        this.showReference = false;
        for (const l of this.listeners) l();
      }
    } catch (e) {
      this.error = errorParts(e);
    }
  }

  /** A fresh random seed, then make its problem. */
  async next(): Promise<void> {
    this.seed = randomSeed();
    await this.make();
  }

  async toggleReference(): Promise<void> {
    this.showReference = !this.showReference;
    if (this.showReference && this.problem && this.reference?.id !== this.problem.id) {
      try {
        this.reference = await this.tasks.api.referenceSolution(this.problem.id);
      } catch (e) {
        this.error = errorParts(e);
      }
    }
  }
}
