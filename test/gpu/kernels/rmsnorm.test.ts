// Parity of rmsnorm.wgsl with the CPU reference: forward (out, rstd) and backward (dinp,
// dweight) accumulating into non-zero gradients, for C below, at and above the workgroup size.
import { afterAll, describe, it } from 'vitest';
import { gpuContext } from '../context.ts';
import { GpuIo } from './gpu-io.ts';
import { expectClose } from '../../util/compare.ts';
import { randn, rng } from '../../util/random.ts';
import { rmsnormBackward, rmsnormForward } from '../../../src/lib/kernels/rmsnorm.ts';
import * as ref from '../../../src/lib/ref/rmsnorm.ts';

const io = gpuContext().then((ctx) => new GpuIo(ctx));
afterAll(async () => (await io).destroy());
const TOL = { atol: 1e-5, rtol: 1e-4 };

describe.each([
  { N: 5, C: 48 },
  { N: 33, C: 64 },
  { N: 17, C: 131 },
])('rmsnorm N=$N C=$C', ({ N, C }) => {
  const rand = rng(7 * N + C);
  const eps = 1e-5;
  const inp = randn(rand, N * C, 2); // (N,C)
  const weight = randn(rand, C); // (C)
  const rstdRef = new Float32Array(N); // (N)
  const outRef = new Float32Array(N * C); // (N,C)
  ref.rmsnormForward(outRef, rstdRef, inp, weight, N, C, eps);

  it('forward writes out and rstd', async () => {
    const g = await io;
    const out = g.zeros(N * C, 'out');
    const rstd = g.zeros(N, 'rstd');
    await rmsnormForward(g.ctx, out, rstd, g.up(inp, 'inp'), g.up(weight, 'weight'), N, C, eps);
    expectClose(await g.read(out, N * C), outRef, { ...TOL, label: 'rmsnorm out' });
    expectClose(await g.read(rstd, N), rstdRef, { ...TOL, label: 'rmsnorm rstd' });
  });

  it('backward accumulates dinp and dweight', async () => {
    const g = await io;
    const dout = randn(rand, N * C); // (N,C)
    const dinp0 = randn(rand, N * C); // (N,C) non-zero: checks +=
    const dweight0 = randn(rand, C); // (C)
    const dinp = g.up(dinp0, 'dinp');
    const dweight = g.up(dweight0, 'dweight');
    await rmsnormBackward(g.ctx, dinp, dweight, g.up(dout, 'dout'), g.up(inp, 'inp'), g.up(weight, 'weight'),
      g.up(rstdRef, 'rstd'), N, C);
    const dinpRef = dinp0.slice();
    const dweightRef = dweight0.slice();
    ref.rmsnormBackward(dinpRef, dweightRef, dout, inp, weight, rstdRef, N, C);
    expectClose(await g.read(dinp, N * C), dinpRef, { ...TOL, label: 'rmsnorm dinp' });
    expectClose(await g.read(dweight, C), dweightRef, { ...TOL, label: 'rmsnorm dweight' });
  });
});

describe('rmsnorm backward with one gradient skipped', () => {
  it('null dweight leaves only dinp written', async () => {
    const g = await io;
    const N = 3, C = 10;
    const rand = rng(99);
    const inp = randn(rand, N * C), weight = randn(rand, C), dout = randn(rand, N * C);
    const rstd = new Float32Array(N), out = new Float32Array(N * C);
    ref.rmsnormForward(out, rstd, inp, weight, N, C, 1e-6);
    const dinp = g.zeros(N * C, 'dinp');
    await rmsnormBackward(g.ctx, dinp, null, g.up(dout, 'dout'), g.up(inp, 'inp'), g.up(weight, 'w'), g.up(rstd, 'rstd'), N, C);
    const dinpRef = new Float32Array(N * C);
    ref.rmsnormBackward(dinpRef, null, dout, inp, weight, rstd, N, C);
    expectClose(await g.read(dinp, N * C), dinpRef, { ...TOL, label: 'rmsnorm dinp only' });
  });
});
