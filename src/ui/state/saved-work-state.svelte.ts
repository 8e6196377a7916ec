// SavedWorkState: the page's work survives a reload. After every finished iteration the current
// adapter (M_t), the iterations so far and the last outcome are written to IndexedDB; when the
// model loads again they are read back and the engine's model becomes that M_t again. Also the
// visitor's imports (adapter files, pairs JSONL, results metrics.json) and "clear saved data". Storage failures are
// shown by name and never stop the page.
import type { ExportedFile, IterationOutcome } from '../../lib/api.ts';
import { pairsToJsonl } from '../../lib/psr/pairs.ts';
import { ImportError } from '../../lib/errors.ts';
import type { EngineTasks } from './engine-tasks.svelte.ts';
import type { ModelState } from './model-state.svelte.ts';
import type { LoopState } from './loop-state.svelte.ts';
import { WorkStore, type KeptIteration, type SavedWork } from './saved-work.ts';
import { errorParts, type ErrorParts } from './task-errors.ts';
import { parseResultsJson } from './results-import.ts';

export type SavedStatus =
  | { kind: 'none' }
  | { kind: 'saved' | 'restored'; generation: number; iterations: number; savedAt: string }
  | { kind: 'cleared' };

/** "M3-adapter_config.json" → 3 (the page names its exports after the model); null without the prefix. */
export function generationFromName(name: string): number | null {
  const m = /^M(\d+)-adapter_/.exec(name);
  return m ? Number(m[1]) : null;
}

export class SavedWorkState {
  status = $state.raw<SavedStatus>({ kind: 'none' });
  error = $state.raw<ErrorParts | null>(null);
  importMessage = $state('');
  importError = $state.raw<ErrorParts | null>(null);

  constructor(
    private readonly tasks: EngineTasks,
    private readonly model: ModelState,
    private readonly loop: LoopState,
    private readonly store: WorkStore = new WorkStore(),
  ) {
    loop.onFinished = () => this.save();
    loop.onSearched = (kept) => this.keepInterrupted(kept);
    loop.onDiscard = () => this.keepInterrupted(null);
  }

  private key(): string | null {
    return this.model.entry?.path ?? null;
  }

  /** After the model loaded: bring back this base's saved M_t, its iterations and its last pairs. */
  async restore(): Promise<void> {
    const key = this.key();
    const info = this.model.info;
    if (!key || !info) return;
    this.error = null;
    try {
      const saved = await this.store.get(key);
      if (!saved || saved.fingerprint !== info.fingerprint) return;
      if (saved.adapter && saved.generation > info.generation) {
        await this.tasks.run('restore', () => this.tasks.api.importAdapter(saved.adapter!, saved.generation));
        await this.model.refresh();
      }
      if (saved.lastOutcome && saved.lastOutcome.pairs.length > 0) {
        await this.tasks.api.importPairs(pairsToJsonl(saved.lastOutcome.pairs.map((p) => p.pair)));
      }
      this.loop.restore(saved.history, saved.lastOutcome);
      // An iteration of this very M_t interrupted after its search can be resumed.
      const kept = saved.interrupted ?? null;
      const now = this.model.info?.generation;
      this.loop.interrupted = kept && kept.generation === now ? kept : null;
      this.status = { kind: 'restored', generation: saved.generation, iterations: saved.history.length, savedAt: saved.savedAt };
    } catch (e) {
      this.error = errorParts(e);
    }
  }

  /** Write the current model's adapter, the iterations and the last outcome. */
  async save(): Promise<void> {
    const key = this.key();
    const info = this.model.info;
    if (!key || !info) return;
    this.error = null;
    try {
      const { files } = await this.tasks.api.exportAdapter();
      const work: SavedWork = {
        key,
        model: info.name,
        fingerprint: info.fingerprint,
        generation: info.generation,
        adapter: files,
        history: $state.snapshot(this.loop.history) as SavedWork['history'],
        lastOutcome: this.loop.outcome ? ($state.snapshot(this.loop.outcome) as IterationOutcome) : null,
        // A finished iteration supersedes any interrupted one.
        interrupted: null,
        savedAt: new Date().toISOString(),
      };
      await this.store.put(work);
      this.status = { kind: 'saved', generation: work.generation, iterations: work.history.length, savedAt: work.savedAt };
    } catch (e) {
      this.error = errorParts(e);
    }
  }

