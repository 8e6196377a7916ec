// Engine: the in-thread implementation of EngineApi. It owns the GPUDevice (acquired lazily
// from a provider, so the same code runs on navigator.gpu in a worker and on Dawn in Node).
import type { EngineApi, EngineEvent, EngineListener, GpuInfo, ProgressFn, SelfTestInput, SelfTestResult } from './api.ts';
import type { DeviceHandle } from './gpu/device.ts';
import { GpuContext } from './gpu/context.ts';
import { runSelfTest } from './kernels/selftest.ts';
import type { DeviceLostError } from './errors.ts';
import * as Comlink from 'comlink';
import type {
  ExportedFile, IterationEvent, IterationOutcome, IterationSettings, LoadModelOptions, ModelInfo, OwnProblemCheck, ProblemView,
  InterruptedIteration, OnnxCheckResult, RecordedCheckResult, ReferenceSolution, SearchOutcome, SearchRequest, SearchViewEvent, SolveEvent, SolveOptions, SolveResult, TaskStatus,
} from './lab/types.ts';
import { ModelLab, type WasmThreadPlan } from './lab/model-lab.ts';
import type { FileSource } from './formats/files.ts';
import { FetchFiles } from './formats/fetch-files.ts';
import { benchOnDevice, type BenchProgress, type BenchReport, type BenchRequest } from './bench/engine-bench.ts';
import type { Ort } from './bench/ort-webgpu.ts';
import type { OrtEp } from './onnx/ort-decoder.ts';
import type { OnnxQuant } from './onnx/quant-labels.ts';
import type { RecordedChainView } from './psr/chain.ts';
import { EngineBusyError } from './errors.ts';

/** Creates the device; `onLost` must be called if the device is lost without being destroyed. */
export type DeviceProvider = (onLost: (err: DeviceLostError) => void) => Promise<DeviceHandle>;

export interface EngineOptions {
  /** A FileSource for a model folder URL; default: fetch (the browser). Node tests pass a directory reader. */
  files?: (baseUrl: string) => FileSource;
  /** WebAssembly arena size for the CPU backend (default 384 MiB). */
  wasmBytes?: number;
  /** Kernel threads for the wasm backend (absent: one thread). */
  threads?: WasmThreadPlan;
  /** Loads onnxruntime-web for the bench page and the ONNX Runtime check (the worker passes a dynamic import; absent: ORT is reported unavailable). */
  loadOrt?: () => Promise<Ort>;
}

/** Call a callback that may be a comlink proxy (its promise may reject when the page went away). */
function notify<A extends unknown[]>(cb: ((...args: A) => void) | undefined, ...args: A): void {
  if (!cb) return;
  try {
    const r = cb(...args) as unknown;
    if (r instanceof Promise) r.catch(() => {});
  } catch {
    // A listener that throws must not stop the task.
  }
}

/** Release a comlink proxy'd callback once its task is over (no-op for plain functions). */
function release(cb: unknown): void {
  const r = (cb as Record<PropertyKey, unknown> | undefined)?.[Comlink.releaseProxy];
  if (typeof r === 'function') (r as () => void)();
}

export class Engine implements EngineApi {
  private ctxPromise: Promise<GpuContext> | null = null;
  private listeners: EngineListener[] = [];
  private readonly lab: ModelLab;

  constructor(
    private readonly provide: DeviceProvider,
    private readonly options: EngineOptions = {},
  ) {
    this.lab = new ModelLab({
      gpu: () => this.context(),
      files: options.files ?? ((url) => new FetchFiles(url)),
      wasmBytes: options.wasmBytes,
      threads: options.threads,
    });
  }

  /** Run a task with a (possibly proxied) callback, releasing the proxy afterwards. */
  private async withCallback<E, T>(cb: ((e: E) => void) | undefined, task: (emit: (e: E) => void) => Promise<T>): Promise<T> {
    try {
      return await task((e) => notify(cb, e));
    } finally {
      release(cb);
    }
  }

  // ---- the model (src/lib/lab) ----------------------------------------------------------------

  async loadModel(opts: LoadModelOptions, onProgress?: ProgressFn): Promise<ModelInfo> {
    try {
      return await this.lab.loadModel(opts, (stage, f) => notify(onProgress, stage, f));
    } finally {
      release(onProgress);
    }
  }

  async modelInfo(): Promise<ModelInfo | null> {
    return this.lab.info();
  }

  async ownProblem(text: string): Promise<OwnProblemCheck> {
    return this.lab.ownProblem(text);
  }

  async newProblem(seed: number, difficulty: number): Promise<ProblemView> {
    return this.lab.newProblem(seed, difficulty);
  }

  async referenceSolution(id: string): Promise<ReferenceSolution> {
    return this.lab.referenceSolution(id);
  }

  solve(question: string, onEvent?: (e: SolveEvent) => void, opts?: SolveOptions): Promise<SolveResult> {
    return this.withCallback(onEvent, (emit) => this.lab.solve(question, emit, opts));
  }

