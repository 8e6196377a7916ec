// GFLOP/s of our WGSL linear layers (matmul.wgsl f32, matmul_quant.wgsl int8 / q4) at the tiny
// model's shapes: out(N,OC) = inp(N,C)·W(OC,C)ᵀ with N = 6 (decode: one token per candidate) or
// N = 2048 (a training batch), timed by GpuTimer on captured dispatches (no JS in the timed loop).
import type { BenchContext, GpuTimer, Timing } from './gpu-timer.ts';
import { matmulForward, type MatmulKernel } from '../kernels/matmul.ts';
import { matmulQuantForward, uploadQuantized } from '../kernels/matmul-quant.ts';
import { quantize, type QuantFormat } from '../formats/quant.ts';
import { benchData } from './bench-data.ts';

export { benchData };

/** One product of the model: N rows through a (C → OC) linear layer. */
export interface MatmulShape {
  N: number;
  C: number;
  OC: number;
  /** What the layer is in the model, e.g. "gate/up (C→I)". */
  layer: string;
}

/** The tiny model's linear layers (C 128, I 384, KV 64, V = vocab) at decode and training row counts. */
export function tinyMatmulShapes(V: number, rows: readonly number[] = [6, 2048]): MatmulShape[] {
  const layers: [number, number, string][] = [
    [128, 384, 'gate/up (C→I)'],
    [384, 128, 'down (I→C)'],
    [128, 128, 'q/o (C→C)'],
    [128, 64, 'k/v (C→NKV·HS)'],
    [128, V, 'lm_head (C→V)'],
  ];
  return rows.flatMap((N) => layers.map(([C, OC, layer]) => ({ N, C, OC, layer })));
}

export const shapeKey = (s: { N: number; C: number; OC: number }): string => `${s.N}x${s.C}x${s.OC}`;
export const matmulFlop = (s: { N: number; C: number; OC: number }): number => 2 * s.N * s.C * s.OC;

export interface KernelFigure {
  gflops: number;
  ms: number;
  timing: Timing;
}

export interface MatmulBenchOptions {
  targetMs?: number;
  samples?: number;
  /** f32 only: force a kernel ('tiled' = the workgroup-memory kernel, the baseline of the vec4 tuning). */
  kernel?: MatmulKernel;
}

/** Time our forward matmul of one shape in one weight format. */
export async function benchOurMatmul(
  ctx: BenchContext, timer: GpuTimer, shape: MatmulShape, format: QuantFormat, opts: MatmulBenchOptions = {},
): Promise<KernelFigure> {
  const { N, C, OC } = shape;
  const inp = ctx.upload(benchData(N * C, 1), 'bench:inp'); // (N,C)
  const out = ctx.device.createBuffer({ label: 'bench:out', size: N * OC * 4, usage: 0x80 | 0x4 | 0x8 }); // (N,OC)
  const W = benchData(OC * C, 2).map((x) => x * 0.1); // (OC,C)
  const held: GPUBuffer[] = [inp, out];
  try {
    let work;
    if (format === 'f32') {
      const w = ctx.upload(W, 'bench:weight'); // (OC,C)
      held.push(w);
      work = await ctx.capture(() => matmulForward(ctx, out, inp, w, null, N, C, OC, { kernel: opts.kernel }));
    } else {
      const q = uploadQuantized(ctx, quantize(W, OC, C, format), `bench:weight-${format}`); // packed (OC,C)
      held.push(q.buffer);
      work = await ctx.capture(() => matmulQuantForward(ctx, out, inp, q, null, N, C, OC));
    }
    const timing = await timer.time(work, { targetMs: opts.targetMs, samples: opts.samples });
    ctx.releaseCaptures();
    return { gflops: matmulFlop(shape) / (timing.ms * 1e6), ms: timing.ms, timing };
  } finally {
    for (const b of held) b.destroy();
  }
}
