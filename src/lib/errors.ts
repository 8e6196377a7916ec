// Named errors for PSR Lab. Every error says what went wrong AND what to do next.
// Errors cross the worker boundary (comlink) as { name, message }, so callers
// switch on `err.name`; keep names stable, they are part of the API.

/** Base class: `name` is the class name, `message` ends with the remedy. */
export class PsrError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** True when `err` is (or crossed a worker boundary as) the named error class. */
export function isNamedError(err: unknown, name: string): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === name;
}

// ---- WebGPU availability and device life cycle ---------------------------------

/** `navigator.gpu` is missing: the browser has no WebGPU at all. */
export class WebGpuUnavailableError extends PsrError {}

/** WebGPU exists but `requestAdapter()` gave no adapter (blocklisted GPU, disabled flag, no driver). */
export class NoAdapterError extends PsrError {}

/** The adapter refused `requestDevice` (e.g. required limits above what it offers). */
export class DeviceRequestError extends PsrError {}

/** The GPUDevice was lost without us asking (driver reset, GPU process crash, tab backgrounded too long). */
export class DeviceLostError extends PsrError {}

/** A WGSL module failed to compile or a pipeline failed to build. */
export class ShaderCompileError extends PsrError {}

/** A GPU computation read back numbers that disagree with the CPU reference. */
export class GpuResultMismatchError extends PsrError {}

// ---- Input validation -----------------------------------------------------------

/** A caller passed a value that does not fit the API (wrong type, range, length). */
export class InvalidInputError extends PsrError {}

/** The command line was not understood. */
export class UsageError extends PsrError {}

/**
 * A run setting (src/lib/settings) is out of its range or of the wrong type. The message names the
 * setting by its label (or CLI flag) and states the allowed range; `field` is the settings key.
 */
