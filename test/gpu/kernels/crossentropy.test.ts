// Parity of crossentropy.wgsl with the CPU reference: SFT loss with weights 0 / 1 / 10 (and
// null = all ones, and all-zero weights), large logits (stability), target −1 on unscored rows;
// the span log-prob used by DPO; both backwards accumulating into a non-zero dlogits.
import { afterAll, describe, expect, it } from 'vitest';
import { gpuContext } from '../context.ts';
import { GpuIo } from './gpu-io.ts';
import { expectClose } from '../../util/compare.ts';
import { randint, randmask, randn, rng } from '../../util/random.ts';
import {
  crossEntropyBackward, crossEntropyForward, seqLogprobBackward, seqLogprobForward,
} from '../../../src/lib/kernels/crossentropy.ts';
import * as ref from '../../../src/lib/ref/crossentropy.ts';

const io = gpuContext().then((ctx) => new GpuIo(ctx));
afterAll(async () => (await io).destroy());
const TOL = { atol: 1e-5, rtol: 1e-5 };

type Weights = 'null' | 'mixed' | 'zero';

describe.each([
  { N: 6, V: 5, weights: 'mixed' as Weights },
  { N: 23, V: 37, weights: 'null' as Weights },
  { N: 40, V: 100, weights: 'mixed' as Weights },
  { N: 4, V: 70, weights: 'zero' as Weights },
])('cross-entropy N=$N V=$V weights=$weights', ({ N, V, weights }) => {
  const rand = rng(N * 101 + V);
  const logits = randn(rand, N * V, 3); // (N,V)
  logits[0] = 60; // a dominant logit: naive exp would overflow
  const targets = randint(rand, N, V); // (N)
  let w: Float32Array | null = null; // (N)
  if (weights === 'mixed') {
    w = new Float32Array(N).map((_, n) => [0, 1, 10][n % 3]);
    targets[0] = -1; // weight 0: never read
  } else if (weights === 'zero') {
    w = new Float32Array(N);
  }
  const lossesRef = new Float32Array(N); // (N)
  const lseRef = new Float32Array(N); // (N)
  const lossRef = ref.crossEntropyForward(lossesRef, lseRef, logits, targets, w, N, V);

  it('forward: losses, logsumexp and [mean loss, Σ w]', async () => {
    const g = await io;
    const [loss, losses, lse] = [g.zeros(2, 'loss'), g.zeros(N, 'losses'), g.zeros(N, 'lse')];
    await crossEntropyForward(g.ctx, losses, lse, g.up(logits, 'logits'), g.up(targets, 'targets'),
      w ? g.up(w, 'weights') : null, N, V, loss);
    expectClose(await g.read(losses, N), lossesRef, { ...TOL, label: 'ce losses' });
    expectClose(await g.read(lse, N), lseRef, { ...TOL, label: 'ce logsumexp' });
    const wsum = w ? w.reduce((a, b) => a + b, 0) : N;
    expectClose(await g.read(loss, 2), [lossRef, wsum], { ...TOL, label: 'ce [loss, Σw]' });
    if (weights === 'zero') expect(lossRef).toBe(0);
  });

  it('backward accumulates dlogits, scaled by dloss', async () => {
    const g = await io;
    const dloss = 0.75;
    const dlogits0 = randn(rand, N * V); // (N,V) non-zero: checks +=
    const dlogits = g.up(dlogits0, 'dlogits');
    await crossEntropyBackward(g.ctx, dlogits, g.up(logits, 'logits'), g.up(lseRef, 'lse'), g.up(targets, 'targets'),
      w ? g.up(w, 'weights') : null, N, V, dloss);
    const expected = dlogits0.slice();
    ref.crossEntropyBackward(expected, logits, lseRef, targets, w, N, V, dloss);
    expectClose(await g.read(dlogits, N * V), expected, { ...TOL, label: 'ce dlogits' });
    expect(g.ctx.pool.outstanding).toBe(0);
  });
});

describe.each([
  { B: 2, T: 5, V: 11 },
  { B: 3, T: 17, V: 70 },
])('span log-prob B=$B T=$T V=$V', ({ B, T, V }) => {
  const rand = rng(B * 7 + T * 3 + V);
  const N = B * T;
  const logits = randn(rand, N * V, 2); // (N,V)
  const targets = randint(rand, N, V); // (N)
  const mask = randmask(rand, N, 0.5); // (N)
  for (let t = 0; t < T; t++) mask[t] = 0; // sequence 0 has an empty span: seqLogp 0
  targets[0] = -1; // masked: never read
  const seqRef = new Float32Array(B); // (B)
  const lseRef = new Float32Array(N); // (N)
  ref.seqLogprobForward(seqRef, lseRef, logits, targets, mask, B, T, V);

  it('forward: seqLogp and logsumexp', async () => {
    const g = await io;
    const [seq, lse] = [g.up(randn(rand, B), 'seq'), g.zeros(N, 'lse')];
    await seqLogprobForward(g.ctx, seq, lse, g.up(logits, 'logits'), g.up(targets, 'targets'), g.up(mask, 'mask'), B, T, V);
    expectClose(await g.read(seq, B), seqRef, { atol: 1e-4, rtol: 1e-5, label: 'seqLogp' });
    expectClose(await g.read(lse, N), lseRef, { ...TOL, label: 'seqLogp logsumexp' });
    expect(g.ctx.pool.outstanding).toBe(0);
  });

  it('backward accumulates dlogits', async () => {
    const g = await io;
    const dseq = randn(rand, B); // (B)
    const dlogits0 = randn(rand, N * V); // (N,V) non-zero: checks +=
    const dlogits = g.up(dlogits0, 'dlogits');
    await seqLogprobBackward(g.ctx, dlogits, g.up(dseq, 'dseq'), g.up(logits, 'logits'), g.up(lseRef, 'lse'),
      g.up(targets, 'targets'), g.up(mask, 'mask'), B, T, V);
    const expected = dlogits0.slice();
    ref.seqLogprobBackward(expected, dseq, logits, lseRef, targets, mask, B, T, V);
    expectClose(await g.read(dlogits, N * V), expected, { ...TOL, label: 'seqLogp dlogits' });
  });
});
