// Parity of matmul_quant.wgsl (int8 / q4 weights dequantized on the fly) with the CPU twin
// src/lib/ref/matmul-quant.ts: forward with and without bias (overwriting garbage), backward_input
// accumulating into a non-zero dinp, on shapes that are no multiple of the 64×64 tile, the 16-deep K slice,
// the 4-byte int8 word or the 32-wide q4 group; plus the GpuBackend methods and the f32 fall-through.
import { afterAll, describe, expect, it } from 'vitest';
import { gpuContext } from '../context.ts';
import { GpuIo } from './gpu-io.ts';
import { expectClose } from '../../util/compare.ts';
import { randn, rng } from '../../util/random.ts';
import { matmulQuantBackwardInput, matmulQuantForward, uploadQuantized } from '../../../src/lib/kernels/matmul-quant.ts';
import * as ref from '../../../src/lib/ref/matmul-quant.ts';
import { dequantize, quantize } from '../../../src/lib/formats/quant.ts';
import type { QuantFormat } from '../../../src/lib/formats/quant.ts';
import { GpuBackend } from '../../../src/lib/backend/gpu-backend.ts';
import { ShapeError } from '../../../src/lib/errors.ts';

const io = gpuContext().then((ctx) => new GpuIo(ctx));
afterAll(async () => (await io).destroy());
const TOL = { atol: 1e-4, rtol: 1e-4 };

const SHAPES: { N: number; C: number; OC: number }[] = [];
for (const N of [1, 3, 17]) for (const C of [5, 31, 33, 70]) for (const OC of [1, 7, 65]) SHAPES.push({ N, C, OC });

describe.each(['int8', 'q4'] as const)('%s', (format) => {
  it.each(SHAPES)('forward and backward_input N=$N C=$C OC=$OC', async ({ N, C, OC }) => {
    const g = await io;
    const rand = rng(N * 7919 + C * 31 + OC + (format === 'q4' ? 5 : 0));
    const q = quantize(randn(rand, OC * C, 0.2), OC, C, format);
    const w = uploadQuantized(g.ctx, q, `w:${format}`);
    const inp = randn(rand, N * C); // (N,C)
    const bias = randn(rand, OC); // (OC)
    const gin = g.up(inp, 'inp');
    for (const withBias of [true, false]) {
      const out = g.up(randn(rand, N * OC), 'out'); // garbage that must be overwritten
      await matmulQuantForward(g.ctx, out, gin, w, withBias ? g.up(bias, 'bias') : null, N, C, OC);
      const expected = new Float32Array(N * OC); // (N,OC)
      ref.matmulQuantForward(expected, inp, q, withBias ? bias : null, N, C, OC);
      expectClose(await g.read(out, N * OC), expected, { ...TOL, label: `${format} forward bias=${withBias}` });
    }
    const dout = randn(rand, N * OC); // (N,OC)
    const dinp0 = randn(rand, N * C); // (N,C) non-zero: checks +=
    const dinp = g.up(dinp0, 'dinp');
    await matmulQuantBackwardInput(g.ctx, dinp, g.up(dout, 'dout'), w, N, C, OC);
    const expected = dinp0.slice();
    ref.matmulQuantBackwardInput(expected, dout, q, N, C, OC);
    expectClose(await g.read(dinp, N * C), expected, { ...TOL, label: `${format} dinp` });
    w.buffer.destroy();
  });

  it('crosses several tiles: N=130 C=200 OC=140', async () => {
    const g = await io;
    const [N, C, OC] = [130, 200, 140];
    const rand = rng(77);
    const q = quantize(randn(rand, OC * C, 0.1), OC, C, format);
    const w = uploadQuantized(g.ctx, q, 'w:big');
    const inp = randn(rand, N * C);
    const out = g.zeros(N * OC, 'out');
    await matmulQuantForward(g.ctx, out, g.up(inp, 'inp'), w, null, N, C, OC);
    const expected = new Float32Array(N * OC);
    ref.matmulQuantForward(expected, inp, q, null, N, C, OC);
    expectClose(await g.read(out, N * OC), expected, { ...TOL, label: `${format} big forward` });
    w.buffer.destroy();
  });
});

describe('GpuBackend quantized weights', () => {
  it.each(['f32', 'int8', 'q4'] as QuantFormat[])('%s: uploadQuantized + matmulQuantForward / BackwardInput match the CPU', async (format) => {
    const g = await io;
    const be = new GpuBackend(g.ctx);
    const [N, C, OC] = [5, 37, 9];
    const rand = rng(11);
    const q = quantize(randn(rand, OC * C, 0.3), OC, C, format);
    const w = be.uploadQuantized(q, `w:${format}`);
    expect([w.format, w.OC, w.C]).toEqual([format, OC, C]);
    const inp = randn(rand, N * C);
    const bias = randn(rand, OC);
    const out = be.zeros(N * OC, 'out');
    await be.matmulQuantForward(out, be.fromF32(inp, 'inp'), w, be.fromF32(bias, 'bias'), N, C, OC);
    const expected = new Float32Array(N * OC);
    ref.matmulQuantForward(expected, inp, q, bias, N, C, OC);
    expectClose(await be.read(out), expected, { ...TOL, label: `backend ${format} forward` });
    const dout = randn(rand, N * OC);
    const dinp0 = randn(rand, N * C);
    const dinp = be.fromF32(dinp0, 'dinp');
    await be.matmulQuantBackwardInput(dinp, be.fromF32(dout, 'dout'), w, N, C, OC);
    const dexp = dinp0.slice();
    ref.matmulQuantBackwardInput(dexp, dout, q, N, C, OC);
    expectClose(await be.read(dinp), dexp, { ...TOL, label: `backend ${format} dinp` });
    be.free(w);
    be.flush();
  });

  it('refuses a weight whose shape disagrees with the call', async () => {
    const g = await io;
    const q = quantize(new Float32Array(12), 3, 4, 'q4');
    const w = uploadQuantized(g.ctx, q, 'w:shape');
    await expect(matmulQuantForward(g.ctx, g.zeros(8, 'o'), g.zeros(8, 'i'), w, null, 2, 4, 4)).rejects.toThrow(ShapeError);
    expect(dequantize(q).every((v) => v === 0)).toBe(true);
    w.buffer.destroy();
  });
});
