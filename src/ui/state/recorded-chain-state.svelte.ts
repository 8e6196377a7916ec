// RecordedChainState: the multi-seed chain recorded with `psr run` and shipped beside the model
// (chain/chain.json, read by the engine), summarised per method with intervals, and "check it
// yourself": the engine re-solves the chain's held-out problems with M1 and with the shipped adapter
// and the page compares each answer with the record. Progress with an ETA; the model is unchanged.
import * as Comlink from 'comlink';
import type { RecordedChain, RecordedCheckResult } from '../../lib/api.ts';
import { compareWithRecord, type ChainMethodSummary, type RecordedChainView } from '../../lib/psr/chain.ts';
import { pooledPairedGain, type PooledGain } from '../../lib/psr/run-summary.ts';
import type { EngineTasks } from './engine-tasks.svelte.ts';
import { errorParts, type ErrorParts } from './task-errors.ts';

export type ChainCheck =
  | { kind: 'idle' }
  | { kind: 'running'; fraction: number; startedAt: number; now: number }
  | { kind: 'done'; result: RecordedCheckResult }
  | { kind: 'failed'; error: ErrorParts };

/** Problems the check can solve: a quick look, a fair sample, or the record's whole set. */
export const CHECK_SIZES = [24, 80, 0] as const;

export class RecordedChainState {
  chain = $state.raw<RecordedChain | null>(null);
  /** True once the engine answered (with a chain or with none). */
  loaded = $state(false);
  loadError = $state<ErrorParts | null>(null);
  /** Problems to re-solve; 0 = the record's whole evaluation set. */
  size = $state<number>(CHECK_SIZES[0]);
  check = $state<ChainCheck>({ kind: 'idle' });

  /** Per variant: mean ± sd per model and the pooled change (summarised in the engine worker). */
  methods = $state.raw<ChainMethodSummary[]>([]);
  /** The first variant minus each other one at the last model. */
  differences = $state.raw<RecordedChainView['differences']>([]);
  /** The check's answers against the record's: agreement per model and the live gain with its interval. */
  readonly comparison = $derived.by(() => {
    const c = this.chain;
    if (!c?.adapter || this.check.kind !== 'done') return null;
    const r = this.check.result;
    const run = c.runs.find((x) => x.label === c.adapter!.label && x.seed === c.adapter!.seed);
    const last = run?.models.find((m) => m.label === c.adapter!.model);
    if (!run || !last) return null;
    const live: PooledGain = pooledPairedGain([r.before], [r.after], 'check');
    return {
      before: compareWithRecord(run.models[0].correct, r.indices, r.before),
      after: compareWithRecord(last.correct, r.indices, r.after),
      live,
      recorded: pooledPairedGain([r.indices.map((i) => Number(run.models[0].correct[i]))], [r.indices.map((i) => Number(last.correct[i]))], 'check-record'),
    };
  });

  /** The model is loaded (the engine can read its folder) and the section is near the screen: both needed to load. */
  private ready = false;
  private seen = false;

  constructor(private readonly tasks: EngineTasks) {}

  /** The engine has a model: load now if the section was already seen. */
  modelReady(): void {
    this.ready = true;
    this.loaded = false;
    if (this.seen) void this.load();
  }

  /** The section came near the screen: load once the model is there (nothing is read or drawn before). */
  sectionSeen(): void {
    if (this.seen) return;
    this.seen = true;
    if (this.ready) void this.load();
  }

  async load(): Promise<void> {
    try {
      const view = await this.tasks.api.recordedChain();
      this.chain = view?.chain ?? null;
      this.methods = view?.methods ?? [];
      this.differences = view?.differences ?? [];
      this.loadError = null;
    } catch (e) {
      this.chain = null;
      this.loadError = errorParts(e);
    }
    this.loaded = true;
  }

  get running(): boolean {
    return this.check.kind === 'running';
  }

  /** Seconds left at the pace so far (null until there is a pace to go by). */
  etaSeconds(): number | null {
    const c = this.check;
    if (c.kind !== 'running' || c.fraction < 0.02) return null;
    const spent = (c.now - c.startedAt) / 1000;
    return (spent * (1 - c.fraction)) / c.fraction;
  }

  async runCheck(): Promise<void> {
    const total = this.chain?.evalSet.problems ?? 0;
    const n = this.size === 0 ? total : Math.min(this.size, total);
    const startedAt = performance.now();
    this.check = { kind: 'running', fraction: 0, startedAt, now: startedAt };
    try {
      const result = await this.tasks.run('check the recorded chain', () =>
        this.tasks.api.checkRecordedChain(
          n,
          Comlink.proxy((_stage: string, fraction: number) => {
            if (this.check.kind === 'running') this.check = { kind: 'running', fraction, startedAt, now: performance.now() };
          }),
        ),
      );
      this.check = { kind: 'done', result };
    } catch (e) {
      this.check = { kind: 'failed', error: errorParts(e) };
    }
  }
}
