// BenchState: the bench page's view of a benchmark running in the engine worker — options, progress,
// the streamed partial report (a $state.raw snapshot, replaced on every step) and the final one.
import * as Comlink from 'comlink';
import type { BenchProgress, BenchReport } from '../../lib/api.ts';
import type { EngineTasks } from './engine-tasks.svelte.ts';
import { decoderRaceTable, matmulTable, throughputTable, type Table } from '../../lib/bench/tables.ts';

export type BenchRun =
  | { kind: 'idle' }
  | { kind: 'running'; stage: string; done: number; total: number }
  | { kind: 'done' }
  | { kind: 'failed'; name: string; message: string };

export class BenchState {
  quick = $state(true);
  ort = $state(false);
  run = $state<BenchRun>({ kind: 'idle' });
  report = $state.raw<BenchReport | null>(null);
  readonly matmul = $derived<Table | null>(this.report ? matmulTable(this.report) : null);
  readonly throughput = $derived<Table | null>(this.report ? throughputTable(this.report) : null);
  readonly decoderRace = $derived<Table | null>(this.report ? decoderRaceTable(this.report) : null);
  readonly json = $derived(this.report ? JSON.stringify(this.report, null, 2) : '');

  constructor(private readonly tasks: EngineTasks) {}

  get running(): boolean {
    return this.run.kind === 'running';
  }

  async start(): Promise<void> {
    this.run = { kind: 'running', stage: 'starting', done: 0, total: 1 };
    this.report = null;
    try {
      // Through the page's task rule: while it runs no other task can start (and the engine refuses one).
      const final = await this.tasks.run('benchmark', () =>
        this.tasks.api.bench(
          { quick: this.quick, ort: this.ort },
          Comlink.proxy((p: BenchProgress) => {
            this.report = p.report;
            if (this.run.kind === 'running') this.run = { kind: 'running', stage: p.stage, done: p.done, total: p.total };
          }),
        ),
      );
      this.report = final;
      this.run = { kind: 'done' };
    } catch (e) {
      const err = e as { name?: unknown; message?: unknown };
      this.run = {
        kind: 'failed',
        name: typeof err?.name === 'string' ? err.name : 'Error',
        message: typeof err?.message === 'string' ? err.message : String(e),
      };
    }
  }
}
