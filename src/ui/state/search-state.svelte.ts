// SearchState: "watch the search" for the current problem — settings (w, temperature, max steps; defaults and ranges from the settings table),
// the engine task, and a paced replay: events are buffered as they arrive and folded into the
// view one by one with a pause per kind of event, so a class can follow each candidate, judgment
// and decision. The pace can change (or skip to the end) while the search runs.
import * as Comlink from 'comlink';
import type { SearchOutcome, SearchViewEvent } from '../../lib/api.ts';
import type { EngineTasks } from './engine-tasks.svelte.ts';
import type { ProblemState } from './problem-state.svelte.ts';
import { applySearchEvent, EMPTY_SEARCH_VIEW, type SearchView } from './search-view.ts';
import { errorParts, type ErrorParts } from './task-errors.ts';
import { PAGE_SEARCH_INPUTS, presetValue } from '../../lib/settings/table.ts';
import { settingProblem } from '../../lib/settings/validate.ts';

export const PACES = [
  { label: 'Instant', factor: 0 },
  { label: 'Fast', factor: 0.35 },
  { label: 'Readable', factor: 1 },
  { label: 'Slow', factor: 2.2 },
] as const;

/** Milliseconds shown per event at the 'Readable' pace. */
const BASE_MS: Record<SearchViewEvent['type'], number> = {
  'problem-start': 300, candidates: 900, judgment: 180, scores: 700, oracle: 300, pair: 400, accept: 700, rollback: 1200, 'problem-end': 0, 'pool-end': 0,
};

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Where a step-through replay waits for Continue: after the candidates, after the judgments are scored, after each decision. */
const STOPS: Partial<Record<SearchViewEvent['type'], string>> = {
  candidates: 'the candidates were sampled',
  scores: 'the judge compared every pair',
  accept: 'a step was accepted',
  rollback: 'the search rolled back',
};

export class SearchState {
  w = $state(presetValue('w', 'demo'));
  temperature = $state(presetValue('temperature', 'demo'));
  maxSteps = $state(presetValue('maxSteps', 'demo'));
  /** Inputs whose values are out of range (the Run button is disabled while any is). */
  readonly invalid = $derived(PAGE_SEARCH_INPUTS.filter((k) => settingProblem(k, this[k]) !== null));
  pace = $state(2);
  view = $state.raw<SearchView>(EMPTY_SEARCH_VIEW);
  outcome = $state.raw<SearchOutcome | null>(null);
  error = $state<ErrorParts | null>(null);
  running = $state(false);
  animating = $state(false);
  queued = $state(0);
  /** Step through: the replay pauses at each stop until Continue (the search itself runs on ahead). */
  stepThrough = $state(false);
  /** What the replay is waiting after, in step-through mode; null when it is not waiting. */
  waiting = $state<string | null>(null);
  private release: (() => void) | null = null;
  private queue: SearchViewEvent[] = [];
  private epoch = 0;

  constructor(
    private readonly tasks: EngineTasks,
    private readonly problem: ProblemState,
  ) {
    problem.onchange(() => this.reset());
  }

  reset(): void {
    this.continue();
    this.epoch++;
    this.queue = [];
    this.queued = 0;
    this.animating = false;
    this.view = EMPTY_SEARCH_VIEW;
    this.outcome = null;
    this.error = null;
  }

  private push(epoch: number, e: SearchViewEvent): void {
    if (epoch !== this.epoch) return;
    this.queue.push(e);
    this.queued = this.queue.length;
    if (!this.animating) void this.drain(epoch);
  }

  private async drain(epoch: number): Promise<void> {
    this.animating = true;
    while (this.queue.length > 0 && epoch === this.epoch) {
      const e = this.queue.shift()!;
      this.view = applySearchEvent(this.view, e);
      this.queued = this.queue.length;
      const stop = STOPS[e.type];
      if (this.stepThrough && stop) {
        this.waiting = stop;
        await new Promise<void>((r) => (this.release = r));
        continue;
      }
      const ms = BASE_MS[e.type] * PACES[this.pace].factor;
      if (ms > 0) await sleep(ms);
    }
    if (epoch === this.epoch) this.animating = false;
  }

  async run(): Promise<void> {
    const p = this.problem.problem;
    if (!p) return;
    this.reset();
    const epoch = this.epoch;
    this.running = true;
    try {
      const outcome = await this.tasks.run('search', () =>
        this.tasks.api.searchOneProblem(
          p.question,
          { w: this.w, temperature: this.temperature, maxSteps: this.maxSteps },
          Comlink.proxy((e: SearchViewEvent) => this.push(epoch, e)),
        ),
      );
      if (epoch === this.epoch) this.outcome = outcome;
    } catch (e) {
      if (epoch === this.epoch) this.error = errorParts(e);
    } finally {
      this.running = false;
    }
  }

  /** Step through: show the next part of the search. */
  continue(): void {
    this.waiting = null;
    const r = this.release;
    this.release = null;
    r?.();
  }

  /** Show everything buffered so far at once (and keep the instant pace; step-through ends). */
  skip(): void {
    this.pace = 0;
    this.stepThrough = false;
    this.continue();
  }
}
