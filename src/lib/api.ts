// EngineApi: the one interface between the UI and the engine. Implemented in-thread by
// Engine (Node CLI, tests) and reached through Comlink.Remote<EngineApi> from the UI's worker.
// Callbacks must be wrapped in Comlink.proxy() when crossing the worker boundary.
import type { GpuInfo } from './gpu/device.ts';
import type { ProgressFn, SelfTestInput, SelfTestResult } from './kernels/selftest.ts';

export type { GpuInfo, ProgressFn, SelfTestInput, SelfTestResult };

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
}
