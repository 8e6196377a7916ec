// Errors from engine calls as the page shows them: {name, message} (names survive comlink), and
// what the visitor can do about each named error of the model tasks.
export interface ErrorParts {
  name: string;
  message: string;
}

export function errorParts(e: unknown): ErrorParts {
  const err = e as { name?: unknown; message?: unknown } | null;
  return {
    name: typeof err?.name === 'string' ? err.name : 'Error',
    message: typeof err?.message === 'string' ? err.message : String(e),
  };
}

export const TASK_REMEDIES: Record<string, string> = {
  CheckpointFileError: 'The model files could not be loaded: reload the page; if it persists the model folder was not deployed with the app.',
  NoAdapterError: 'WebGPU has no adapter here: choose Auto or CPU (WASM) to run the model on the CPU.',
  WebGpuUnavailableError: 'This browser has no WebGPU: choose Auto or CPU (WASM) to run the model on the CPU.',
  DeviceLostError: 'The GPU device was lost: reload the page, or switch to CPU (WASM).',
  NoModelError: 'Wait until the model has loaded, then try again.',
  EngineBusyError: 'Another task is running: wait for it or cancel it.',
  CancelledError: 'Stopped as you asked. Start again whenever you like.',
  WasmMemoryError: 'The CPU backend ran out of its memory: lower the settings (fewer candidates or steps) or reload the page.',
  SearchConfigError: 'Adjust the settings as the message says.',
  InvalidInputError: 'Adjust the settings as the message says.',
  NothingToExportError: 'Run an iteration first; its pairs are what gets exported.',
  ImportError: 'Pick the files the page exported (both adapter files together, or one pairs .jsonl).',
  PairFormatError: 'Import a .jsonl file written by "Pairs (Step-DPO JSONL)", unchanged.',
  TensorShapeError: 'This adapter was trained for a different base model: import one exported from this model.',
  LoraConfigError: 'The adapter_config.json is not a LoRA config this page can use: import the one exported with the weights.',
  OnnxCheckError: 'The check did not change the model. Reload the page to try again; the CLI (npm run psr -- export-onnx) exports the same model to a file.',
  OnnxModelError: 'The check did not change the model; the ONNX file was not one this model can run.',
  OnnxExportError: 'Nothing was exported and the model is unchanged.',
  StorageFullError: 'Export the adapter and pairs to keep them, then "Clear saved data" to free space.',
  StorageUnavailableError: 'This window keeps work only until it closes: export what you want to keep.',
};
