// Parity of adamw.wgsl with the CPU reference: several AdamW steps (bias correction by t) for a
// decayed group and a no-decay group (norms, biases), and global-norm clipping over tensors of
// different lengths, active, inactive, and measure-only (maxNorm = Infinity).
import { afterAll, describe, expect, it } from 'vitest';
import { gpuContext } from '../context.ts';
import { GpuIo } from './gpu-io.ts';
import { expectClose } from '../../util/compare.ts';
import { randn, rng } from '../../util/random.ts';
import { adamwStep, clipGradNorm } from '../../../src/lib/kernels/adamw.ts';
import * as ref from '../../../src/lib/ref/adamw.ts';

const io = gpuContext().then((ctx) => new GpuIo(ctx));
afterAll(async () => (await io).destroy());

describe.each([
  { group: 'decayed (matrices)', n: 1000, weightDecay: 0.1 },
  { group: 'no decay (norms, biases)', n: 77, weightDecay: 0 },
])('adamw $group n=$n', ({ n, weightDecay }) => {
  it('three steps match the CPU: param, m, v', async () => {
    const g = await io;
    const rand = rng(n + Math.round(weightDecay * 100));
    const hyper = { lr: 3e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay };
    const p0 = randn(rand, n); // (n)
    const [pRef, mRef, vRef] = [p0.slice(), new Float32Array(n), new Float32Array(n)];
    const [param, m, v] = [g.up(p0, 'param'), g.zeros(n, 'm'), g.zeros(n, 'v')];
    for (let t = 1; t <= 3; t++) {
      const grad = randn(rand, n, 0.1); // (n)
      await adamwStep(g.ctx, param, g.up(grad, 'grad'), m, v, n, hyper, t);
      ref.adamwStep(pRef, grad, mRef, vRef, hyper, t);
    }
    expectClose(await g.read(m, n), mRef, { atol: 1e-7, rtol: 1e-5, label: 'adamw m' });
    expectClose(await g.read(v, n), vRef, { atol: 1e-9, rtol: 1e-5, label: 'adamw v' });
    expectClose(await g.read(param, n), pRef, { atol: 1e-6, rtol: 1e-5, label: 'adamw param' });
  });
});

describe('gradient-norm clipping', () => {
  const lengths = [5, 300, 20000]; // 20000 needs more than the 64 partials per tensor: grid-stride
  const cases = [
    { name: 'clips when the norm exceeds maxNorm', maxNorm: 1 },
    { name: 'leaves grads alone below maxNorm', maxNorm: 1e4 },
    { name: 'only measures with maxNorm = Infinity', maxNorm: Infinity },
  ];
  it.each(cases)('$name', async ({ maxNorm }) => {
    const g = await io;
    const rand = rng(1234);
    const grads = lengths.map((len) => randn(rand, len, 0.05)); // each (len)
    const refGrads = grads.map((x) => x.slice());
    const normRef = ref.clipGradNorm(refGrads, Number.isFinite(maxNorm) ? maxNorm : Number.MAX_VALUE);
    const bufs = grads.map((x, i) => g.up(x, `grad${i}`));
    const norm = g.zeros(2, 'norm');
    await clipGradNorm(g.ctx, bufs.map((buffer, i) => ({ buffer, length: lengths[i] })), maxNorm, norm);
    const [normGpu, coef] = await g.read(norm, 2);
    expectClose([normGpu], [normRef], { atol: 0, rtol: 1e-5, label: 'grad norm' });
    expect(coef).toBeCloseTo(Math.min(1, maxNorm / (normRef + 1e-6)), 6);
    if (maxNorm === 1) expect(coef).toBeLessThan(1);
    for (let i = 0; i < lengths.length; i++) {
      expectClose(await g.read(bufs[i], lengths[i]), refGrads[i], { atol: 1e-8, rtol: 1e-5, label: `clipped grad ${i}` });
    }
    expect(g.ctx.pool.outstanding).toBe(0);
  });
});
