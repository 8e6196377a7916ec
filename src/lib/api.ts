// EngineApi: the one interface between the UI and the engine. Implemented in-thread by
// Engine (Node CLI, tests) and reached through Comlink.Remote<EngineApi> from the UI's worker.
// Callbacks must be wrapped in Comlink.proxy() when crossing the worker boundary.
import type { GpuInfo } from './gpu/device.ts';
import type { ProgressFn, SelfTestInput, SelfTestResult } from './kernels/selftest.ts';

export type { GpuInfo, ProgressFn, SelfTestInput, SelfTestResult };
// The app's model tasks (load, problems, solve, search, iteration, export): types in lab/types.ts.
import type {
  ExportedFile, InterruptedIteration, IterationEvent, IterationOutcome, IterationSettings, LoadModelOptions, ModelInfo, OnnxCheckResult, OwnProblemCheck, ProblemView, RecordedCheckResult,
  ReferenceSolution, SearchOutcome, SearchRequest, SearchViewEvent, SolveEvent, SolveOptions, SolveResult, TaskStatus,
} from './lab/types.ts';
export type * from './lab/types.ts';
import type { BenchProgress, BenchReport, BenchRequest } from './bench/engine-bench.ts';
import type { OnnxQuant } from './onnx/quant-labels.ts';
import type { RecordedChain, RecordedChainView } from './psr/chain.ts';
export type { RecordedChain, RecordedChainView };
export type { BenchProgress, BenchReport, BenchRequest };

/** Events the engine pushes on its own (not answers to a call). */
export type EngineEvent =
  | { type: 'device-ready'; info: GpuInfo }
  | { type: 'device-lost'; name: string; message: string }
  | { type: 'device-destroyed' };

export type EngineListener = (event: EngineEvent) => void;

export interface EngineApi {
  /** Adapter vendor / architecture / description, features and the limits we rely on. */
  gpuInfo(): Promise<GpuInfo>;
  /** Compile and run a WGSL kernel on the caller's data, verify it on the CPU, time it. */
  selfTest(input: SelfTestInput, onProgress?: ProgressFn): Promise<SelfTestResult>;
  /** Receive device life-cycle events (wrap in Comlink.proxy across the worker boundary). */
  subscribe(listener: EngineListener): Promise<void>;
  /** Deliberately release the GPU device; reported as 'device-destroyed', never as a loss. */
  dispose(): Promise<void>;

  // ---- The model (src/lib/lab): every task below but loadModel needs a loaded model (NoModelError). ----
  /** Fetch and load a model folder; pick the backend ('auto': WebGPU on a hardware GPU, else WASM). One task at a time (EngineBusyError). */
  loadModel(opts: LoadModelOptions, onProgress?: ProgressFn): Promise<ModelInfo>;
  /** The loaded model (null before loadModel), with its generation t of M_t. */
  modelInfo(): Promise<ModelInfo | null>;
  /** A seeded problem of the math world at difficulty 1–6; its reference solution stays in the engine. */
  newProblem(seed: number, difficulty: number): Promise<ProblemView>;
  /** A visitor's own question checked against the model (unknown words with the nearest known ones, length, the oracle's answer when it parses); usable by solve and search when check.id is set. */
  ownProblem(text: string): Promise<OwnProblemCheck>;
  /** The reference solution of a problem made by newProblem (the page's "show reference" teaching toggle). */
  referenceSolution(id: string): Promise<ReferenceSolution>;
  /** Greedy solution, streamed step by step, each step with the oracle's verdict (teaching only). */
  solve(question: string, onEvent?: (e: SolveEvent) => void, opts?: SolveOptions): Promise<SolveResult>;
  /** The current model M_k as ONNX files (model.onnx with the adapter merged, config.json, tokenizer, world.json). */
  /** The current M_k as ONNX files (model.onnx with f32, int8 or q4 linears; config, tokenizer, world beside it). */
  exportOnnx(quant?: OnnxQuant): Promise<{ files: ExportedFile[] }>;
  /**
   * The current model M_k exported to ONNX in the engine and run by onnxruntime-web (loaded only now)
   * next to our engine on `question`: both greedy solutions and how far the log-probs differ. `ep`: ORT's
   * WebAssembly kernels (default) or its WebGPU ones on the engine's device.
   */
  checkWithOnnxRuntime(question: string, opts?: { ep?: 'wasm' | 'webgpu' }): Promise<OnnxCheckResult>;
  /** One problem's step-wise self-rewarding search, streaming SearchEvents plus 'oracle' labels after each round. */
  searchOneProblem(question: string, settings: SearchRequest, onEvent?: (e: SearchViewEvent) => void): Promise<SearchOutcome>;
  /** One iteration M_t → M_{t+1} on fresh problems (or, with `resume`, on the pairs of an interrupted one); afterwards the engine's model IS M_{t+1}. */
  runIteration(settings: Partial<IterationSettings>, onEvent?: (e: IterationEvent) => void, resume?: InterruptedIteration): Promise<IterationOutcome>;
  /** Stop the running task (it rejects with CancelledError); pause / resume it. */
  cancel(): Promise<void>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Step-through of iterations: the engine pauses itself after each searched problem and each training step until resume(). */
  setStepThrough(on: boolean): Promise<void>;
  taskStatus(): Promise<TaskStatus>;
  /** The last iteration's pairs as Step-DPO JSONL (NothingToExportError before any iteration). */
  /** The recorded multi-seed chain shipped beside the model (chain/chain.json) with its summaries, or null when there is none. */
  recordedChain(): Promise<RecordedChainView | null>;
  /** Re-solve `problems` of the recorded chain's held-out problems with M1 and with the shipped adapter; the model is unchanged. */
  checkRecordedChain(problems: number, onProgress?: ProgressFn): Promise<RecordedCheckResult>;
  exportPairs(): Promise<string>;
  /** The current adapter as PEFT files (adapter_config.json, adapter_model.safetensors); buffers are transferred. */
  exportAdapter(): Promise<{ files: ExportedFile[] }>;
  /** Make the model M_generation from PEFT adapter files (exported here or restored from storage); named errors, and the model unchanged, on a bad file. */
  importAdapter(files: ExportedFile[], generation: number): Promise<ModelInfo>;
  /** Take Step-DPO JSONL pairs as the last iteration's pairs (what exportPairs gives back); PairFormatError names a bad line. Returns the count. */
  importPairs(jsonl: string): Promise<number>;

  // ---- Benchmarks (src/lib/bench): the bench page ----
  /** Benchmark this device (matmuls vs onnxruntime-web and the FMA probe, tokens/s); one task like the others (EngineBusyError while another runs); streams the partial report. */
  bench(request: BenchRequest, onProgress?: (p: BenchProgress) => void): Promise<BenchReport>;
}
