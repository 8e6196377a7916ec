// Parity of the register-blocked quantized kernel (matmul_quant_vec4.wgsl) with the CPU twin
// src/lib/ref/matmul-quant.ts, forced with kernel: 'vec4', for int8 and q4: forward with and without
// bias (overwriting garbage) and backward_input accumulating, on aligned shapes (C, K multiples of 4)
// that straddle the skinny (M ≤ 16) and big tiles and a q4 row whose last group is padding.
import { afterAll, describe, it } from 'vitest';
import { gpuContext } from '../context.ts';
import { GpuIo } from './gpu-io.ts';
import { expectClose } from '../../util/compare.ts';
import { randn, rng } from '../../util/random.ts';
import { matmulQuantBackwardInput, matmulQuantForward, uploadQuantized } from '../../../src/lib/kernels/matmul-quant.ts';
import * as ref from '../../../src/lib/ref/matmul-quant.ts';
import { quantize } from '../../../src/lib/formats/quant.ts';

const io = gpuContext().then((ctx) => new GpuIo(ctx));
afterAll(async () => (await io).destroy());
const TOL = { atol: 1e-4, rtol: 1e-4 };

const SHAPES = [
  { N: 1, C: 4, OC: 4 },
  { N: 6, C: 128, OC: 384 }, // decode through gate/up
  { N: 16, C: 96, OC: 68 },
  { N: 17, C: 36, OC: 12 },
  { N: 68, C: 132, OC: 72 }, // q4: 5 groups, the last one 4 columns + padding
];

describe.each(['int8', 'q4'] as const)('%s vec4', (format) => {
  it.each(SHAPES)('forward and backward_input N=$N C=$C OC=$OC', async ({ N, C, OC }) => {
    const g = await io;
    const rand = rng(N * 31 + C * 7 + OC + (format === 'q4' ? 3 : 0));
    const q = quantize(randn(rand, OC * C, 0.2), OC, C, format);
    const w = uploadQuantized(g.ctx, q, `w:${format}`);
    const inp = randn(rand, N * C); // (N,C)
    const bias = randn(rand, OC); // (OC)
    const gin = g.up(inp, 'inp');
    for (const withBias of [true, false]) {
      const out = g.up(randn(rand, N * OC), 'out'); // garbage that must be overwritten
      await matmulQuantForward(g.ctx, out, gin, w, withBias ? g.up(bias, 'bias') : null, N, C, OC, { kernel: 'vec4' });
      const expected = new Float32Array(N * OC); // (N,OC)
      ref.matmulQuantForward(expected, inp, q, withBias ? bias : null, N, C, OC);
      expectClose(await g.read(out, N * OC), expected, { ...TOL, label: `${format} vec4 forward bias=${withBias}` });
    }
    const dout = randn(rand, N * OC); // (N,OC)
    const dinp0 = randn(rand, N * C); // (N,C) non-zero: checks +=
    const dinp = g.up(dinp0, 'dinp');
    await matmulQuantBackwardInput(g.ctx, dinp, g.up(dout, 'dout'), w, N, C, OC, { kernel: 'vec4' });
    const expected = dinp0.slice();
    ref.matmulQuantBackwardInput(expected, dout, q, N, C, OC);
    expectClose(await g.read(dinp, N * C), expected, { ...TOL, label: `${format} vec4 dinp` });
    w.buffer.destroy();
  });
});
