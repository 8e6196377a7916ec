// The real-model section's state: WebLLM's model list (read when the visitor opens the section),
// whether this browser has a GPU that can run one, the download with progress and ETA, problems
// (pasted, or GSM8K / MATH-500 fetched on request), the search + self-judging run on the real model
// folded into the same search view as the tiny tier, the judge-quality table and the exports.
import { checkRealModelGpu, type RealModelGpu } from '../../lib/webllm/gpu-check.ts';
import { defaultRealModel, realModelCatalog, type RealModelInfo } from '../../lib/webllm/catalog.ts';
import { deleteCached, engineKindFromUrl, isCached, loadEngine, type EngineKind, type LoadedEngine } from '../../lib/webllm/engine-source.ts';
import { readProgress, type LoadProgress } from '../../lib/webllm/progress.ts';
import type { BenchmarkName } from '../../lib/webllm/benchmarks.ts';
import type { TierUsage } from '../../lib/webllm/webllm-step-model.ts';
import type { RealProblem, RealRunResult } from '../../lib/webllm/real-run.ts';
import { searchSettings } from '../../lib/psr/search-config.ts';
import { TaskController } from '../../lib/psr/control.ts';
import { pairsToJsonl } from '../../lib/psr/pairs.ts';
import { applySearchEvent, EMPTY_SEARCH_VIEW, type SearchView } from './search-view.ts';
import { errorParts, type ErrorParts } from './task-errors.ts';
import { blobLink, revoke, type DownloadLink } from './downloads.ts';

export class RealModelState {
  readonly engineKind: EngineKind = engineKindFromUrl(typeof location === 'undefined' ? '' : location.search);
  opened = $state(false);
  catalog = $state.raw<RealModelInfo[]>([]);
  gpu = $state.raw<RealModelGpu | null>(null);
  selectedId = $state('');
  cached = $state<Record<string, boolean>>({});
  progress = $state.raw<LoadProgress | null>(null);
  loadedId = $state<string | null>(null);
  loading = $state(false);
  error = $state<ErrorParts | null>(null);
  /** The visitor's own problem. */
  question = $state('');
  gold = $state('');
  problems = $state.raw<RealProblem[]>([]);
  benchmarkLoading = $state(false);
  w = $state(4);
  temperature = $state(0.5);
  maxSteps = $state(12);
  rollouts = $state(true);
  running = $state(false);
  status = $state('');
  view = $state.raw<SearchView>(EMPTY_SEARCH_VIEW);
  result = $state.raw<RealRunResult | null>(null);
  usage = $state.raw<TierUsage | null>(null);
  links = $state.raw<DownloadLink[]>([]);
  private loaded: LoadedEngine | null = null;
  /** The engine of a load that failed: its worker loads the next model (one worker per page). */
  private spare: LoadedEngine | null = null;
  private control: TaskController | null = null;

  get selected(): RealModelInfo | null {
    return this.catalog.find((m) => m.id === this.selectedId) ?? null;
  }
  /** A real download needs a hardware GPU; the scripted replay runs anywhere. */
  get canLoad(): boolean {
    const m = this.selected;
    if (!m || this.loading || this.running) return false;
    if (this.engineKind.kind === 'scripted') return true;
    return this.gpu?.kind === 'hardware' && (!m.needsShaderF16 || this.gpu.hasShaderF16);
  }

  /** Read WebLLM's model list and check the GPU (the first time the section is opened). */
  async open(): Promise<void> {
    if (this.opened) return;
    this.opened = true;
    try {
      const [{ prebuiltAppConfig }, gpu] = await Promise.all([import('@mlc-ai/web-llm'), checkRealModelGpu()]);
      this.gpu = gpu;
      this.catalog = realModelCatalog(prebuiltAppConfig);
      this.selectedId = defaultRealModel(this.catalog, gpu.hasShaderF16)?.id ?? this.catalog[0]?.id ?? '';
      await this.refreshCached();
    } catch (e) {
      // WebLLM's code is a chunk of this site: failing to load it means the page itself is stale or offline.
      this.error = { name: 'RealModelEngineError', message: `WebLLM's code could not be loaded (${errorParts(e).message}); reload the page and open this section again.` };
      this.opened = false;
    }
  }

  async refreshCached(): Promise<void> {
    const out: Record<string, boolean> = {};
    for (const m of this.catalog) out[m.id] = await isCached(this.engineKind, m.id).catch(() => false);
    this.cached = out;
  }

