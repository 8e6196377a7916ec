// Parity of rope.wgsl with the CPU reference: forward (separate output and in place) at
// positions up to 255 (angles far beyond 2π), and backward accumulating into a non-zero dinp.
import { afterAll, describe, it } from 'vitest';
import { gpuContext } from '../context.ts';
import { GpuIo } from './gpu-io.ts';
import { expectClose } from '../../util/compare.ts';
import { randint, randn, rng } from '../../util/random.ts';
import { ropeBackward, ropeForward } from '../../../src/lib/kernels/rope.ts';
import * as ref from '../../../src/lib/ref/rope.ts';

const io = gpuContext().then((ctx) => new GpuIo(ctx));
afterAll(async () => (await io).destroy());
const TOL = { atol: 2e-5, rtol: 1e-5 };

describe.each([
  { N: 7, NH: 3, HS: 6, theta: 10000 },
  { N: 40, NH: 2, HS: 16, theta: 10000 },
  { N: 19, NH: 4, HS: 32, theta: 500000 },
])('rope N=$N NH=$NH HS=$HS theta=$theta', ({ N, NH, HS, theta }) => {
  const rand = rng(N * 13 + NH * 7 + HS);
  const n = N * NH * HS;
  const inp = randn(rand, n); // (N,NH,HS)
  const positions = randint(rand, N, 256); // (N)
  positions[0] = 255;
  positions[1] = 0;
  const expected = new Float32Array(n); // (N,NH,HS)
  ref.ropeForward(expected, inp, positions, N, NH, HS, theta);

  it('forward into a separate buffer', async () => {
    const g = await io;
    const out = g.zeros(n, 'out');
    await ropeForward(g.ctx, out, g.up(inp, 'inp'), g.up(positions, 'positions'), N, NH, HS, theta);
    expectClose(await g.read(out, n), expected, { ...TOL, label: 'rope out' });
  });

  it('forward in place', async () => {
    const g = await io;
    const x = g.up(inp, 'x');
    await ropeForward(g.ctx, x, x, g.up(positions, 'positions'), N, NH, HS, theta);
    expectClose(await g.read(x, n), expected, { ...TOL, label: 'rope in place' });
  });

  it('backward accumulates Rᵀ·dout', async () => {
    const g = await io;
    const dout = randn(rand, n); // (N,NH,HS)
    const dinp0 = randn(rand, n); // (N,NH,HS) non-zero: checks +=
    const dinp = g.up(dinp0, 'dinp');
    await ropeBackward(g.ctx, dinp, g.up(dout, 'dout'), g.up(positions, 'positions'), N, NH, HS, theta);
    const dinpRef = dinp0.slice();
    ref.ropeBackward(dinpRef, dout, positions, N, NH, HS, theta);
    expectClose(await g.read(dinp, n), dinpRef, { ...TOL, label: 'rope dinp' });
  });
});
