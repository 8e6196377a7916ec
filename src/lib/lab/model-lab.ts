// ModelLab: the loaded model and the app's tasks on it (load, problems, solve, search, one
// iteration, export), behind the Engine's EngineApi methods. Holds M_t: the frozen base weights,
// the current LoRA adapter and inference parameters on the chosen backend; an iteration replaces
// the adapter (the model becomes M_{t+1}). One task at a time (TaskGate), cancellable, pausable.
import { loadModel, type LoadedModel } from '../model/load-model.ts';
import type { FileSource } from '../formats/files.ts';
import { loadAdapter, saveAdapter, peftFileName, CHECKPOINT_FILES } from '../model/checkpoint.ts';
import { MemoryFiles } from '../formats/memory-files.ts';
import { ModelParams, keepQuantized } from '../model/params.ts';
import type { Backend } from '../backend/backend.ts';
import { chooseBackend, createBackend } from '../backend/choice.ts';
import { WasmBackend } from '../backend/wasm-backend.ts';
import type { ThreadSpawner } from '../cpu/threads/pool.ts';
import type { GpuContext } from '../gpu/context.ts';
import type { LoraAdapter } from '../model/lora.ts';
import { defaultWorldConfig } from '../math/config.ts';
import { contentHash, generateProblems, type Problem } from '../math/generator.ts';
import { TinyStepModel, tinyStepOptionsFor } from '../psr/step-model.ts';
import { startAdapter } from '../psr/plan.ts';
import { ITERATION_KEYS, SEARCH_KEYS, presetSettings, presetValue } from '../settings/table.ts';
import { checkSetting, validateSubset } from '../settings/validate.ts';
import type { ModelEvaluation } from '../psr/loop.ts';
import { pairsToJsonl, parsePairsJsonl, type PreferencePair } from '../psr/pairs.ts';
import { ImportError, InvalidInputError, NoModelError, NothingToExportError } from '../errors.ts';
import { TaskGate } from './task-gate.ts';
import { isStepStop } from './step-through.ts';
import { solveStepwise } from './solve-task.ts';
import { searchWithOracle } from './search-task.ts';
import { resumableIteration, runOneIteration } from './iteration-task.ts';
import { checkOwnProblem, type OwnProblemCheck } from './own-problem.ts';
import { checkWithOnnxRuntime, onnxExportFiles } from './onnx-check-task.ts';
import { countAdapter, countWeights, fingerprintOf } from './model-facts.ts';
import { CHAIN_DIR, checkRecordedChain, readRecordedChain } from './recorded-chain-task.ts';
import { chainView, type RecordedChainView } from '../psr/chain.ts';
import type { Ort, OrtEp } from '../onnx/ort-decoder.ts';
import type { OnnxQuant } from '../onnx/quant-labels.ts';
import type {
  ExportedFile, IterationEvent, IterationOutcome, IterationSettings, LoadModelOptions, ModelInfo, ProblemView,
  InterruptedIteration, OnnxCheckResult, RecordedCheckResult, ReferenceSolution, SearchOutcome, SearchRequest, SearchViewEvent, SolveEvent, SolveOptions, SolveResult, TaskStatus,
} from './types.ts';

/** 384 MiB: the tiny model, its LoRA optimizer state, decoders and training activations, with room to spare. */
export const BROWSER_WASM_ARENA_BYTES = 384 * 1024 * 1024;

/** How many kernel threads the wasm backend may start here, how, and why not more. */
export interface WasmThreadPlan {
  /** Threads in all (≥ 1; 1 = none started). */
  count: number;
  spawn: ThreadSpawner;
  /** Why not more (shown on the page), or null. */
  note: string | null;
}

export interface LabOptions {
  /** The GPU context (the Engine's, acquired lazily); rejects with the device error when there is none. */
  gpu: () => Promise<GpuContext>;
  /** A FileSource for a model folder URL (the browser: FetchFiles; Node tests: a directory). */
  files: (baseUrl: string) => FileSource;
  wasmBytes?: number;
  /** Kernel threads for the wasm backend (absent: one thread). */
  threads?: WasmThreadPlan;
}

interface Loaded {
  info: ModelInfo;
  /** The model folder's URL (ends with "/"): its chain/ is read from there. */
  base: string;
  model: LoadedModel;
  backend: Backend;
  adapter: LoraAdapter;
  params: ModelParams;
  /** Stops the backend's kernel threads (no-op without). */
  stop: () => void;
}