  async load(): Promise<void> {
    const m = this.selected;
    if (!m) return;
    this.loading = true;
    this.error = null;
    this.progress = null;
    try {
      const previous = this.loaded ?? this.spare;
      this.spare = previous;
      this.loaded = null;
      this.loadedId = null;
      this.loaded = await loadEngine(this.engineKind, m.id, (r) => (this.progress = readProgress(r)), previous ?? undefined);
      this.loadedId = m.id;
      this.spare = null;
      if (this.loaded.examples.length > 0 && this.question === '') {
        this.problems = this.loaded.examples;
        this.pick(this.loaded.examples[0]);
      }
    } catch (e) {
      this.error = errorParts(e);
    } finally {
      this.loading = false;
      await this.refreshCached();
    }
  }

  async forget(id: string): Promise<void> {
    await deleteCached(this.engineKind, id);
    await this.refreshCached();
  }

  async fetchBenchmark(name: BenchmarkName, count = 10): Promise<void> {
    this.benchmarkLoading = true;
    this.error = null;
    try {
      const { loadBenchmark } = await import('../../lib/webllm/benchmarks.ts');
      const { problems } = await loadBenchmark(name, { offset: 0, length: count });
      this.problems = problems.map((p) => ({ id: p.id, question: p.question, gold: p.gold }));
      if (problems[0]) {
        this.question = problems[0].question;
        this.gold = problems[0].gold;
      }
    } catch (e) {
      this.error = errorParts(e);
    } finally {
      this.benchmarkLoading = false;
    }
  }

  pick(p: RealProblem): void {
    this.question = p.question;
    this.gold = p.gold ?? '';
  }

  /** Search the question shown, or (all) every loaded benchmark / example problem in turn. */
  async run(all = false): Promise<void> {
    if (!this.loaded || this.question.trim() === '') return;
    // The run's code loads with the first run (the page's first load stays light).
    const [{ WebLlmStepModel }, { runRealSearch }] = await Promise.all([import('../../lib/webllm/webllm-step-model.ts'), import('../../lib/webllm/real-run.ts')]);
    const model = new WebLlmStepModel(this.loaded.engine, this.loadedId!, this.loaded.template);
    const shown: RealProblem = { id: this.problems.find((p) => p.question === this.question)?.id ?? 'own-problem', question: this.question, gold: this.gold.trim() || null };
    const list = all && this.problems.length > 0 ? this.problems : [shown];
    this.running = true;
    this.error = null;
    this.result = null;
    this.view = EMPTY_SEARCH_VIEW;
    this.control = new TaskController();
    this.status = 'Measuring what the shared step prompt costs…';
    try {
      await model.measurePrefill(list[0].question, this.w);
      this.usage = structuredClone(model.usage);
      this.status = 'Sampling the first candidates…';
      this.result = await runRealSearch(model, list, searchSettings({ w: this.w, temperature: this.temperature, maxSteps: this.maxSteps }), 1, {
        control: this.control,
        rollouts: this.rollouts && list.some((p) => p.gold !== null),
        onEvent: (e) => {
          this.view = applySearchEvent(this.view, e);
          this.usage = structuredClone(model.usage);
          const of = list.length > 1 ? ` (problem ${list.findIndex((p) => p.id === this.view.problemId) + 1} of ${list.length})` : '';
          if (e.type === 'candidates') this.status = `Step ${e.step}${of}: judging ${e.candidates.length} distinct candidates in both orders…`;
        },
        onRollout: (done, total) => (this.status = `Continuing chosen and rejected steps to a final answer: pair ${done} of ${total}…`),
      });
      this.usage = structuredClone(model.usage);
      this.status = '';
      this.makeLinks();
    } catch (e) {
      this.error = errorParts(e);
      this.status = '';
    } finally {
      this.running = false;
      this.control = null;
    }
  }

  cancel(): void {
    this.control?.cancel();
    this.loaded?.engine.interruptGenerate();
  }

  private makeLinks(): void {
    const r = this.result;
    if (!r) return;
    revoke(this.links);
    const run = { model: this.loadedId, scripted: this.loaded?.scripted ?? false, settings: { w: this.w, temperature: this.temperature, maxSteps: this.maxSteps }, outcomes: r.outcomes, quality: r.quality, judgments: r.judgments, usage: this.usage, stats: r.pool.stats };
    this.links = [blobLink('real-model-pairs.jsonl', pairsToJsonl(r.pool.pairs), 'application/jsonl'), blobLink('real-model-run.json', JSON.stringify(run, null, 2), 'application/json')];
  }
}
