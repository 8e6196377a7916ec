// Runs selftest.wgsl (saxpy) on caller data, reads the result back, checks it against the
// CPU, and reports timings. Used by EngineApi.selfTest() in the worker and by `psr self-test`.
import code from './selftest.wgsl?raw';
import type { GpuContext } from '../gpu/context.ts';
import { GpuResultMismatchError, InvalidInputError } from '../errors.ts';

export interface SelfTestInput {
  /** x (N) */
  x: Float32Array;
  /** y (N) */
  y: Float32Array;
  a: number;
}

export interface SelfTestResult {
  n: number;
  /** The first few computed values (GPU) next to the CPU's, for display. */
  sample: { i: number; gpu: number; cpu: number }[];
  maxAbsError: number;
  verified: boolean;
  timingsMs: { compile: number; upload: number; dispatchAndRead: number; total: number };
}

export type ProgressFn = (stage: string, fraction: number) => void;

const WORKGROUP = 64;

export async function runSelfTest(ctx: GpuContext, input: SelfTestInput, progress?: ProgressFn): Promise<SelfTestResult> {
  const { x, y, a } = input;
  const n = x.length;
  if (n === 0 || y.length !== n) {
    throw new InvalidInputError(`self-test needs x and y of the same non-zero length (got ${x.length} and ${y.length}).`);
  }
  if (!Number.isFinite(a)) throw new InvalidInputError(`self-test scale a must be finite (got ${a}).`);
  const groups = Math.ceil(n / WORKGROUP);
  if (groups > ctx.maxWorkgroupsPerDimension) {
    throw new InvalidInputError(`self-test length ${n} exceeds ${ctx.maxWorkgroupsPerDimension * WORKGROUP}; send fewer elements.`);
  }
  const t0 = performance.now();
  progress?.('compile', 0.1);
  const pipeline = await ctx.pipelines.get('selftest', code, 'selftest_forward');
  const t1 = performance.now();
  progress?.('upload', 0.4);
  const xb = ctx.upload(x, 'selftest:x');
  const yb = ctx.upload(y, 'selftest:y');
  const outBuf = ctx.pool.acquire(n * 4, undefined, 'selftest:out');
  const params = ctx.uniforms('selftest', [n, { f32: a }]);
  const t2 = performance.now();
  progress?.('dispatch', 0.6);
  ctx.dispatch(pipeline, [outBuf, xb, yb, params], [groups]);
  const gpu = await ctx.readF32(outBuf, n);
  const t3 = performance.now();
  ctx.pool.release(outBuf);
  xb.destroy();
  yb.destroy();
  progress?.('verify', 0.9);
  let maxAbsError = 0;
  let firstBad = -1;
  for (let i = 0; i < n; i++) {
    const cpu = Math.fround(Math.fround(a) * x[i] + y[i]);
    const err = Math.abs(gpu[i] - cpu);
    const tol = 1e-6 + 1e-5 * Math.abs(cpu);
    if (!(err <= tol) && firstBad < 0) firstBad = i;
    if (!(err <= maxAbsError)) maxAbsError = err;
  }
  if (firstBad >= 0) {
    const cpu = Math.fround(a) * x[firstBad] + y[firstBad];
    throw new GpuResultMismatchError(
      `self-test: GPU gave ${gpu[firstBad]} at index ${firstBad}, CPU ${cpu} (max error ${maxAbsError}). ` +
        'This GPU or driver computes wrong results; update the driver or try another browser.',
    );
  }
  const sample = Array.from({ length: Math.min(4, n) }, (_, i) => ({ i, gpu: gpu[i], cpu: Math.fround(a) * x[i] + y[i] }));
  progress?.('done', 1);
  return {
    n,
    sample,
    maxAbsError,
    verified: true,
    timingsMs: { compile: t1 - t0, upload: t2 - t1, dispatchAndRead: t3 - t2, total: t3 - t0 },
  };
}
