// Timing GPU work for the benchmarks. BenchContext is a GpuContext that can *capture* the dispatches
// a kernel wrapper records (pipeline, bind group, grid) instead of encoding them; GpuTimer replays a
// capture `reps` times inside one compute pass and times it with timestamp queries when the device
// has 'timestamp-query', else with the wall clock around submit → onSubmittedWorkDone. Warm-up,
// repetitions calibrated to a target duration, best of k samples.
import { GpuContext, type UniformValue } from '../gpu/context.ts';
import { USAGE, uploadBuffer } from '../gpu/buffers.ts';
import { BenchError } from '../errors.ts';

/** One captured dispatch, ready to replay (its bind group keeps its buffers, uniforms included). */
export interface CapturedDispatch {
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  workgroups: [number, number, number];
}

/**
 * A GpuContext whose dispatches can be captured. While capturing, uniform buffers belong to the
 * capture (GpuContext would destroy them at its next flush): they live until releaseCaptures().
 */
export class BenchContext extends GpuContext {
  private capturing: CapturedDispatch[] | null = null;
  private captureUniforms: GPUBuffer[] = [];

  override uniforms(label: string, values: UniformValue[]): GPUBuffer {
    if (!this.capturing) return super.uniforms(label, values);
    // The same packing as GpuContext.uniforms: 4-byte words, u32 unless tagged, padded to 16 bytes.
    const data = new ArrayBuffer(Math.max(4, Math.ceil(values.length / 4) * 4) * 4);
    const [u32, f32, i32] = [new Uint32Array(data), new Float32Array(data), new Int32Array(data)];
    values.forEach((v, i) => {
      if (typeof v === 'number') u32[i] = v;
      else if ('f32' in v) f32[i] = v.f32;
      else i32[i] = v.i32;
    });
    const buf = uploadBuffer(this.device, u32, `uniforms:${label}:captured`, USAGE.UNIFORM | USAGE.COPY_DST);
    this.captureUniforms.push(buf);
    return buf;
  }

  /** Destroy the uniform buffers of every capture so far (their dispatches must not be replayed after). */
  releaseCaptures(): void {
    for (const b of this.captureUniforms.splice(0)) b.destroy();
  }