  /**
   * Keep (or, with null, forget) an iteration whose search finished, so that a reload can resume it
   * from its training. The rest of the record stays as the last finished iteration left it.
   */
  async keepInterrupted(kept: KeptIteration | null): Promise<void> {
    const key = this.key();
    const info = this.model.info;
    if (!key || !info) return;
    try {
      const saved = await this.store.get(key);
      const base: SavedWork =
        saved && saved.fingerprint === info.fingerprint
          ? saved
          : { key, model: info.name, fingerprint: info.fingerprint, generation: info.generation, adapter: null, history: [], lastOutcome: null, savedAt: new Date().toISOString() };
      await this.store.put({ ...base, interrupted: kept });
    } catch (e) {
      this.error = errorParts(e);
    }
  }

  /** Forget everything stored and load the model again from its folder (back to its own M_t). */
  async clear(): Promise<void> {
    this.error = null;
    try {
      await this.store.clear();
    } catch (e) {
      this.error = errorParts(e);
      return;
    }
    this.loop.restore([], null);
    this.status = { kind: 'cleared' };
    await this.model.load();
  }

  /** Run an import: its message on success, its named error otherwise (the engine leaves the model as it was). */
  private async importing(work: () => Promise<string>): Promise<void> {
    this.importError = null;
    this.importMessage = '';
    try {
      this.importMessage = await work();
    } catch (e) {
      this.importError = errorParts(e);
    }
  }

  /** The visitor's adapter files (adapter_config.json + adapter_model.safetensors): the model becomes that M_t. */
  importAdapter(list: FileList | File[]): Promise<void> {
    return this.importing(async () => {
      const files: ExportedFile[] = await Promise.all([...list].map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
      if (files.length !== 2) throw new ImportError(`pick the two adapter files together (adapter_config.json and adapter_model.safetensors); got ${files.length}.`);
      const info = this.model.info;
      const named = files.map((f) => generationFromName(f.name)).find((g) => g !== null) ?? null;
      const generation = named ?? (info ? info.generation + 1 : 2);
      await this.tasks.run('import adapter', () => this.tasks.api.importAdapter(files, generation));
      await this.model.refresh();
      await this.save();
      return `Imported the adapter: the page's model is now M${generation}${named === null ? ' (the file names do not say which M it was; numbered after the current one)' : ''}.`;
    });
  }

  /** The visitor's exported results (metrics.json of the zip): they become the results view's iterations, and are saved. */
  importResults(list: FileList | File[]): Promise<void> {
    return this.importing(async () => {
      const [file] = [...list];
      if (!file) throw new ImportError('pick the metrics.json of the page\'s zip export.');
      const info = this.model.info;
      if (!info) throw new ImportError('load a model first: results belong to the model they were measured on.');
      const history = parseResultsJson(await file.text(), info.name);
      this.loop.restore(history, this.loop.outcome);
      await this.save();
      const last = history.at(-1);
      const reached = last ? (last.failed ? last.from : last.to) : null;
      const note = reached && reached !== `M${info.generation}` ? ` They end at ${reached} and the page's model is M${info.generation}: import that adapter too to go on from it.` : '';
      return `Imported ${history.length} iteration${history.length === 1 ? '' : 's'} from ${file.name} into the results.${note}`;
    });
  }

  /** The visitor's Step-DPO JSONL: validated line by line, then shown and exportable as the last pairs. */
  importPairs(list: FileList | File[]): Promise<void> {
    return this.importing(async () => {
      const [file] = [...list];
      if (!file) throw new ImportError('pick a .jsonl file of pairs (as exported by "Pairs (Step-DPO JSONL)").');
      const n = await this.tasks.api.importPairs(await file.text());
      this.loop.pairsAvailable = n;
      return `Imported ${n} pairs from ${file.name}: "Pairs (Step-DPO JSONL)" exports them again.`;
    });
  }
}
