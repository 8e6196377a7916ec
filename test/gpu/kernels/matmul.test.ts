// Parity of matmul.wgsl with the CPU reference: forward with and without bias, the LoRA form
// (scale + accumulate), and backward dinp / dweight / dbias accumulating into non-zero grads.
// Shapes straddle the 64×64 tile and the 16-deep K slice (1, 17, 63, 65, 80, ...).
import { afterAll, describe, it } from 'vitest';
import { gpuContext } from '../context.ts';
import { GpuIo } from './gpu-io.ts';
import { expectClose } from '../../util/compare.ts';
import { randn, rng } from '../../util/random.ts';
import { matmulBackward, matmulForward } from '../../../src/lib/kernels/matmul.ts';
import * as ref from '../../../src/lib/ref/matmul.ts';

const io = gpuContext().then((ctx) => new GpuIo(ctx));
afterAll(async () => (await io).destroy());
const TOL = { atol: 1e-4, rtol: 1e-4 };

describe.each([
  { N: 1, C: 7, OC: 5 },
  { N: 17, C: 48, OC: 33 },
  { N: 64, C: 16, OC: 64 },
  { N: 65, C: 40, OC: 80 },
  { N: 30, C: 130, OC: 9 },
])('matmul N=$N C=$C OC=$OC', ({ N, C, OC }) => {
  const rand = rng(N * 7919 + C * 31 + OC);
  const inp = randn(rand, N * C); // (N,C)
  const weight = randn(rand, OC * C, 0.2); // (OC,C)
  const bias = randn(rand, OC); // (OC)

  it.each([true, false])('forward (bias: %s)', async (withBias) => {
    const g = await io;
    const out = g.up(randn(rand, N * OC), 'out'); // garbage that must be overwritten
    await matmulForward(g.ctx, out, g.up(inp, 'inp'), g.up(weight, 'weight'), withBias ? g.up(bias, 'bias') : null, N, C, OC);
    const expected = new Float32Array(N * OC); // (N,OC)
    ref.matmulForward(expected, inp, weight, withBias ? bias : null, N, C, OC);
    expectClose(await g.read(out, N * OC), expected, { ...TOL, label: `matmul out bias=${withBias}` });
  });

  it('backward accumulates dinp, dweight, dbias', async () => {
    const g = await io;
    const dout = randn(rand, N * OC); // (N,OC)
    const dinp0 = randn(rand, N * C); // (N,C) non-zero: checks +=
    const dweight0 = randn(rand, OC * C); // (OC,C)
    const dbias0 = randn(rand, OC); // (OC)
    const [dinp, dweight, dbias] = [g.up(dinp0, 'dinp'), g.up(dweight0, 'dweight'), g.up(dbias0, 'dbias')];
    await matmulBackward(g.ctx, dinp, dweight, dbias, g.up(dout, 'dout'), g.up(inp, 'inp'), g.up(weight, 'weight'), N, C, OC);
    const [dinpRef, dweightRef, dbiasRef] = [dinp0.slice(), dweight0.slice(), dbias0.slice()];
    ref.matmulBackward(dinpRef, dweightRef, dbiasRef, dout, inp, weight, N, C, OC);
    expectClose(await g.read(dinp, N * C), dinpRef, { ...TOL, label: 'matmul dinp' });
    expectClose(await g.read(dweight, OC * C), dweightRef, { ...TOL, label: 'matmul dweight' });
    expectClose(await g.read(dbias, OC), dbiasRef, { ...TOL, label: 'matmul dbias' });
  });
});

describe('matmul as LoRA', () => {
  it('y += scale·(x·Aᵀ)·Bᵀ with A(R,C), B(OC,R), on top of a base output', async () => {
    const g = await io;
    const rand = rng(4242);
    const N = 21, C = 24, R = 4, OC = 18, scale = 2.5;
    const x = randn(rand, N * C); // (N,C)
    const A = randn(rand, R * C); // (R,C)
    const Bw = randn(rand, OC * R); // (OC,R)
    const y0 = randn(rand, N * OC); // (N,OC) base layer output
    const h = g.zeros(N * R, 'h');
    const y = g.up(y0, 'y');
    await matmulForward(g.ctx, h, g.up(x, 'x'), g.up(A, 'A'), null, N, C, R);
    await matmulForward(g.ctx, y, h, g.up(Bw, 'B'), null, N, R, OC, { scale, accumulate: true });
    const hRef = new Float32Array(N * R); // (N,R)
    const delta = new Float32Array(N * OC); // (N,OC)
    ref.matmulForward(hRef, x, A, null, N, C, R);
    ref.matmulForward(delta, hRef, Bw, null, N, R, OC);
    const expected = y0.map((v, i) => v + scale * delta[i]);
    expectClose(await g.read(y, N * OC), expected, { ...TOL, label: 'lora y' });
  });

  it('skips gradients passed as null', async () => {
    const g = await io;
    const rand = rng(5);
    const N = 9, C = 11, OC = 6;
    const inp = randn(rand, N * C), weight = randn(rand, OC * C), dout = randn(rand, N * OC);
    const dweight = g.zeros(OC * C, 'dweight');
    await matmulBackward(g.ctx, null, dweight, null, g.up(dout, 'dout'), g.up(inp, 'inp'), g.up(weight, 'w'), N, C, OC);
    const dweightRef = new Float32Array(OC * C); // (OC,C)
    ref.matmulBackward(null, dweightRef, null, dout, inp, weight, N, C, OC);
    expectClose(await g.read(dweight, OC * C), dweightRef, { ...TOL, label: 'matmul dweight only' });
  });
});
