// LoopState: "run an iteration" — its settings, Start / Pause / Resume / Cancel, the live view
// folded from the engine's events, the outcome (pairs with oracle quality labels, before / after
// evaluation) and the exports (Step-DPO JSONL pairs, PEFT adapter files) as downloads.
import * as Comlink from 'comlink';
import type { InterruptedIteration, IterationEvent, IterationOutcome, IterationSettings } from '../../lib/api.ts';
import { pairsToJsonl } from '../../lib/psr/pairs.ts';
import { PAGE_ITERATION_INPUTS, presetValue, type RunSettings } from '../../lib/settings/table.ts';
import { settingProblem } from '../../lib/settings/validate.ts';
import type { EngineTasks } from './engine-tasks.svelte.ts';
import type { ModelState } from './model-state.svelte.ts';
import { applyLoopEvent, EMPTY_LOOP_VIEW, type LoopView } from './loop-view.ts';
import { blobLink, clickDownload, revoke, type DownloadLink } from './downloads.ts';
import { errorParts, type ErrorParts } from './task-errors.ts';
import { recordOf, type IterationRecord, type KeptIteration } from './saved-work.ts';
import { exportBundle } from './export-bundle.ts';
import { isStepStop } from '../../lib/lab/step-through.ts';

export type PageIterationSettings = Pick<RunSettings, (typeof PAGE_ITERATION_INPUTS)[number]>;

/** The page's inputs at the settings table's demo values (small enough for a live demo on a laptop CPU). */
export function pageIterationDefaults(): PageIterationSettings {
  return Object.fromEntries(PAGE_ITERATION_INPUTS.map((k) => [k, presetValue(k, 'demo')])) as PageIterationSettings;
}

export class LoopState {
  settings = $state<PageIterationSettings>(pageIterationDefaults());
  /** Inputs whose values are out of range (Start is disabled while any is). */
  readonly invalid = $derived(PAGE_ITERATION_INPUTS.filter((k) => settingProblem(k, this.settings[k]) !== null));
  view = $state.raw<LoopView>(EMPTY_LOOP_VIEW);
  outcome = $state.raw<IterationOutcome | null>(null);
  error = $state<ErrorParts | null>(null);
  running = $state(false);
  /** The last iteration was cancelled by the visitor (the page's model did not change). */
  cancelled = $state(false);
  /** The models of the running (or last) iteration, e.g. M1 → M2. */
  from = $state('');
  to = $state('');
  /** Every finished iteration on this model (this visit and, restored from storage, earlier ones), oldest first. */
  history = $state.raw<IterationRecord[]>([]);
  /** Wall clock of the running iteration (ms since it started, ticking every second) and when its search began. */
  elapsedMs = $state(0);
  private startedAt = 0;
  private searchStartedAt: number | null = null;
  private searchStartedDone = 0;
  /** Pairs the engine would export now (the last iteration's, restored or imported ones). */
  pairsAvailable = $state(0);
  /** Called after every finished iteration (the page saves its work there). */
  onFinished: ((o: IterationOutcome) => Promise<void>) | null = null;
  /** An iteration of the current M_t that finished its search but not its training (restored after a reload): Resume trains on its pairs. */
  interrupted = $state.raw<KeptIteration | null>(null);
  /** Called when a search finishes (the page keeps its pairs to resume) and when the kept iteration is dropped. */
  onSearched: ((kept: KeptIteration) => Promise<void>) | null = null;
  /** The running iteration's finished search is in storage (a reload from here on can resume it). */
  searchKept = $state(false);
  onDiscard: (() => Promise<void>) | null = null;
  pairsLink = $state.raw<DownloadLink | null>(null);
  adapterLinks = $state.raw<DownloadLink[]>([]);
  exportError = $state<ErrorParts | null>(null);
  bundleLink = $state.raw<DownloadLink | null>(null);
  /** Step through: the iteration pauses after each problem's search and after each training step, until Next. */
  stepThrough = $state(false);
  /** In step-through, what the iteration paused after (null while it runs on). */
  waitingAfter = $state<string | null>(null);
  /** Step-through stops of the running iteration so far. */
  stops = $state(0);

