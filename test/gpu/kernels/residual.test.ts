// Parity of residual.wgsl with the CPU reference: out = a + b, backward accumulation into da
// and db, the scaled in-place add, and a length past 65,535 workgroups (grid folded into y).
import { afterAll, describe, expect, it } from 'vitest';
import { gpuContext } from '../context.ts';
import { GpuIo } from './gpu-io.ts';
import { expectClose } from '../../util/compare.ts';
import { randn, rng } from '../../util/random.ts';
import { addInPlace, residualBackward, residualForward } from '../../../src/lib/kernels/residual.ts';
import { grid1d } from '../../../src/lib/kernels/common.ts';
import * as ref from '../../../src/lib/ref/residual.ts';

const io = gpuContext().then((ctx) => new GpuIo(ctx));
afterAll(async () => (await io).destroy());
const EXACT = { atol: 0, rtol: 0 };

describe('residual', () => {
  const rand = rng(11);
  const n = 1001;
  const a = randn(rand, n); // (n)
  const b = randn(rand, n); // (n)

  it('forward out = a + b', async () => {
    const g = await io;
    const out = g.zeros(n, 'out');
    await residualForward(g.ctx, out, g.up(a, 'a'), g.up(b, 'b'), n);
    const expected = new Float32Array(n); // (n)
    ref.residualForward(expected, a, b, n);
    expectClose(await g.read(out, n), expected, { ...EXACT, label: 'residual out' });
  });

  it('backward accumulates dout into da and db', async () => {
    const g = await io;
    const dout = randn(rand, n); // (n)
    const [da0, db0] = [randn(rand, n), randn(rand, n)];
    const [da, db] = [g.up(da0, 'da'), g.up(db0, 'db')];
    await residualBackward(g.ctx, da, db, g.up(dout, 'dout'), n);
    const [daRef, dbRef] = [da0.slice(), db0.slice()];
    ref.residualBackward(daRef, dbRef, dout, n);
    expectClose(await g.read(da, n), daRef, { ...EXACT, label: 'residual da' });
    expectClose(await g.read(db, n), dbRef, { ...EXACT, label: 'residual db' });
  });

  it('addInPlace scales inp by alpha', async () => {
    const g = await io;
    const out = g.up(a, 'out');
    await addInPlace(g.ctx, out, g.up(b, 'inp'), n, -0.5);
    expectClose(await g.read(out, n), a.map((x, i) => x - 0.5 * b[i]), { atol: 1e-6, rtol: 1e-6, label: 'add alpha' });
  });

  it('folds grids beyond 65,535 workgroups into y', async () => {
    const g = await io;
    const big = 65535 * 64 + 4099; // one workgroup per 64 elements: needs a second row of workgroups
    expect(grid1d('test', big, 64)[1]).toBe(2);
    const x = new Float32Array(big).map((_, i) => (i % 1000) * 0.5); // (big)
    const y = new Float32Array(big).map((_, i) => i % 7); // (big)
    const out = g.up(x, 'big:out');
    await addInPlace(g.ctx, out, g.up(y, 'big:inp'), big);
    expectClose(await g.read(out, big), x.map((v, i) => v + y[i]), { ...EXACT, label: 'folded add' });
  });
});
