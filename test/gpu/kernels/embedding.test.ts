// Parity of embedding.wgsl with the CPU reference: lookup, and the atomic-free scatter-add
// backward accumulating into a non-zero dwte (tokens repeat, some vocab rows get none).
import { afterAll, describe, it } from 'vitest';
import { gpuContext } from '../context.ts';
import { GpuIo } from './gpu-io.ts';
import { expectClose } from '../../util/compare.ts';
import { randint, randn, rng } from '../../util/random.ts';
import { embeddingBackward, embeddingForward } from '../../../src/lib/kernels/embedding.ts';
import * as ref from '../../../src/lib/ref/embedding.ts';

const io = gpuContext().then((ctx) => new GpuIo(ctx));
afterAll(async () => (await io).destroy());

describe.each([
  { N: 37, C: 19, V: 23 },
  { N: 64, C: 48, V: 100 },
])('embedding N=$N C=$C V=$V', ({ N, C, V }) => {
  const rand = rng(N * 1000 + C);
  const wte = randn(rand, V * C); // (V,C)
  const tokens = randint(rand, N, V); // (N)
  tokens[1] = tokens[0]; // a guaranteed repeat

  it('forward gathers rows of wte', async () => {
    const g = await io;
    const out = g.zeros(N * C, 'out');
    await embeddingForward(g.ctx, out, g.up(tokens, 'tokens'), g.up(wte, 'wte'), N, C, V);
    const expected = new Float32Array(N * C); // (N,C)
    ref.embeddingForward(expected, tokens, wte, N, C, V);
    expectClose(await g.read(out, N * C), expected, { atol: 0, rtol: 0, label: 'embedding out' });
  });

  it('backward accumulates the scatter into dwte', async () => {
    const g = await io;
    const dout = randn(rand, N * C); // (N,C)
    const dwte0 = randn(rand, V * C); // (V,C) non-zero: checks +=
    const dwte = g.up(dwte0, 'dwte');
    await embeddingBackward(g.ctx, dwte, g.up(dout, 'dout'), g.up(tokens, 'tokens'), N, C, V);
    const expected = dwte0.slice();
    ref.embeddingBackward(expected, dout, tokens, N, C, V);
    expectClose(await g.read(dwte, V * C), expected, { atol: 1e-5, rtol: 1e-5, label: 'embedding dwte' });
  });
});