  constructor(
    private readonly tasks: EngineTasks,
    private readonly model: ModelState,
  ) {}

  /** "Run a toy iteration" on the first screen: the page's default settings, then Start. */
  runToy(): Promise<void> {
    this.settings = pageIterationDefaults();
    return this.start();
  }

  /** Resume the kept interrupted iteration: train and evaluate on its pairs (its search is not run again). */
  resumeInterrupted(): Promise<void> {
    return this.start(this.interrupted ?? undefined);
  }

  /** Drop the kept interrupted iteration (here and in storage). */
  async discardInterrupted(): Promise<void> {
    this.interrupted = null;
    await this.onDiscard?.();
  }

  async start(resume?: InterruptedIteration): Promise<void> {
    const t = this.model.info?.generation ?? 1;
    this.from = `M${t}`;
    this.to = `M${t + 1}`;
    this.view = EMPTY_LOOP_VIEW;
    this.outcome = null;
    this.error = null;
    this.cancelled = false;
    this.searchKept = false;
    this.stops = 0;
    this.running = true;
    this.startedAt = performance.now();
    this.elapsedMs = 0;
    this.searchStartedAt = null;
    const tick = setInterval(() => (this.elapsedMs = performance.now() - this.startedAt), 1000);
    try {
      await this.tasks.api.setStepThrough(this.stepThrough);
      this.outcome = await this.tasks.run('iteration', () =>
        this.tasks.api.runIteration(
          $state.snapshot(this.settings),
          Comlink.proxy((e: IterationEvent) => {
            this.view = applyLoopEvent(this.view, e);
            const stop = this.stepThrough ? stepStop(e, this.view) : null;
            if (stop) {
              // The engine paused itself as it sent this event (lab/step-through.ts): its next read-back waits for Next.
              this.waitingAfter = stop;
              this.stops++;
              this.tasks.paused = true;
            }
            if (this.view.stage === 'search' && this.searchStartedAt === null) {
              this.searchStartedAt = performance.now();
              this.searchStartedDone = this.view.problemsDone;
            }
            if (e.type === 'searched' && !e.resumed) void this.keep(t, e);
          }),
          resume ? ($state.snapshot(resume) as InterruptedIteration) : undefined,
        ),
      );
      this.interrupted = null;
      await this.model.refresh();
      this.pairsAvailable = this.outcome.pairs.length;
      this.history = [...this.history, recordOf(this.outcome)];
      await this.onFinished?.(this.outcome);
    } catch (e) {
      const err = errorParts(e);
      // A cancel is what the visitor asked for: the status line says so, it is not shown as an error.
      if (err.name === 'CancelledError') {
        this.cancelled = true;
        await this.discardInterrupted();
      } else this.error = err;
    } finally {
      clearInterval(tick);
      this.running = false;
      this.waitingAfter = null;
    }
  }

  /** Turn step-through on or off (also during an iteration: off lets it run on after the next Next). */
  async setStepThrough(on: boolean): Promise<void> {
    this.stepThrough = on;
    await this.tasks.api.setStepThrough(on);
    // Turned off while waiting (or while a stop was on its way): go on.
    if (!on && this.running) await this.next();
  }

  /** Step-through: go on to the next stop. */
  async next(): Promise<void> {
    this.waitingAfter = null;
    await this.tasks.resume();
  }

  /** Keep a finished search (its pairs and the settings it ran with) so that a reload can resume the iteration. */
  private async keep(t: number, e: Extract<IterationEvent, { type: 'searched' }>): Promise<void> {
    const kept: KeptIteration = {
      generation: t,
      settings: $state.snapshot(this.settings) as Partial<IterationSettings>,
      pairsJsonl: pairsToJsonl(e.pairs),
      pairs: e.pairs.length,
      searchStats: e.searchStats,
      srlmStats: e.srlmStats,
      savedAt: new Date().toISOString(),
    };
    this.interrupted = kept;
    await this.onSearched?.(kept);
    this.searchKept = true;
  }

