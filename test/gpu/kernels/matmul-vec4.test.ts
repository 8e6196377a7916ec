// Parity of the register-blocked kernel (matmul_vec4.wgsl) with the CPU reference, forced with
// kernel: 'vec4': forward (bias, LoRA scale + accumulate), backward dinp / dweight in all three vec4
// layouts, both workgroup configurations (skinny M ≤ 16, big) and shapes that straddle their tiles;
// plus the fall-back to the tiled kernel when a shape is not aligned, and which layout each gemm takes.
import { afterAll, describe, expect, it } from 'vitest';
import { gpuContext } from '../context.ts';
import { GpuIo } from './gpu-io.ts';
import { expectClose } from '../../util/compare.ts';
import { randn, rng } from '../../util/random.ts';
import { matmulBackward, matmulForward, vec4Layout } from '../../../src/lib/kernels/matmul.ts';
import * as ref from '../../../src/lib/ref/matmul.ts';

const io = gpuContext().then((ctx) => new GpuIo(ctx));
afterAll(async () => (await io).destroy());
const TOL = { atol: 1e-4, rtol: 1e-4 };

describe.each([
  { N: 1, C: 4, OC: 4 }, // skinny, one partial block
  { N: 6, C: 128, OC: 384 }, // skinny: the decode shape
  { N: 16, C: 20, OC: 68 }, // skinny at its limit, a column tile and a bit
  { N: 17, C: 36, OC: 12 }, // big, rows straddling a register block
  { N: 68, C: 132, OC: 72 }, // big, rows and columns past one 64×64 tile
])('matmul vec4 N=$N C=$C OC=$OC', ({ N, C, OC }) => {
  const rand = rng(N * 131 + C * 7 + OC);
  const inp = randn(rand, N * C); // (N,C)
  const weight = randn(rand, OC * C, 0.2); // (OC,C)
  const bias = randn(rand, OC); // (OC)

  it.each([true, false])('forward (bias: %s)', async (withBias) => {
    const g = await io;
    const out = g.up(randn(rand, N * OC), 'out'); // garbage that must be overwritten
    await matmulForward(g.ctx, out, g.up(inp, 'inp'), g.up(weight, 'weight'), withBias ? g.up(bias, 'bias') : null, N, C, OC, { kernel: 'vec4' });
    const expected = new Float32Array(N * OC); // (N,OC)
    ref.matmulForward(expected, inp, weight, withBias ? bias : null, N, C, OC);
    expectClose(await g.read(out, N * OC), expected, { ...TOL, label: `vec4 out bias=${withBias}` });
  });

  it('forward with scale, accumulating', async () => {
    const g = await io;
    const out0 = randn(rand, N * OC); // (N,OC)
    const out = g.up(out0, 'out');
    await matmulForward(g.ctx, out, g.up(inp, 'inp'), g.up(weight, 'weight'), null, N, C, OC, { kernel: 'vec4', scale: 0.5, accumulate: true });
    const prod = new Float32Array(N * OC); // (N,OC)
    ref.matmulForward(prod, inp, weight, null, N, C, OC);
    expectClose(await g.read(out, N * OC), out0.map((v, i) => v + 0.5 * prod[i]), { ...TOL, label: 'vec4 scale+accumulate' });
  });

  it('backward accumulates dinp and dweight', async () => {
    const g = await io;
    const dout = randn(rand, N * OC); // (N,OC)
    const dinp0 = randn(rand, N * C); // (N,C)
    const dweight0 = randn(rand, OC * C); // (OC,C)
    const [dinp, dweight] = [g.up(dinp0, 'dinp'), g.up(dweight0, 'dweight')];
    await matmulBackward(g.ctx, dinp, dweight, null, g.up(dout, 'dout'), g.up(inp, 'inp'), g.up(weight, 'weight'), N, C, OC, { kernel: 'vec4' });
    const [dinpRef, dweightRef] = [dinp0.slice(), dweight0.slice()];
    ref.matmulBackward(dinpRef, dweightRef, null, dout, inp, weight, N, C, OC);
    expectClose(await g.read(dinp, N * C), dinpRef, { ...TOL, label: 'vec4 dinp' });
    expectClose(await g.read(dweight, OC * C), dweightRef, { ...TOL, label: 'vec4 dweight' });
  });
});

describe('matmul vec4 selection', () => {
  const fwd = (N: number, C: number, OC: number) => ({ M: N, P: OC, K: C, aSm: C, aSk: 1, bSp: C, bSk: 1, alpha: 1, beta: 0 });
  const dinp = (N: number, C: number, OC: number) => ({ M: N, P: C, K: OC, aSm: OC, aSk: 1, bSp: 1, bSk: C, alpha: 1, beta: 1 });
  const dw = (N: number, C: number, OC: number) => ({ M: OC, P: C, K: N, aSm: 1, aSk: OC, bSp: 1, bSk: C, alpha: 1, beta: 1 });

  it('reads forward along k, dinp B along p, dweight A along m and B along p', () => {
    expect(vec4Layout(fwd(6, 128, 384))).toEqual({ A_ALONG_M: false, B_ALONG_P: false });
    expect(vec4Layout(dinp(2048, 128, 384))).toEqual({ A_ALONG_M: false, B_ALONG_P: true });
    expect(vec4Layout(dw(2048, 128, 384))).toEqual({ A_ALONG_M: true, B_ALONG_P: true });
  });

  it('refuses shapes whose vec4 reads would be misaligned', () => {
    expect(vec4Layout(fwd(6, 130, 384))).toBeNull(); // K = C not a multiple of 4
    expect(vec4Layout(dinp(8, 128, 198))).toBeNull(); // K = OC = 198
    expect(vec4Layout(dw(8, 128, 198))).toBeNull(); // M = OC = 198 along m
    expect(vec4Layout(dw(8, 126, 64))).toBeNull(); // P = C = 126 along p
  });

  it('falls back to the tiled kernel on unaligned shapes and still matches', async () => {
    const g = await io;
    const rand = rng(77);
    const N = 9, C = 10, OC = 7;
    const inp = randn(rand, N * C), weight = randn(rand, OC * C), dout = randn(rand, N * OC);
    const out = g.zeros(N * OC, 'out');
    const dweight = g.zeros(OC * C, 'dweight');
    await matmulForward(g.ctx, out, g.up(inp, 'inp'), g.up(weight, 'w'), null, N, C, OC, { kernel: 'vec4' });
    await matmulBackward(g.ctx, null, dweight, null, g.up(dout, 'dout'), g.up(inp, 'inp'), g.up(weight, 'w'), N, C, OC, { kernel: 'vec4' });
    const outRef = new Float32Array(N * OC); // (N,OC)
    const dweightRef = new Float32Array(OC * C); // (OC,C)
    ref.matmulForward(outRef, inp, weight, null, N, C, OC);
    ref.matmulBackward(null, dweightRef, null, dout, inp, weight, N, C, OC);
    expectClose(await g.read(out, N * OC), outRef, { ...TOL, label: 'fallback out' });
    expectClose(await g.read(dweight, OC * C), dweightRef, { ...TOL, label: 'fallback dweight' });
  });
});
