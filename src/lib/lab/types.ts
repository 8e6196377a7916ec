// The app's engine tasks as the UI sees them (part of EngineApi, see api.ts): load a model, make
// problems, solve greedily, watch one step-wise self-rewarding search, run one iteration, export.
// Everything here is structured-clone friendly (plain objects, arrays, typed arrays) so it
// crosses comlink unchanged. Oracle labels are for teaching displays only: the loop never sees them.
import type { SearchEvent } from '../psr/events.ts';
import type { PreferencePair } from '../psr/pairs.ts';
import type { PairLabel } from '../psr/pair-quality.ts';
import type { ProblemResult } from '../psr/search-stats.ts';
import type { IterationReport, LoopEvent, ModelEvaluation, SearchedStage } from '../psr/loop.ts';
import type { IterationSettings, SearchRequestSettings } from '../settings/table.ts';

export type { CandidateView, SearchEvent } from '../psr/events.ts';
export type { PreferencePair, PairLabel, IterationReport, ModelEvaluation, IterationSettings, SearchRequestSettings };

import type { BackendChoice, BackendName } from '../backend/choice.ts';
export type { BackendChoice, BackendName };

export interface LoadModelOptions {
  /** Absolute URL of the model folder (config.json, model.safetensors, tokenizer.json, adapter/). */
  baseUrl: string;
  /** Display name (default: the folder name). */
  name?: string;
  /** 'auto' (default): WebGPU on a hardware GPU, WebAssembly SIMD on the CPU otherwise. */
  backend?: BackendChoice;
}

export interface ModelInfo {
  name: string;
  /** Base model parameters (embedding counted once when tied). */
  parameters: number;
  /** LoRA adapter parameters (0 without an adapter). */
  adapterParameters: number;
  /** How the base weights are stored: 'f32', 'int8' or 'q4'. */
  storage: string;
  adapter: { r: number; alpha: number; targets: string[] } | null;
  requested: BackendChoice;
  backend: BackendName;
  /** Why this backend was used, in one sentence for the page. */
  backendReason: string;
  /** CPU threads the wasm backend computes on (1 for WebGPU). */
  threads: number;
  /** Why the wasm backend uses no more threads (e.g. the page is not cross-origin isolated), or null. */
  threadsNote: string | null;
  vocabSize: number;
  /** Context length in tokens. */
  context: number;
  layers: number;
  hiddenSize: number;
  /** Difficulty levels of the model's math world (its world.json; 6 in the default world). */
  difficulties: number;
  loadMs: number;
  /** t of the model M_t now loaded: 1 with the shipped M1 adapter, +1 per finished iteration. */
  generation: number;
  /** Identifies the base weights (a hash of the config and embeddings): saved adapters belong to one base. */
  fingerprint: string;
}

export interface ProblemView {
  id: string;
  question: string;
  difficulty: number;
  seed: number;
  /** Typed by the visitor (no difficulty or seed; the oracle may not read it). */
  own?: boolean;
}

export interface ReferenceSolution {
  id: string;
  steps: string[];
  answer: number;
}

/** The ground-truth checker's verdict on one step: teaching display only. */
export interface OracleLabel {
  valid: boolean;
  /** Checker kind: correct, correct_final_answer, arithmetic_error, … */
  kind: string;
  detail: string;
}

export type SolveEvent = { type: 'step'; index: number; text: string; final: boolean; oracle: OracleLabel | null };

export interface SolveOptions {
  /** Longest solution in steps (the setting maxSteps; default: the page's). */
  maxSteps?: number;
}

export interface SolveResult {
  steps: string[];
  /** The number the last step declares (null when none). */
  answer: number | null;
  /** The answer the question's quantity graph gives (oracle; null for questions outside the world). */
  trueAnswer: number | null;
  correct: boolean;
  stop: 'final' | 'max-steps' | 'context-full';
  ms: number;
}

/** A watched search's settings (SEARCH_KEYS of src/lib/settings); missing ones take the page's defaults. */
export type SearchRequest = Partial<SearchRequestSettings>;

/** The search's own events, plus oracle labels of a round's candidates (emitted after the round was scored). */
export type SearchViewEvent =
  | SearchEvent
  | { type: 'oracle'; problemId: string; step: number; round: number; labels: (OracleLabel | null)[] };

export interface PairView {
  pair: PreferencePair;
  /** Oracle grading of the pair (display and metrics only); null when the question cannot be parsed. */
  label: PairLabel | null;
}

export interface SearchOutcome {
  result: ProblemResult;
  pairs: PairView[];
  ms: number;
}

/** Loop events (search events thinned to progress), with models labelled M_t by the engine's generation. */
export type IterationEvent = LoopEvent;

/**
 * An iteration interrupted after its search (the tab closed, the page reloaded): what the page kept
 * to resume it — train and evaluate on these pairs — instead of searching again.
 */
export interface InterruptedIteration {
  /** M_t the iteration started from; it can resume only onto that model. */
  generation: number;
  /** The settings it ran with (any of ITERATION_KEYS; the rest are the page's defaults, as when it started). */
  settings: Partial<IterationSettings>;
  /** Its pairs as Step-DPO JSONL (validated again on resume). */
  pairsJsonl: string;
  searchStats: SearchedStage['searchStats'];
  srlmStats: SearchedStage['srlmStats'];
}

export interface IterationOutcome {
  from: string;
  to: string;
  settings: IterationSettings;
  report: IterationReport;
  /** Evaluation of the starting model (cached per model and evaluation size). */
  before: ModelEvaluation | null;
  pairs: PairView[];
  ms: number;
}

/** "Check it yourself": M1 and the recorded chain's shipped adapter re-solving the chain's held-out problems in this tab. */
export interface RecordedCheckResult {
  /** Positions in the chain's evaluation set (its "0"/"1" strings) of the problems solved. */
  indices: number[];
  problemIds: string[];
  /** Greedy answer right, per problem, for M1 and for M1 + the shipped adapter. */
  before: boolean[];
  after: boolean[];
  beforeLabel: string;
  afterLabel: string;
  ms: number;
}

/** "Check with ONNX Runtime": the same model M_k run by our engine and by onnxruntime-web on one problem. */
export interface OnnxCheckResult {
  /** M_k (the base with the current adapter merged into the export). */
  generation: number;
  /** Our backend for the model's side (webgpu, wasm or cpu). */
  backend: string;
  /** onnxruntime-web's execution provider and version. */
  runtime: string;
  /** Size of the exported ONNX model (f32, opset 17). */
  exportBytes: number;
  /** Greedy solutions as text (the step separators shown as " | "). */
  ours: string;
  theirs: string;
  sameSolution: boolean;
  /** Generated tokens compared (ours; the first index where the two differ, or null). */
  tokens: number;
  firstDifference: number | null;
  /** Largest |Δ log P(token)| over our greedy tokens: one pass over the whole text (ORT) vs our decoding. */
  maxLogprobDiffFullText: number;
  /** Largest |Δ log P(token)| token by token through both KV caches, up to the first difference. */
  maxLogprobDiffDecode: number;
  /** Sum of log P over our greedy tokens, ours and ORT's (one pass). */
  oursLogprob: number;
  theirsLogprob: number;
  ms: { export: number; ours: number; ort: number };
}

export interface ExportedFile {
  name: string;
  bytes: Uint8Array;
}

/** What the engine is busy with, if anything. */
export interface TaskStatus {
  task: string | null;
  paused: boolean;
}
export type { OwnProblemCheck, UnknownWord } from './own-problem.ts';