export type Progress = (stage: string, fraction: number) => void;

export class ModelLab {
  private loaded: Loaded | null = null;
  private readonly gate = new TaskGate();
  private readonly problems = new Map<string, Problem & { seed: number }>();
  private readonly ownProblems = new Map<string, OwnProblemCheck>();
  private lastPairs: PreferencePair[] = [];
  private evalCache: { key: string; result: ModelEvaluation } | null = null;

  constructor(private readonly opts: LabOptions) {}

  status(): TaskStatus {
    return { task: this.gate.current, paused: this.gate.paused };
  }
  cancel(): void {
    this.gate.cancel();
  }
  pause(): void {
    this.gate.pause();
  }
  resume(): void {
    this.gate.resume();
  }
  /** Step-through of iterations: pause after each searched problem and each training step (lab/step-through.ts). */
  stepThrough = false;

  /**
   * Run `fn` as the engine's one task (like load, solve, search, iteration), for work outside the
   * lab such as the benchmark: EngineBusyError while another task runs, and other tasks are refused
   * while it runs.
   */
  exclusive<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.gate.run(name, () => fn());
  }

  info(): ModelInfo | null {
    return this.loaded?.info ?? null;
  }

  private need(): Loaded {
    if (!this.loaded) throw new NoModelError('no model is loaded yet; wait for the model to finish loading (or load one), then try again.');
    return this.loaded;
  }

  async loadModel(o: LoadModelOptions, onProgress?: Progress): Promise<ModelInfo> {
    if (typeof o?.baseUrl !== 'string' || o.baseUrl === '') throw new InvalidInputError('loadModel needs {baseUrl}: the URL of a model folder such as models/psr-tiny/.');
    const requested = checkSetting('backend', o.backend ?? presetValue('backend', 'demo'));
    return this.gate.run('load model', async () => {
      const t0 = performance.now();
      const progress = (stage: string, f: number) => onProgress?.(stage, f);
      progress('choosing a backend', 0);
      // The engine's device is shared (gpu info, self-test, bench): an unused one stays with the engine.
      const { decision, gpu: ctx } = await chooseBackend(requested, () => this.opts.gpu());
      const base = o.baseUrl.endsWith('/') ? o.baseUrl : `${o.baseUrl}/`;
      progress('downloading the model', 0.1);
      // psr_model.json (read and validated by the loader) says which M_t the folder holds and where its adapter is.
      const model = await loadModel({ model: this.opts.files(base), subfolder: (path) => this.opts.files(`${base}${path}`) });
      progress('uploading the weights', 0.8);
      // Free the previous model before making the new one (the old wasm arena and its threads go with it).
      this.loaded?.params.free();
      this.loaded?.stop();
      this.loaded = null;
      this.evalCache = null;
      this.lastPairs = [];
      const made = await this.makeBackend(decision.backend, ctx);
      const backend = this.gate.wrap(made.backend);
      // Without a shipped adapter the self-rewarding iterations start from a fresh LoRA on the base
      // (B = 0: exactly the base model), shaped by the settings table's LoRA defaults.
      const adapter = startAdapter(model.config, presetSettings('demo'), model.adapter);
      const params = ModelParams.create(backend, model.config, model.weights, adapter, 'none', keepQuantized(backend, model.quantized));
      const c = model.config;
      const info: ModelInfo = {
        name: o.name ?? model.meta.name ?? (base.split('/').filter((s) => s !== '').pop() ?? 'model'),
        parameters: countWeights(model.weights),
        adapterParameters: countAdapter(adapter),
        storage: model.storage,
        adapter: { r: adapter.config.r, alpha: adapter.config.alpha, targets: [...adapter.config.targetModules] },
        requested,
        backend: decision.backend,
        backendReason: decision.reason,
        threads: made.threads,
        threadsNote: made.note,
        vocabSize: c.vocabSize,
        context: c.maxPositionEmbeddings,
        layers: c.numLayers,
        hiddenSize: c.hiddenSize,
        difficulties: model.world.difficulties.length,
        loadMs: 0,
        generation: model.meta.generation,
        fingerprint: fingerprintOf(model.config, model.weights),
      };
      this.loaded = { info, base, model, backend, adapter, params, stop: made.stop };
      info.loadMs = performance.now() - t0;
      progress('ready', 1);
      return info;
    });
  }

  /**
   * The backend a decision names, with the kernel threads the plan allows for wasm. Threads that
   * fail to start leave a working one-thread backend and say why (the page must still run).
   */
  private async makeBackend(
    name: ModelInfo['backend'], ctx: GpuContext | null,
  ): Promise<{ backend: Backend; threads: number; note: string | null; stop: () => void }> {
    const bytes = this.opts.wasmBytes ?? BROWSER_WASM_ARENA_BYTES;
    const plan = this.opts.threads;
    if (name !== 'wasm' || plan === undefined || plan.count <= 1) {
      return { backend: await createBackend(name, ctx, bytes), threads: 1, note: name === 'wasm' ? (plan?.note ?? null) : null, stop: () => {} };
    }
    try {
      const backend = await WasmBackend.create(bytes, { threads: plan.count, spawn: plan.spawn });
      return { backend, threads: backend.threads, note: plan.note, stop: () => backend.stopThreads() };
    } catch (e) {
      const why = (e as Error).message ?? String(e);
      return { backend: await createBackend(name, ctx, bytes), threads: 1, note: `kernel threads could not start (${why}); running on one thread.`, stop: () => {} };
    }
  }

  newProblem(seed: number, difficulty: number): ProblemView {
    // The world of the loaded model (its world.json); the default world before a model is loaded.
    const world = this.loaded?.model.world ?? defaultWorldConfig();
    if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 32 - 1) throw new InvalidInputError(`problem seed must be a whole number in [0, 4294967295], got ${seed}.`);
    if (!Number.isInteger(difficulty) || difficulty < 1 || difficulty > world.difficulties.length) {
      throw new InvalidInputError(`difficulty must be a whole number from 1 to ${world.difficulties.length}, got ${difficulty}.`);
    }
    const [p] = generateProblems(world, { seed, count: 1, difficulty });
    if (this.problems.size > 500) this.problems.clear();
    this.problems.set(p.id, { ...p, seed });
    return { id: p.id, question: p.question, difficulty: p.difficulty, seed };
  }

  /**
   * A visitor's own question: unknown words (with the nearest known ones), its length, and the
   * oracle's answer when the world's parser reads it. When it can run (check.id set) it becomes a
   * problem of this session that solve and search accept like a generated one.
   */
  ownProblem(text: string): OwnProblemCheck {
    const l = this.need();
    const check = checkOwnProblem(text, l.model.tok, l.model.world, l.model.config.maxPositionEmbeddings);
    if (check.id !== null) {
      if (this.ownProblems.size > 100) this.ownProblems.clear();
      this.ownProblems.set(check.id, check);
    }
    return check;
  }

  referenceSolution(id: string): ReferenceSolution {
    const own = this.ownProblems.get(id);
    if (own) {
      if (own.steps === null || own.answer === null) throw new InvalidInputError(`${own.oracleNote ?? 'the checker cannot read this question'} There is no reference solution.`);
      return { id, steps: [...own.steps], answer: own.answer };
    }
    const p = this.problems.get(id);
    if (!p) throw new InvalidInputError(`no problem with id ${JSON.stringify(id)} was made in this session; make a new problem first.`);
    return { id, steps: [...p.steps], answer: p.answer };
  }

  private stepModel(l: Loaded): TinyStepModel {
    return new TinyStepModel(l.params, l.model.tok, tinyStepOptionsFor(l.model.meta.judgeWorking));
  }

  private checkQuestion(question: string): void {
    if (typeof question !== 'string' || question.trim() === '') throw new InvalidInputError('the question is empty; make a new problem first.');
  }

  solve(question: string, onEvent: (e: SolveEvent) => void, o: SolveOptions = {}): Promise<SolveResult> {
    const l = this.need();
    this.checkQuestion(question);
    const maxSteps = checkSetting('maxSteps', o.maxSteps ?? presetValue('maxSteps', 'demo'));
    return this.gate.run('solve', (control) => solveStepwise(this.stepModel(l), question, maxSteps, onEvent, control));
  }

  searchOneProblem(question: string, req: SearchRequest, onEvent: (e: SearchViewEvent) => void): Promise<SearchOutcome> {
    const l = this.need();
    this.checkQuestion(question);
    const r = validateSubset(SEARCH_KEYS, req ?? {}, 'demo', 'A watched search');
    const { seed, ...search } = r;
    const settings = { ...search, iteration: l.info.generation };
    const id = [...this.problems.values(), ...this.ownProblems.values()].find((p) => p.question === question)?.id ?? `q-${contentHash(question)}`;
    return this.gate.run('search', (control) => searchWithOracle(this.stepModel(l), { id, question }, settings, seed, onEvent, control));
  }

  /** The current M_k exported to ONNX and run by onnxruntime-web next to our engine on `question` (see onnx-check-task.ts). */
  checkWithOnnxRuntime(question: string, loadOrt: (() => Promise<Ort>) | undefined, ep: OrtEp = 'wasm'): Promise<OnnxCheckResult> {
    const l = this.need();
    this.checkQuestion(question);
    if (ep !== 'wasm' && ep !== 'webgpu') throw new InvalidInputError(`ONNX Runtime backend must be wasm or webgpu (got ${String(ep)}).`);
    const device = async () => (await this.opts.gpu()).device;
    return this.gate.run('ONNX Runtime check', (control) =>
      checkWithOnnxRuntime({ model: l.model, adapter: l.adapter, params: l.params, generation: l.info.generation, backend: l.info.backend }, question, { loadOrt, ep, device }, control),
    );
  }

  /** The current M_k as ONNX (adapter merged) with config, tokenizer and world files beside it. */
  exportOnnx(quant: OnnxQuant = 'none'): Promise<ExportedFile[]> {
    const l = this.need();
    return this.gate.run('ONNX export', async () => onnxExportFiles({ model: l.model, adapter: l.adapter, generation: l.info.generation }, quant));
  }

  /**
   * One iteration M_t → M_{t+1}; with `resume` (an iteration of M_t interrupted after its search, as
   * the page kept it) it trains and evaluates on those pairs with their settings instead of searching.
   */
  runIteration(over: Partial<IterationSettings>, onEvent: (e: IterationEvent) => void, resume?: InterruptedIteration): Promise<IterationOutcome> {
    const l = this.need();
    const resumeFrom = resume ? resumableIteration(resume, l.info.generation) : undefined;
    const settings = { ...presetSettings('demo'), ...validateSubset(ITERATION_KEYS, (resume ? resume.settings : over) ?? {}, 'demo', 'An iteration') };
    const evalKey = (t: number) => `${t}|${settings.datasetSeed}|${settings.evalProblems}|${settings.evalPairs}`;
    return this.gate.run('iteration', async (control) => {
      const t = l.info.generation;
      const key = evalKey(t);
      const r = await runOneIteration({
        ctx: { backend: l.backend, config: l.model.config, base: l.model.weights, quantized: keepQuantized(l.backend, l.model.quantized), tok: l.model.tok, judgeWorking: l.model.meta.judgeWorking },
        adapter: l.adapter,
        world: l.model.world,
        frontier: l.model.meta.frontier,
        generation: t,
        settings,
        cachedBefore: this.evalCache?.key === key ? this.evalCache.result : null,
        onEvent: (e) => {
          onEvent(e);
          if (this.stepThrough && isStepStop(e)) this.gate.pause();
        },
        control,
        resumeFrom,
      });
      this.lastPairs = r.pairs;
      if (r.outcome.report.error) {
        // Training stopped (non-finite loss): the adapter of M_t was kept, so the page's model stays M_t.
        this.evalCache = r.outcome.before ? { key, result: r.outcome.before } : null;
        return r.outcome;
      }
      // The model is now M_{t+1}: new adapter, new inference parameters, its evaluation cached.
      const params = ModelParams.create(l.backend, l.model.config, l.model.weights, r.adapter, 'none', keepQuantized(l.backend, l.model.quantized));
      l.params.free();
      l.params = params;
      l.adapter = r.adapter;
      l.info = { ...l.info, generation: t + 1 };
      const after = r.outcome.report.evaluation;
      this.evalCache = after ? { key: evalKey(t + 1), result: after } : null;
      return r.outcome;
    });
  }

  /** The recorded chain shipped in the model folder's chain/ (psr/chain.ts), or null when it has none. */
  async recordedChain(): Promise<RecordedChainView | null> {
    const l = this.need();
    const chain = await readRecordedChain(this.opts.files(`${l.base}${CHAIN_DIR}`));
    return chain ? chainView(chain) : null;
  }

  /**
   * "Check it yourself": M1 (the model as shipped) and M1 + the chain's shipped adapter re-solve
   * `problems` of the chain's held-out problems (an even subset); the page's model is not changed.
   */
  checkRecordedChain(problems: number, onProgress: (fraction: number) => void): Promise<RecordedCheckResult> {
    const l = this.need();
    return this.gate.run('check the recorded chain', async () => {
      const chain = await readRecordedChain(this.opts.files(`${l.base}${CHAIN_DIR}`));
      if (!chain) throw new InvalidInputError(`this model folder has no recorded chain (${CHAIN_DIR}chain.json), so there is nothing to check.`);
      return checkRecordedChain({
        model: l.model,
        backend: l.backend,
        quantized: keepQuantized(l.backend, l.model.quantized),
        chain,
        files: (path) => this.opts.files(`${l.base}${CHAIN_DIR}${path}`),
        problems,
        onProgress,
      });
    });
  }

  exportPairs(): string {
    if (this.lastPairs.length === 0) {
      throw new NothingToExportError('there are no preference pairs yet; run an iteration first (its pairs are what gets exported).');
    }
    return pairsToJsonl(this.lastPairs);
  }

  /**
   * Make the model M_`generation` from PEFT adapter files (adapter_config.json and
   * adapter_model.safetensors, e.g. exported by this page or restored from the browser's storage):
   * validated against the loaded base (named errors for a wrong file, shape or rank); on any error
   * the model stays what it was. The evaluation cache and last pairs belong to the old model and go.
   */
  importAdapter(files: ExportedFile[], generation: number): Promise<ModelInfo> {
    const l = this.need();
    if (!Number.isInteger(generation) || generation < 1 || generation > 10_000) {
      throw new InvalidInputError(`the imported adapter's model generation must be a whole number from 1 to 10000 (M1, M2, …), got ${generation}.`);
    }
    // Exported names carry the model's label ("M3-adapter_config.json"): the part PEFT names counts.
    const byName = new Map<string, Uint8Array>();
    for (const f of files ?? []) {
      const name = peftFileName(String(f?.name ?? ''));
      if (!(f?.bytes instanceof Uint8Array)) throw new ImportError(`${String(f?.name)} has no bytes; pick the files again.`);
      byName.set(name, f.bytes);
    }
    for (const need of [CHECKPOINT_FILES.adapterConfig, CHECKPOINT_FILES.adapterWeights]) {
      if (!byName.has(need)) {
        throw new ImportError(`an adapter needs both ${CHECKPOINT_FILES.adapterConfig} and ${CHECKPOINT_FILES.adapterWeights} (PEFT's layout); ${need} is missing — pick both files.`);
      }
    }
    return this.gate.run('import adapter', async () => {
      const mem = new MemoryFiles();
      for (const [name, bytes] of byName) await mem.write(name, bytes);
      const adapter = await loadAdapter(mem, l.model.config);
      const params = ModelParams.create(l.backend, l.model.config, l.model.weights, adapter, 'none', keepQuantized(l.backend, l.model.quantized));
      l.params.free();
      l.params = params;
      l.adapter = adapter;
      l.info = {
        ...l.info,
        generation,
        adapterParameters: countAdapter(adapter),
        adapter: { r: adapter.config.r, alpha: adapter.config.alpha, targets: [...adapter.config.targetModules] },
      };
      this.evalCache = null;
      this.lastPairs = [];
      return l.info;
    });
  }

  /** Take Step-DPO JSONL pairs (as exportPairs writes them) as the last iteration's pairs; PairFormatError names a bad line. */
  importPairs(jsonl: string): number {
    this.need();
    if (typeof jsonl !== 'string') throw new ImportError('pairs must be the text of a Step-DPO JSONL file.');
    const pairs = parsePairsJsonl(jsonl);
    this.lastPairs = pairs;
    return pairs.length;
  }

  async exportAdapter(): Promise<ExportedFile[]> {
    const l = this.need();
    const sink = new MemoryFiles();
    await saveAdapter(sink, l.model.config, l.adapter);
    // Fresh copies: each file owns its ArrayBuffer, so it can be transferred to the page.
    return [...sink.files.entries()].map(([name, bytes]) => ({ name, bytes: bytes.slice() }));
  }
}
