// ModelState: the shipped model as the page sees it — which one (public/models/index.json), on
// which backend (Auto / WebGPU / CPU-WASM, also settable with ?backend=), loading progress, and
// the engine's ModelInfo once loaded. Changing the backend reloads the model and keeps its adapter.
import * as Comlink from 'comlink';
import type { BackendChoice, ExportedFile, ModelInfo } from '../../lib/api.ts';
import type { EngineTasks } from './engine-tasks.svelte.ts';
import { errorParts } from './task-errors.ts';
import { presetValue } from '../../lib/settings/table.ts';
import { settingProblem } from '../../lib/settings/validate.ts';

export interface ModelEntry {
  name: string;
  /** Folder path relative to models/ (e.g. "psr-tiny/"). */
  path: string;
  description: string;
}

export type ModelLoadState =
  | { kind: 'idle' }
  | { kind: 'loading'; stage: string; fraction: number }
  | { kind: 'ready'; info: ModelInfo }
  | { kind: 'failed'; name: string; message: string };

export const DEFAULT_MODEL: ModelEntry = { name: 'psr-tiny', path: 'psr-tiny/', description: 'The embedded tiny math model (M1 adapter).' };

/** ?backend=auto|webgpu|wasm|cpu in the page URL (for demos on odd machines and for tests); otherwise the table's default. */
export function backendFromUrl(search: string): BackendChoice {
  const b = new URLSearchParams(search).get('backend');
  return settingProblem('backend', b) === null ? (b as BackendChoice) : presetValue('backend', 'demo');
}

/** The first model of models/index.json, or the default when the index cannot be read. */
async function defaultEntry(modelsUrl: URL): Promise<ModelEntry> {
  try {
    const res = await fetch(new URL('index.json', modelsUrl));
    const list = (await res.json()) as { models?: ModelEntry[] } | ModelEntry[];
    const first = Array.isArray(list) ? list[0] : list.models?.[0];
    if (first && typeof first.path === 'string' && typeof first.name === 'string') return first;
  } catch {
    // fall through to the default
  }
  return DEFAULT_MODEL;
}

export class ModelState {
  state = $state<ModelLoadState>({ kind: 'idle' });
  backend = $state<BackendChoice>(presetValue('backend', 'demo'));
  entry = $state<ModelEntry | null>(null);
  readonly info = $derived(this.state.kind === 'ready' ? this.state.info : null);
  readonly label = $derived(this.info ? `M${this.info.generation}` : '');
  /** Finished loads (and restores) so far: scripts and tests wait for it to move. */
  loads = $state(0);
  /** Runs after every successful load (the page restores its saved work there). */
  afterLoad: (() => Promise<void>) | null = null;
  /** The generation the model had when it was loaded: above it, iterations trained it here (and a reload would lose that). */
  private loadedGeneration = $state<number | null>(null);
  readonly trainedHere = $derived(this.info !== null && this.loadedGeneration !== null && this.info.generation > this.loadedGeneration);

  constructor(
    private readonly tasks: EngineTasks,
    backend: BackendChoice,
  ) {
    this.backend = backend;
  }

  /** Load the model from its folder, restore the page's saved work, and give back a `carry`-ied adapter if it is newer. */
  async load(carry: { generation: number; files: ExportedFile[] } | null = null): Promise<void> {
    const modelsUrl = new URL('models/', document.baseURI);
    this.state = { kind: 'loading', stage: 'reading the model list', fraction: 0 };
    try {
      const entry = this.entry ?? (await defaultEntry(modelsUrl));
      this.entry = entry;
      const baseUrl = new URL(entry.path, modelsUrl).href;
      const info = await this.tasks.run('load model', () =>
        this.tasks.api.loadModel(
          { baseUrl, name: entry.name, backend: this.backend },
          Comlink.proxy((stage: string, fraction: number) => {
            if (this.state.kind === 'loading') this.state = { kind: 'loading', stage, fraction };
          }),
        ),
      );
      this.state = { kind: 'ready', info };
      this.loadedGeneration = info.generation;
    } catch (e) {
      this.state = { kind: 'failed', ...errorParts(e) };
      return;
    }
    await this.afterLoad?.();
    if (carry && this.info && this.info.generation < carry.generation) {
      try {
        await this.tasks.run('import adapter', () => this.tasks.api.importAdapter(carry.files, carry.generation));
        await this.refresh();
      } catch (e) {
        this.state = { kind: 'failed', ...errorParts(e) };
      }
    }
    this.loads++;
  }

  /**
   * Switch the backend: the model is loaded again from its folder on the new backend. A model trained
   * here keeps its adapter: it is taken from the engine before and given back after (the page's
   * storage would restore it too, but storage may be off).
   */
  async setBackend(b: BackendChoice): Promise<void> {
    if (b === this.backend && this.state.kind === 'ready') return;
    const carry = this.trainedHere && this.info ? { generation: this.info.generation, files: (await this.tasks.api.exportAdapter()).files } : null;
    this.backend = b;
    await this.load(carry);
  }

  /** Re-read ModelInfo after the engine's model changed (an iteration made M_{t+1}). */
  async refresh(): Promise<void> {
    const info = await this.tasks.api.modelInfo();
    if (info) this.state = { kind: 'ready', info };
  }
}
