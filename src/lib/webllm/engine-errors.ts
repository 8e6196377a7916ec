// Named errors of the real-model tier (WebLLM), each saying what to do. WebLLM's own errors cross
// its worker as plain Errors with a `name` (ShaderF16SupportError, DeviceLostError, …); the browser's
// as DOMExceptions (QuotaExceededError) or TypeErrors (a failed fetch). classifyEngineError maps
// any of them to one of ours, keeping the original as `cause`.
import { PsrError } from '../errors.ts';

/** The browser has no WebGPU, or only a software adapter (SwiftShader): real models need a GPU. */
export class RealModelNoGpuError extends PsrError {}
/** The model needs the WebGPU feature shader-f16 and this adapter lacks it. */
export class RealModelShaderF16Error extends PsrError {}
/** Browser storage is full: the model's files could not be cached. */
export class RealModelStorageFullError extends PsrError {}
/** A model file could not be downloaded (offline, blocked, server error). */
export class RealModelDownloadError extends PsrError {}
/** The GPU offers too little memory for the model (its buffer limit, or an allocation that failed). */
export class RealModelMemoryError extends PsrError {}
/** The GPU ran out of memory or the device was lost while loading or running the model. */
export class RealModelDeviceLostError extends PsrError {}
/** The model's configuration (chat template, context) is not what the tier can use. */
export class RealModelConfigError extends PsrError {}
/** A request to the engine failed for a reason not listed above. */
export class RealModelEngineError extends PsrError {}

function nameOf(e: unknown): string {
  return typeof e === 'object' && e !== null && typeof (e as { name?: unknown }).name === 'string' ? (e as { name: string }).name : '';
}
function messageOf(e: unknown): string {
  return typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string' ? (e as { message: string }).message : String(e);
}

/** One of our named errors for anything WebLLM or the browser threw while loading or running `modelId`. */
export function classifyEngineError(e: unknown, modelId: string): PsrError {
  if (e instanceof PsrError) return e;
  const name = nameOf(e);
  const msg = messageOf(e);
  const cause = { cause: e };
  if (name === 'ShaderF16SupportError' || /shader-f16/i.test(msg)) {
    return new RealModelShaderF16Error(
      `${modelId} needs the WebGPU feature shader-f16, which this browser or GPU does not offer; pick the q4f32_1 variant of the model instead.`,
      cause,
    );
  }
  if (name === 'QuotaExceededError' || /quota/i.test(msg)) {
    return new RealModelStorageFullError(
      `the browser's storage is full, so ${modelId}'s files could not be cached; free space (delete cached models below, or clear this site's data) or pick a smaller model.`,
      cause,
    );
  }
  if (/maxStorageBufferBindingSize|exceeds limit|Failed to allocate|allocation failed/i.test(msg)) {
    return new RealModelMemoryError(
      `this GPU offers too little memory for ${modelId} (${msg.split('\n')[0].trim()}); pick a smaller model (a q4 variant, or 0.5 B / 360 M / 135 M), or close other GPU-heavy tabs and try again.`,
      cause,
    );
  }
  if (name === 'DeviceLostError' || /device (was )?lost/i.test(msg) || /out of memory|OOM/.test(msg)) {
    return new RealModelDeviceLostError(
      `the GPU device was lost while running ${modelId} — usually it ran out of memory; close other GPU-heavy tabs and pick a smaller model (or a q4 variant), then load again.`,
      cause,
    );
  }
  if (name === 'WebGPUNotAvailableError' || name === 'WebGPUNotFoundError') {
    return new RealModelNoGpuError(`this browser exposes no WebGPU adapter, so ${modelId} cannot run here; use a recent Chrome, Edge or Safari on a machine with a GPU.`, cause);
  }
  if ((name === 'TypeError' && /fetch|network/i.test(msg)) || /status\s*(4|5)\d\d|HTTP (4|5)\d\d|Failed to fetch|NetworkError/i.test(msg)) {
    return new RealModelDownloadError(`a file of ${modelId} could not be downloaded (${msg}); check the connection and load again — files already fetched stay cached.`, cause);
  }
  return new RealModelEngineError(`WebLLM failed with ${name || 'an error'}: ${msg}; reload the page and load the model again, or pick another model.`, cause);
}