  override dispatch(pipeline: GPUComputePipeline, buffers: GPUBuffer[], workgroups: [number, number?, number?]): void {
    if (!this.capturing) {
      super.dispatch(pipeline, buffers, workgroups);
      return;
    }
    const [x, y = 1, z = 1] = workgroups;
    if (x === 0 || y === 0 || z === 0) return;
    const bindGroup = this.device.createBindGroup({
      label: `${pipeline.label}:bench-bind`,
      layout: pipeline.getBindGroupLayout(0),
      entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    this.capturing.push({ pipeline, bindGroup, workgroups: [x, y, z] });
  }

  /** Run `record` (which calls kernel wrappers on this context) and return what it dispatched. */
  async capture(record: () => Promise<void>): Promise<CapturedDispatch[]> {
    if (this.capturing) throw new BenchError('BenchContext.capture: a capture is already running; capture one thing at a time.');
    this.capturing = [];
    try {
      await record();
      return this.capturing;
    } finally {
      this.capturing = null;
    }
  }
}

export type TimingMethod = 'timestamp-query' | 'wall-clock';

export interface TimerOptions {
  /** Each sample runs the work enough times to last about this long. Default 40 ms. */
  targetMs?: number;
  /** Samples after the warm-up; the best one counts. Default 3. */
  samples?: number;
  /** Never replay more often than this per sample (a real GPU finishes a small matmul in µs). Default 2000. */
  maxReps?: number;
}

export interface Timing {
  /** Best time of one repetition of the captured work, in milliseconds. */
  ms: number;
  method: TimingMethod;
  reps: number;
  samples: number;
}

const QUERY_RESOLVE = 0x200;
const COPY_SRC = 0x4;
const COPY_DST = 0x8;
const MAP_READ = 0x1;

export class GpuTimer {
  readonly method: TimingMethod;
  private readonly querySet: GPUQuerySet | null = null;
  private readonly resolveBuf: GPUBuffer | null = null;
  private readonly readBuf: GPUBuffer | null = null;

  constructor(readonly device: GPUDevice) {
    this.method = device.features.has('timestamp-query') ? 'timestamp-query' : 'wall-clock';
    if (this.method === 'timestamp-query') {
      this.querySet = device.createQuerySet({ label: 'bench:timestamps', type: 'timestamp', count: 2 });
      this.resolveBuf = device.createBuffer({ label: 'bench:timestamps-resolve', size: 16, usage: QUERY_RESOLVE | COPY_SRC });
      this.readBuf = device.createBuffer({ label: 'bench:timestamps-read', size: 16, usage: MAP_READ | COPY_DST });
    }
  }

  /** Replay `work` `reps` times in one pass; resolves to the milliseconds of one repetition. */
  async runOnce(work: CapturedDispatch[], reps: number): Promise<number> {
    const { device } = this;
    const enc = device.createCommandEncoder({ label: 'bench' });
    const useTs = this.querySet !== null;
    const pass = enc.beginComputePass({
      label: 'bench',
      ...(useTs ? { timestampWrites: { querySet: this.querySet!, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } } : {}),
    });
    for (let r = 0; r < reps; r++) {
      for (const d of work) {
        pass.setPipeline(d.pipeline);
        pass.setBindGroup(0, d.bindGroup);
        pass.dispatchWorkgroups(...d.workgroups);
      }
    }
    pass.end();
    if (useTs) {
      enc.resolveQuerySet(this.querySet!, 0, 2, this.resolveBuf!, 0);
      enc.copyBufferToBuffer(this.resolveBuf!, 0, this.readBuf!, 0, 16);
    }
    const t0 = performance.now();
    device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone();
    const wallMs = performance.now() - t0;
    if (!useTs) return wallMs / reps;
    await this.readBuf!.mapAsync(MAP_READ);
    const [begin, end] = new BigUint64Array(this.readBuf!.getMappedRange().slice(0));
    this.readBuf!.unmap();
    const gpuMs = Number(end - begin) / 1e6;
    // A device that quantizes or zeroes timestamps (some browsers without developer flags) falls back to the wall clock.
    return gpuMs > 0 ? gpuMs / reps : wallMs / reps;
  }

  /** Warm up, calibrate repetitions to `targetMs`, then keep the best of `samples`. */
  async time(work: CapturedDispatch[], opts: TimerOptions = {}): Promise<Timing> {
    if (work.length === 0) throw new BenchError('GpuTimer.time: nothing was captured to time; the recording dispatched no kernel.');
    const targetMs = opts.targetMs ?? 40;
    const samples = opts.samples ?? 3;
    const maxReps = opts.maxReps ?? 2000;
    await this.runOnce(work, 1); // warm-up (pipeline upload, caches)
    const one = Math.max(await this.runOnce(work, 1), 1e-3);
    const reps = Math.max(1, Math.min(maxReps, Math.round(targetMs / one)));
    // Work far slower than the target (a slow kernel on a software GPU) gets one more sample, not k.
    const k = one > 4 * targetMs ? 1 : samples;
    let best = k === 1 ? one : Infinity;
    for (let s = 0; s < k; s++) best = Math.min(best, await this.runOnce(work, reps));
    return { ms: best, method: this.method, reps, samples: k };
  }

  destroy(): void {
    this.querySet?.destroy();
    this.resolveBuf?.destroy();
    this.readBuf?.destroy();
  }
}

/** Wall-clock best-of-k for anything async (ORT runs, decode steps, training steps). */
export async function timeAsync(fn: () => Promise<unknown>, samples: number, warmup = 1): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  let best = Infinity;
  for (let s = 0; s < samples; s++) {
    const t = performance.now();
    await fn();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}