  checkWithOnnxRuntime(question: string, opts: { ep?: OrtEp } = {}): Promise<OnnxCheckResult> {
    return this.lab.checkWithOnnxRuntime(question, this.options.loadOrt, opts.ep ?? 'wasm');
  }

  searchOneProblem(question: string, settings: SearchRequest, onEvent?: (e: SearchViewEvent) => void): Promise<SearchOutcome> {
    return this.withCallback(onEvent, (emit) => this.lab.searchOneProblem(question, settings, emit));
  }

  runIteration(settings: Partial<IterationSettings>, onEvent?: (e: IterationEvent) => void, resume?: InterruptedIteration): Promise<IterationOutcome> {
    return this.withCallback(onEvent, (emit) => this.lab.runIteration(settings, emit, resume));
  }

  async cancel(): Promise<void> {
    this.lab.cancel();
  }

  async pause(): Promise<void> {
    this.lab.pause();
  }

  async resume(): Promise<void> {
    this.lab.resume();
  }

  async setStepThrough(on: boolean): Promise<void> {
    this.lab.stepThrough = on;
  }

  async taskStatus(): Promise<TaskStatus> {
    return this.lab.status();
  }

  async recordedChain(): Promise<RecordedChainView | null> {
    return this.lab.recordedChain();
  }

  async checkRecordedChain(problems: number, onProgress?: ProgressFn): Promise<RecordedCheckResult> {
    try {
      return await this.lab.checkRecordedChain(problems, (f) => notify(onProgress, 'solving', f));
    } finally {
      release(onProgress);
    }
  }

  async exportPairs(): Promise<string> {
    return this.lab.exportPairs();
  }

  async importAdapter(files: ExportedFile[], generation: number): Promise<ModelInfo> {
    return this.lab.importAdapter(files, generation);
  }

  async importPairs(jsonl: string): Promise<number> {
    return this.lab.importPairs(jsonl);
  }

  async exportOnnx(quant: OnnxQuant = 'none'): Promise<{ files: ExportedFile[] }> {
    const files = await this.lab.exportOnnx(quant);
    return Comlink.transfer({ files }, files.map((f) => f.bytes.buffer as ArrayBuffer));
  }

  async exportAdapter(): Promise<{ files: ExportedFile[] }> {
    const files = await this.lab.exportAdapter();
    return Comlink.transfer({ files }, files.map((f) => f.bytes.buffer as ArrayBuffer));
  }

  // ---- benchmarks (src/lib/bench) ----------------------------------------------------------------

  async bench(request: BenchRequest, onProgress?: (p: BenchProgress) => void): Promise<BenchReport> {
    try {
      // Figures taken while another task computes would be meaningless: the benchmark takes the task
      // gate like every other task (refused with EngineBusyError while one runs; the others are
      // refused while it runs).
      const busy = this.lab.status().task;
      if (busy !== null) {
        throw new EngineBusyError(`the engine is busy with "${busy}", and a benchmark measured under load would be wrong; wait for it to finish (or cancel it), then run the benchmark.`);
      }
      return await this.lab.exclusive('benchmark', async () => {
        const ctx = await this.context();
        return benchOnDevice(ctx.handle, request, { loadOrt: this.options.loadOrt }, (p) => notify(onProgress, p));
      });
    } finally {
      release(onProgress);
    }
  }

  private emit(event: EngineEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // A listener that throws (e.g. a closed page's proxy) must not break the engine.
      }
    }
  }

  /** The GPU context, created on first use; a lost device is replaced on the next call. */
  async context(): Promise<GpuContext> {
    if (!this.ctxPromise) {
      const attempt = this.provide((err) => {
        this.ctxPromise = null;
        this.emit({ type: 'device-lost', name: err.name, message: err.message });
      }).then((handle) => {
        void handle.lost.then((l) => {
          if (l.reason === 'destroyed') this.emit({ type: 'device-destroyed' });
        });
        const ctx = new GpuContext(handle);
        this.emit({ type: 'device-ready', info: handle.info });
        return ctx;
      });
      // A failed acquisition is not cached: the next call tries again (and fails loudly again).
      attempt.catch(() => {
        if (this.ctxPromise === attempt) this.ctxPromise = null;
      });
      this.ctxPromise = attempt;
    }
    const ctx = await this.ctxPromise;
    ctx.handle.assertAlive();
    return ctx;
  }

  async gpuInfo(): Promise<GpuInfo> {
    return (await this.context()).handle.info;
  }

  async selfTest(input: SelfTestInput, onProgress?: ProgressFn): Promise<SelfTestResult> {
    const ctx = await this.context();
    return runSelfTest(ctx, input, onProgress);
  }

  async subscribe(listener: EngineListener): Promise<void> {
    this.listeners.push(listener);
  }

  async dispose(): Promise<void> {
    const pending = this.ctxPromise;
    this.ctxPromise = null;
    if (!pending) return;
    const ctx = await pending.catch(() => null);
    if (!ctx) return;
    ctx.pool.destroy();
    ctx.handle.destroy();
    await ctx.handle.lost;
  }
}
