// Parity of dpo.wgsl with the CPU reference: per-pair losses, rewards, margins, the [mean loss,
// accuracy] summary, extreme margins (stable softplus / σ), ref == policy (loss = log 2), and
// the backward accumulating into non-zero gradients.
import { afterAll, describe, expect, it } from 'vitest';
import { gpuContext } from '../context.ts';
import { GpuIo } from './gpu-io.ts';
import { expectClose } from '../../util/compare.ts';
import { randn, rng } from '../../util/random.ts';
import { dpoBackward, dpoForward } from '../../../src/lib/kernels/dpo.ts';
import * as ref from '../../../src/lib/ref/dpo.ts';

const io = gpuContext().then((ctx) => new GpuIo(ctx));
afterAll(async () => (await io).destroy());
const TOL = { atol: 1e-5, rtol: 1e-5 };

describe.each([{ P: 1 }, { P: 7 }, { P: 100 }])('dpo P=$P', ({ P }) => {
  const rand = rng(P * 97);
  const beta = 0.4;
  const pc = randn(rand, P, 20); // (P) log-probs of tens of nats
  const pr = randn(rand, P, 20);
  const rc = randn(rand, P, 20);
  const rr = randn(rand, P, 20);
  if (P > 1) {
    pc[1] = 500; // z = +200-ish: softplus(−z) ≈ 0
    pr[0] = 500; // z = −200-ish: softplus(−z) ≈ −z, no overflow
  }
  const expected = ref.dpoForward(pc, pr, rc, rr, beta);

  it('forward: losses, rewards, margins, summary', async () => {
    const g = await io;
    const out = {
      losses: g.zeros(P, 'losses'), chosenRewards: g.zeros(P, 'cr'), rejectedRewards: g.zeros(P, 'rr'),
      margins: g.zeros(P, 'margins'), summary: g.zeros(2, 'summary'),
    };
    await dpoForward(g.ctx, out, g.up(pc, 'pc'), g.up(pr, 'pr'), g.up(rc, 'rc'), g.up(rr, 'rr'), P, beta);
    expectClose(await g.read(out.losses, P), expected.losses, { atol: 1e-5, rtol: 1e-4, label: 'dpo losses' });
    expectClose(await g.read(out.chosenRewards, P), expected.chosenRewards, { ...TOL, label: 'dpo chosen rewards' });
    expectClose(await g.read(out.rejectedRewards, P), expected.rejectedRewards, { ...TOL, label: 'dpo rejected rewards' });
    expectClose(await g.read(out.margins, P), expected.margins, { atol: 1e-4, rtol: 1e-5, label: 'dpo margins' });
    expectClose(await g.read(out.summary, 2), [expected.loss, expected.accuracy], { atol: 1e-5, rtol: 1e-4, label: 'dpo summary' });
  });

  it('backward accumulates into the policy gradients', async () => {
    const g = await io;
    const dloss = 1.5;
    const dpc0 = randn(rand, P); // non-zero: checks +=
    const dpr0 = randn(rand, P);
    const [dpc, dpr] = [g.up(dpc0, 'dpc'), g.up(dpr0, 'dpr')];
    await dpoBackward(g.ctx, dpc, dpr, g.up(pc, 'pc'), g.up(pr, 'pr'), g.up(rc, 'rc'), g.up(rr, 'rr'), P, beta, dloss);
    const [dpcRef, dprRef] = [dpc0.slice(), dpr0.slice()];
    ref.dpoBackward(dpcRef, dprRef, pc, pr, rc, rr, beta, dloss);
    expectClose(await g.read(dpc, P), dpcRef, { ...TOL, label: 'dpo dpc' });
    expectClose(await g.read(dpr, P), dprRef, { ...TOL, label: 'dpo dpr' });
  });
});

it('dpo with reference == policy: loss log 2, accuracy 0', async () => {
  const g = await io;
  const P = 5;
  const rand = rng(3);
  const pc = g.up(randn(rand, P, 10), 'pc');
  const pr = g.up(randn(rand, P, 10), 'pr');
  const out = {
    losses: g.zeros(P, 'losses'), chosenRewards: g.zeros(P, 'cr'), rejectedRewards: g.zeros(P, 'rr'),
    margins: g.zeros(P, 'margins'), summary: g.zeros(2, 'summary'),
  };
  await dpoForward(g.ctx, out, pc, pr, pc, pr, P, 0.1);
  const [loss, accuracy] = await g.read(out.summary, 2);
  expect(loss).toBeCloseTo(Math.LN2, 6);
  expect(accuracy).toBe(0);
});
