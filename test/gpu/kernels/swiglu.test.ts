// Parity of swiglu.wgsl with the CPU reference, including large |gate| (σ must not overflow),
// forward and backward accumulating into non-zero dgate / dup.
import { afterAll, describe, it } from 'vitest';
import { gpuContext } from '../context.ts';
import { GpuIo } from './gpu-io.ts';
import { expectClose } from '../../util/compare.ts';
import { randn, rng } from '../../util/random.ts';
import { swigluBackward, swigluForward } from '../../../src/lib/kernels/swiglu.ts';
import * as ref from '../../../src/lib/ref/swiglu.ts';

const io = gpuContext().then((ctx) => new GpuIo(ctx));
afterAll(async () => (await io).destroy());
const TOL = { atol: 1e-5, rtol: 1e-5 };

describe.each([
  { N: 3, I: 5 },
  { N: 33, I: 70 },
])('swiglu N=$N I=$I', ({ N, I }) => {
  const rand = rng(N * 31 + I);
  const n = N * I;
  const gate = randn(rand, n, 3); // (N,I)
  gate[0] = 120; // σ saturates to 1
  gate[1] = -120; // exp(120) would overflow a naive σ
  const up = randn(rand, n); // (N,I)

  it('forward', async () => {
    const g = await io;
    const out = g.zeros(n, 'out');
    await swigluForward(g.ctx, out, g.up(gate, 'gate'), g.up(up, 'up'), N, I);
    const expected = new Float32Array(n); // (N,I)
    ref.swigluForward(expected, gate, up, N, I);
    expectClose(await g.read(out, n), expected, { ...TOL, label: 'swiglu out' });
  });

  it('backward accumulates dgate and dup', async () => {
    const g = await io;
    const dout = randn(rand, n); // (N,I)
    const dgate0 = randn(rand, n); // non-zero: checks +=
    const dup0 = randn(rand, n);
    const [dgate, dup] = [g.up(dgate0, 'dgate'), g.up(dup0, 'dup')];
    await swigluBackward(g.ctx, dgate, dup, g.up(dout, 'dout'), g.up(gate, 'gate'), g.up(up, 'up'), N, I);
    const [dgateRef, dupRef] = [dgate0.slice(), dup0.slice()];
    ref.swigluBackward(dgateRef, dupRef, dout, gate, up, N, I);
    expectClose(await g.read(dgate, n), dgateRef, { ...TOL, label: 'swiglu dgate' });
    expectClose(await g.read(dup, n), dupRef, { ...TOL, label: 'swiglu dup' });
  });
});
