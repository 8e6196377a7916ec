// Parity of attention.wgsl with the CPU reference: causal masking, key padding (left padding
// gives query rows with no valid key: zero output, zero att row, zero gradient), grouped-query
// heads (NH/NKV = 1, 2, 4), and backward accumulating into non-zero dq, dk, dv.
import { afterAll, describe, expect, it } from 'vitest';
import { gpuContext } from '../context.ts';
import { GpuIo } from './gpu-io.ts';
import { expectClose } from '../../util/compare.ts';
import { randmask, randn, rng } from '../../util/random.ts';
import { attentionBackward, attentionForward } from '../../../src/lib/kernels/attention.ts';
import * as ref from '../../../src/lib/ref/attention.ts';

const io = gpuContext().then((ctx) => new GpuIo(ctx));
afterAll(async () => (await io).destroy());
const TOL = { atol: 2e-5, rtol: 1e-4 };

type Padding = 'none' | 'left' | 'random';

describe.each([
  { B: 2, T: 9, NH: 2, NKV: 2, HS: 8, padding: 'none' as Padding },
  { B: 2, T: 13, NH: 4, NKV: 2, HS: 6, padding: 'left' as Padding },
  { B: 3, T: 21, NH: 4, NKV: 1, HS: 16, padding: 'random' as Padding },
  { B: 1, T: 320, NH: 2, NKV: 1, HS: 4, padding: 'left' as Padding }, // longer than the tiny model's 256: rows live in att, any T works
])('attention B=$B T=$T NH=$NH NKV=$NKV HS=$HS padding=$padding', ({ B, T, NH, NKV, HS, padding }) => {
  const rand = rng(B * 1009 + T * 17 + NH * 3 + NKV);
  const q = randn(rand, B * T * NH * HS); // (B,T,NH,HS)
  const k = randn(rand, B * T * NKV * HS); // (B,T,NKV,HS)
  const v = randn(rand, B * T * NKV * HS); // (B,T,NKV,HS)
  const keyValid = new Uint32Array(B * T).fill(1); // (B,T)
  if (padding === 'left') for (let b = 0; b < B; b++) for (let t = 0; t < 3 + b; t++) keyValid[b * T + t] = 0;
  if (padding === 'random') keyValid.set(randmask(rand, B * T, 0.7));
  if (padding === 'random') keyValid[0] = 0; // row (b=0, t=0) has no valid key
  const nq = B * T * NH * HS;
  const nkv = B * T * NKV * HS;
  const natt = B * NH * T * T;
  const outRef = new Float32Array(nq); // (B,T,NH,HS)
  const attRef = new Float32Array(natt); // (B,NH,T,T)
  ref.attentionForward(outRef, attRef, q, k, v, keyValid, B, T, NH, NKV, HS);

  it('forward writes out and att (zeros where masked)', async () => {
    const g = await io;
    const out = g.up(randn(rand, nq), 'out'); // garbage that must be overwritten
    const att = g.up(randn(rand, natt), 'att');
    await attentionForward(g.ctx, out, att, g.up(q, 'q'), g.up(k, 'k'), g.up(v, 'v'), g.up(keyValid, 'keyValid'), B, T, NH, NKV, HS);
    const outGpu = await g.read(out, nq);
    const attGpu = await g.read(att, natt);
    expectClose(outGpu, outRef, { ...TOL, label: 'attention out' });
    expectClose(attGpu, attRef, { ...TOL, label: 'attention att' });
    if (padding !== 'none') {
      // A query whose keys are all padding: output row and att row exactly zero.
      const qo = 0; // (b=0, t=0, h=0)
      expect(Array.from(outGpu.subarray(qo, qo + HS))).toEqual(new Array(HS).fill(0));
      expect(Array.from(attGpu.subarray(0, T))).toEqual(new Array(T).fill(0));
    }
  });

  it('backward accumulates dq, dk, dv', async () => {
    const g = await io;
    const dout = randn(rand, nq); // (B,T,NH,HS)
    const dq0 = randn(rand, nq); // non-zero: checks +=
    const dk0 = randn(rand, nkv);
    const dv0 = randn(rand, nkv);
    const [dq, dk, dv] = [g.up(dq0, 'dq'), g.up(dk0, 'dk'), g.up(dv0, 'dv')];
    await attentionBackward(g.ctx, dq, dk, dv, g.up(dout, 'dout'), g.up(q, 'q'), g.up(k, 'k'), g.up(v, 'v'),
      g.up(attRef, 'att'), B, T, NH, NKV, HS);
    const [dqRef, dkRef, dvRef] = [dq0.slice(), dk0.slice(), dv0.slice()];
    ref.attentionBackward(dqRef, dkRef, dvRef, dout, q, k, v, attRef, B, T, NH, NKV, HS);
    const dqGpu = await g.read(dq, nq);
    expectClose(dqGpu, dqRef, { ...TOL, label: 'attention dq' });
    expectClose(await g.read(dk, nkv), dkRef, { ...TOL, label: 'attention dk' });
    expectClose(await g.read(dv, nkv), dvRef, { ...TOL, label: 'attention dv' });
    if (padding !== 'none') {
      // The fully masked query row gets no gradient: dq stays at its initial value exactly.
      expect(Array.from(dqGpu.subarray(0, HS))).toEqual(Array.from(dq0.subarray(0, HS)));
    }
    expect(g.ctx.pool.outstanding).toBe(0);
  });
});