export class SettingsError extends InvalidInputError {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

// ---- CPU reference ops (src/lib/ref) ----------------------------------------------

/** An op got a typed array whose length does not match the sizes it was given, or invalid sizes. */
export class ShapeError extends PsrError {}

// ---- Checkpoint I/O: safetensors, config.json, weights, PEFT adapters (src/lib/formats, src/lib/model) ----

/** Base of every safetensors parse/write failure; catch this to handle any bad file. */
export class SafetensorsError extends PsrError {}

/** The file ends before its 8-byte length prefix, its header or its data do. */
export class SafetensorsTruncatedError extends SafetensorsError {}

/** The header length prefix is larger than the sanity cap (100 MB). */
export class SafetensorsHeaderTooLargeError extends SafetensorsError {}

/** The header is not UTF-8 JSON, not an object, or an entry lacks/mistypes dtype, shape or data_offsets. */
export class SafetensorsHeaderError extends SafetensorsError {}

/** The header names the same tensor twice. */
export class SafetensorsDuplicateNameError extends SafetensorsError {}

/** A dtype we do not know, or one that cannot be used the way it was asked (e.g. getF32 on I8). */
export class SafetensorsDtypeError extends SafetensorsError {}

/** A shape with a negative, non-integer or absurdly large dimension. */
export class SafetensorsShapeError extends SafetensorsError {}

/** data_offsets out of range, overlapping, leaving gaps, or disagreeing with shape × dtype size. */
export class SafetensorsOffsetsError extends SafetensorsError {}

/** A tensor name asked for is not in the file. */
export class SafetensorsTensorNotFoundError extends SafetensorsError {}

/** writeSafetensors got tensors it cannot write (bad name, data length ≠ shape, unsupported dtype). */
export class SafetensorsWriteError extends SafetensorsError {}

/** config.json is invalid or asks for something we do not support; the message names the field. */
export class ConfigError extends PsrError {}

/** A checkpoint lacks tensors the config requires. */
export class MissingTensorError extends PsrError {}

/** A checkpoint holds tensors the config does not explain. */
export class UnexpectedTensorError extends PsrError {}

/** A tensor's shape differs from what the config implies (message says expected vs found). */
export class TensorShapeError extends PsrError {}

/** adapter_config.json is invalid, unsupported, or does not fit the base model. */
export class LoraConfigError extends PsrError {}

/** A checkpoint file is missing, unreadable, not valid JSON, or has an unsafe name. */
export class CheckpointFileError extends PsrError {}

/** psr_model.json (which M_t a model folder holds, and its adapter folder) is malformed. */
export class ModelMetaError extends CheckpointFileError {}

// ---- WGSL kernels (src/lib/kernels) ----------------------------------------------------

/** A kernel was asked for a shape beyond what it supports on every WebGPU device (e.g. T > 256 in attention, a binding over 128 MiB). */
export class KernelLimitError extends PsrError {}

// ---- Math world, tokenizer and datasets (src/lib/math, src/lib/tokenizer) --------

/** A WorldConfig field is out of range or malformed (see the message for the field). */
export class WorldConfigError extends PsrError {}

/** The generator could not build a problem under the given config (ranges too tight). */
export class ProblemGenerationError extends PsrError {}

/** A question is not made of the world's sentence templates, so its quantity graph is unknown. */
export class QuestionParseError extends PsrError {}

/** Input for the step checker (question, steps, candidate) is missing or has the wrong type. */
export class CheckInputError extends PsrError {}

/** A dataset size or option is absurd (negative, too large, or more problems than the world can make). */
export class DatasetConfigError extends PsrError {}

/** A tokenizer.json is not a WordLevel tokenizer this project can load, or a vocabulary is inconsistent. */
export class TokenizerFormatError extends PsrError {}

/** Text contains words outside the vocabulary and the caller asked for strict encoding. */
export class UnknownWordsError extends PsrError {}

// ---- Training ------------------------------------------------------------------------------------

/** A loss or gradient became NaN/Inf; the step was not applied, parameters are unchanged. */
export class NonFiniteError extends PsrError {}

/** A training checkpoint (train-state.json and its tensor file) is missing, malformed or does not fit the run. */
export class TrainStateError extends PsrError {}

// ---- WebAssembly SIMD CPU kernels (src/lib/cpu) ----------------------------------------

/** The JavaScript runtime cannot compile our WebAssembly SIMD modules (no wasm, or no f32x4). */
export class WasmUnsupportedError extends PsrError {}

/** A wasm kernel needs more linear memory than a fixed WasmArena has, or more than wasm32 allows. */
export class WasmMemoryError extends PsrError {}

/** The kernel threads cannot start here (no shared memory / Atomics.wait), or one of them failed or stopped answering. */
export class WasmThreadsError extends PsrError {}

// ---- Foreign tokenizers and the logits command (src/lib/tokenizer/hf-*.ts, src/cli/commands/logits.ts) ----

/** A tokenizer.json uses a component (model, normalizer, pre-tokenizer, post-processor…) we do not implement; the message names it and what is supported. */
export class UnsupportedTokenizerError extends TokenizerFormatError {}

/** The text is longer (in tokens) than the model's context (max_position_embeddings). */
export class TextTooLongError extends InvalidInputError {}

// ---- Quantized frozen weights (src/lib/formats/quant.ts, src/lib/model/quant-*.ts, src/cli/commands/quantize.ts) ----

/** Base of every quantization failure: catch this to handle any bad quantized checkpoint. */
export class QuantizationError extends PsrError {}

/** A weight cannot be quantized (NaN/Inf, empty, wrong length) or a format name is unknown. */
export class QuantInputError extends QuantizationError {}

/** The quantization block of config.json or the safetensors metadata is missing, unknown, or disagrees with the other. */
export class QuantFormatError extends QuantizationError {}

/** A stored quantized tensor (qweight / scales) has the wrong dtype, shape or values (negative or non-finite scales). */
export class QuantTensorError extends QuantizationError {}

// ---- Step-wise search, self-judging and preference pairs (src/lib/psr/search*.ts, pairs.ts, step-model.ts) ----

/** A search setting is out of range (w < 2, temperature < 0, top-p outside (0, 1], maxSteps < 1…) or the problem pool is empty. */
export class SearchConfigError extends PsrError {}

/** The user cancelled a running search (or another long task); nothing after the last completed step was kept. */
export class CancelledError extends PsrError {}

/** A StepModel broke its contract (wrong number of candidates or verdicts, P(A) outside [0, 1]). */
export class StepModelError extends PsrError {}

/** The question and accepted steps no longer fit the model's context: the problem's search stops there. */
export class ContextFullError extends PsrError {}

/** A preference-pair JSONL line is not valid JSON or lacks / mistypes a field; the message names the line. */
export class PairFormatError extends PsrError {}

// ---- Benchmarks and GPU memory planning (src/lib/bench, src/lib/model/memory.ts) ----

/** A benchmark could not run as asked (nothing to time, an unknown section, a backend missing in this runtime). */
export class BenchError extends PsrError {}

/** A model config (with its batch, cache and training mode) needs more GPU memory than the adapter allows; the message names the buffer and what to reduce. */
export class MemoryBudgetError extends PsrError {}

// ---- The app's engine tasks (src/lib/lab, src/lib/formats/fetch-files.ts) ----

/** A task needs a loaded model (solve, search, iteration, export) but none is loaded yet. */
export class NoModelError extends PsrError {}

/** Another long task (search, iteration, model load) is still running in the engine. */
export class EngineBusyError extends PsrError {}

/** An export was asked for before there was anything to export (no pairs yet). */
export class NothingToExportError extends PsrError {}

/** The ONNX Runtime check could not run (onnxruntime-web did not load, or refused the exported model); the model is unchanged. */
export class OnnxCheckError extends PsrError {}

/** An ONNX file is not a decoder of this model's layout (truncated, unknown operators, other inputs / outputs or shapes). */
export class OnnxModelError extends OnnxCheckError {}

/** The exporter was asked for something the ONNX decoder cannot express (e.g. an odd head size for RoPE). */
export class OnnxExportError extends PsrError {}

/** An imported file is not what the page can use (wrong name, missing part); the message says what to pick. */
export class ImportError extends InvalidInputError {}

// ---- The page's own storage (src/ui/state/saved-work.ts) ----

/** The browser refused to store more (quota): nothing was lost from the page, but this state is not saved. */
export class StorageFullError extends PsrError {}

/** The browser offers no IndexedDB here (some private modes, blocked storage): work lives only in this tab. */
export class StorageUnavailableError extends PsrError {}
