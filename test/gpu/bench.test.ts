// The benchmark machinery on Dawn: a captured dispatch replayed by GpuTimer computes what the kernel
// computes (so timings are of real work), even after a flush of the context, timings are positive with the method the device supports,
// the FMA probe reports a positive rate for both variants, and one matmul benchmark yields GFLOP/s
// consistent with its own timing. The full run is `npm run bench` (minutes), not a test.
import { afterAll, describe, expect, it } from 'vitest';
import { acquireNodeDevice } from '../../src/lib/gpu/node.ts';
import { BenchContext, GpuTimer } from '../../src/lib/bench/gpu-timer.ts';
import { runFmaProbe } from '../../src/lib/bench/fma-probe.ts';
import { benchOurMatmul, matmulFlop } from '../../src/lib/bench/matmul-bench.ts';
import { matmulForward } from '../../src/lib/kernels/matmul.ts';
import * as ref from '../../src/lib/ref/matmul.ts';
import { expectClose } from '../util/compare.ts';
import { randn, rng } from '../util/random.ts';
import { BenchError } from '../../src/lib/errors.ts';

const setup = acquireNodeDevice().then((h) => ({ h, ctx: new BenchContext(h), timer: new GpuTimer(h.device) }));
afterAll(async () => {
  const { h, ctx, timer } = await setup;
  timer.destroy();
  ctx.pool.destroy();
  h.destroy();
});

describe('BenchContext + GpuTimer', () => {
  it('replays a captured matmul and the result is the matmul', async () => {
    const { ctx, timer } = await setup;
    const rand = rng(3);
    const [N, C, OC] = [12, 32, 20];
    const inp = randn(rand, N * C); // (N,C)
    const w = randn(rand, OC * C); // (OC,C)
    const out = ctx.upload(new Float32Array(N * OC), 'out'); // (N,OC)
    const work = await ctx.capture(() => matmulForward(ctx, out, ctx.upload(inp, 'inp'), ctx.upload(w, 'w'), null, N, C, OC));
    expect(work.length).toBe(1);
    // Capturing records nothing on the context: out is still zero (and this read's flush must not
    // release the capture's uniforms: they belong to it until releaseCaptures()).
    expect([...(await ctx.readF32(out, N * OC))].every((v) => v === 0)).toBe(true);
    const timing = await timer.time(work, { targetMs: 5, samples: 2 });
    expect(timing.method).toBe(ctx.device.features.has('timestamp-query') ? 'timestamp-query' : 'wall-clock');
    expect(timing.ms).toBeGreaterThan(0);
    expect(timing.reps).toBeGreaterThanOrEqual(1);
    const expected = new Float32Array(N * OC); // (N,OC)
    ref.matmulForward(expected, inp, w, null, N, C, OC);
    expectClose(await ctx.readF32(out, N * OC), expected, { atol: 1e-4, rtol: 1e-4, label: 'replayed matmul' });
    ctx.releaseCaptures();
  });

  it('refuses to time an empty capture', async () => {
    const { ctx, timer } = await setup;
    const work = await ctx.capture(async () => {});
    await expect(timer.time(work)).rejects.toThrow(BenchError);
  });
});

describe('probe and matmul benchmark', () => {
  it('measures a positive FMA and multiply+add rate', async () => {
    const { ctx, timer } = await setup;
    for (const fma of [true, false]) {
      const p = await runFmaProbe(ctx, timer, { workgroups: 64, minDispatchMs: 2, samples: 1, fma });
      expect(p.gflops).toBeGreaterThan(0);
      expect(p.invocations).toBe(64 * 64);
      expect(p.timing.ms).toBeGreaterThan(0);
    }
  });

  it('reports GFLOP/s = 2·N·C·OC / time for each format', async () => {
    const { ctx, timer } = await setup;
    const shape = { N: 6, C: 64, OC: 48, layer: 'test' };
    for (const format of ['f32', 'int8', 'q4'] as const) {
      const f = await benchOurMatmul(ctx, timer, shape, format, { targetMs: 5, samples: 1 });
      expect(f.gflops).toBeGreaterThan(0);
      expect(f.gflops).toBeCloseTo(matmulFlop(shape) / (f.ms * 1e6), 6);
    }
  });
});