  /** Seconds the search still needs at its pace so far, at `elapsedMs` into the iteration (null before a problem is done or outside the search). */
  searchEtaSeconds(elapsedMs: number): number | null {
    const v = this.view;
    if (v.stage !== 'search' || this.searchStartedAt === null || !v.problem) return null;
    const done = v.problemsDone - this.searchStartedDone;
    if (done < 1) return null;
    const perProblem = (this.startedAt + elapsedMs - this.searchStartedAt) / done;
    return Math.max(0, ((v.problem.total - v.problemsDone) * perProblem) / 1000);
  }

  /** Show an iteration restored from storage as if it had just finished (its pairs, before / after). */
  restore(history: IterationRecord[], last: IterationOutcome | null): void {
    this.history = history;
    this.outcome = last;
    this.pairsAvailable = last?.pairs.length ?? 0;
    this.from = last?.from ?? '';
    this.to = last?.to ?? '';
    this.view = last
      ? { ...EMPTY_LOOP_VIEW, stage: 'done', before: last.before, after: last.report.evaluation, report: last.report, pairs: last.pairs.length }
      : EMPTY_LOOP_VIEW;
  }

  async exportPairs(): Promise<void> {
    this.exportError = null;
    try {
      const text = await this.tasks.api.exportPairs();
      if (this.pairsLink) revoke([this.pairsLink]);
      this.pairsLink = blobLink(`psr-pairs-${this.from || 'M1'}.jsonl`, text, 'application/jsonl');
      clickDownload(this.pairsLink);
    } catch (e) {
      this.exportError = errorParts(e);
    }
  }

  /** Everything in one zip: adapter, last pairs, metrics (JSON, CSV) and a README on loading them. */
  async exportAll(): Promise<void> {
    this.exportError = null;
    try {
      const { files } = await this.tasks.api.exportAdapter();
      const pairs = this.pairsAvailable > 0 ? await this.tasks.api.exportPairs() : null;
      const label = this.model.label || 'M1';
      const zip = await exportBundle({ label, modelName: this.model.info?.name ?? 'model', adapter: files, pairsJsonl: pairs, history: $state.snapshot(this.history) as IterationRecord[] });
      if (this.bundleLink) revoke([this.bundleLink]);
      this.bundleLink = blobLink(`psr-lab-${label}.zip`, zip as Uint8Array<ArrayBuffer>, 'application/zip');
      clickDownload(this.bundleLink);
    } catch (e) {
      this.exportError = errorParts(e);
    }
  }

  async exportAdapter(): Promise<void> {
    this.exportError = null;
    try {
      const { files } = await this.tasks.api.exportAdapter();
      revoke(this.adapterLinks);
      const label = this.model.label || 'model';
      this.adapterLinks = files.map((f) => blobLink(`${label}-${f.name}`, f.bytes as Uint8Array<ArrayBuffer>, f.name.endsWith('.json') ? 'application/json' : 'application/octet-stream'));
    } catch (e) {
      this.exportError = errorParts(e);
    }
  }
}

/** What a step-through iteration stopped after (lab/step-through.ts decides where it stops), or null. */
export function stepStop(e: IterationEvent, v: LoopView): string | null {
  if (!isStepStop(e)) return null;
  if (e.type === 'search' && e.event.type === 'problem-end') {
    const p = e.event;
    const of = v.problem ? ` of ${v.problem.total}` : '';
    return `the search of problem ${v.problemsDone}${of}: ${p.steps.length} step${p.steps.length === 1 ? '' : 's'} accepted, ${p.pairs} pair${p.pairs === 1 ? '' : 's'} kept`;
  }
  if (e.type === 'train-step') return `training step ${e.entry.step}: loss ${e.entry.loss.toFixed(4)}, margin ${e.entry.margin.toFixed(3)}`;
  return null;
}
