// The adapter's FMA ceiling (fma_probe.wgsl): register-only FMAs, timed like every other kernel,
// so each matmul's GFLOP/s can be read as a fraction of what this adapter can do at all.
// The loop count grows until one dispatch lasts long enough to time reliably.
import code from './fma_probe.wgsl?raw';
import type { BenchContext, GpuTimer, Timing } from './gpu-timer.ts';

const WG = 64; // fma_probe.wgsl workgroup size
const FMAS_PER_ITER = 32; // 8 accumulators × 4 unrolled

export interface ProbeResult {
  gflops: number;
  /** Invocations × iterations of the timed dispatch. */
  invocations: number;
  iters: number;
  timing: Timing;
}

export interface ProbeOptions {
  /** Workgroups of 64 (enough invocations to fill a large GPU). Default 1024. */
  workgroups?: number;
  /** Grow iters until one dispatch takes at least this long. Default 15 ms. */
  minDispatchMs?: number;
  targetMs?: number;
  samples?: number;
  /** false: the same chain as multiply + add (see fma_probe.wgsl). Default true. */
  fma?: boolean;
}

export async function runFmaProbe(ctx: BenchContext, timer: GpuTimer, opts: ProbeOptions = {}): Promise<ProbeResult> {
  const workgroups = opts.workgroups ?? 1024;
  const minDispatchMs = opts.minDispatchMs ?? 15;
  const invocations = workgroups * WG;
  const out = ctx.device.createBuffer({ label: 'bench:fma-probe-out', size: invocations * 4, usage: 0x80 | 0x4 }); // (invocations)
  const pipeline = await ctx.pipelines.get('fma_probe', code, 'fma_probe', { USE_FMA: opts.fma === false ? 0 : 1 });
  try {
    let iters = 16;
    for (;;) {
      const work = await ctx.capture(async () => {
        ctx.dispatch(pipeline, [out, ctx.uniforms('fma_probe', [iters])], [workgroups, 1]);
      });
      await timer.runOnce(work, 1);
      const ms = await timer.runOnce(work, 1);
      if (ms >= minDispatchMs || iters >= 1 << 20) {
        const timing = await timer.time(work, { targetMs: opts.targetMs, samples: opts.samples, maxReps: 64 });
        ctx.releaseCaptures();
        const flop = 2 * FMAS_PER_ITER * iters * invocations;
        return { gflops: flop / (timing.ms * 1e6), invocations, iters, timing };
      }
      iters *= Math.min(16, Math.max(2, Math.ceil(minDispatchMs / Math.max(ms, 0.01))));
    }
  } finally {
    out.destroy();
  }
}
