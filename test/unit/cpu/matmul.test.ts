// wasm matmul (src/lib/cpu/matmul.ts) against the CPU reference: forward with and without bias
// on both the dot-product (few rows) and GEMM paths, backward dinp/dweight/dbias accumulating into
// non-zero gradients, null gradients, shapes off the 4×8 tile grid, and arrays resident in a WasmArena.
import { describe, expect, it } from 'vitest';
import * as ref from '../../../src/lib/ref/matmul.ts';
import * as wasm from '../../../src/lib/cpu/matmul.ts';
import { WasmArena } from '../../../src/lib/cpu/wasm-arena.ts';
import { ShapeError } from '../../../src/lib/errors.ts';
import { expectClose } from '../../util/compare.ts';
import { clone, dotTol, randn, rng } from './helpers.ts';

// N spans the dot path (< MATMUL_DOT_MAX_ROWS) and the GEMM path with row tails; C and OC are
// off the 8-column tile grid (tails of 1..7) except 16.
const Ns = [1, 3, 8, 17];
const Cs = [5, 13, 16];
const OCs = [1, 7, 16, 33];
const grid = Ns.flatMap((N) => Cs.flatMap((C) => OCs.map((OC) => [N, C, OC] as const)));

function data(N: number, C: number, OC: number, seed: number) {
  const r = rng(seed);
  return {
    inp: randn(r, N * C), // (N,C)
    weight: randn(r, OC * C), // (OC,C)
    bias: randn(r, OC), // (OC)
    dout: randn(r, N * OC), // (N,OC)
    dinp0: randn(r, N * C), // (N,C) prior gradient contents
    dweight0: randn(r, OC * C), // (OC,C)
    dbias0: randn(r, OC), // (OC)
  };
}

describe('wasm matmul vs reference', () => {
  it.each(grid)('forward N=%i C=%i OC=%i, with and without bias', (N, C, OC) => {
    const d = data(N, C, OC, N * 1000 + C * 10 + OC);
    for (const bias of [d.bias, null]) {
      const want = new Float32Array(N * OC); // (N,OC)
      const got = new Float32Array(N * OC).fill(NaN); // (N,OC) must be fully overwritten
      ref.matmulForward(want, d.inp, d.weight, bias, N, C, OC);
      wasm.matmulForward(got, d.inp, d.weight, bias, N, C, OC);
      expectClose(got, want, { ...dotTol(C), label: `forward ${bias ? 'bias' : 'no bias'} (${N},${C},${OC})` });
    }
  });

  it.each(grid)('backward N=%i C=%i OC=%i accumulates dinp, dweight, dbias', (N, C, OC) => {
    const d = data(N, C, OC, 7 + N * 1000 + C * 10 + OC);
    const [rdinp, rdw, rdb] = [clone(d.dinp0), clone(d.dweight0), clone(d.dbias0)];
    const [wdinp, wdw, wdb] = [clone(d.dinp0), clone(d.dweight0), clone(d.dbias0)];
    ref.matmulBackward(rdinp, rdw, rdb, d.dout, d.inp, d.weight, N, C, OC);
    wasm.matmulBackward(wdinp, wdw, wdb, d.dout, d.inp, d.weight, N, C, OC);
    expectClose(wdinp, rdinp, { ...dotTol(OC), label: `dinp (${N},${C},${OC})` });
    expectClose(wdw, rdw, { ...dotTol(N), label: `dweight (${N},${C},${OC})` });
    expectClose(wdb, rdb, { ...dotTol(N), label: `dbias (${N},${C},${OC})` });
  });

  // (300, 13, 300): reductions over N and OC longer than the GEMM's K chunk (256), with a tail
  it('matches at model shapes and with reductions cut into K chunks', () => {
    for (const [N, C, OC] of [[64, 128, 352], [64, 352, 128], [300, 13, 300]] as const) {
      const d = data(N, C, OC, C);
      const want = new Float32Array(N * OC);
      const got = new Float32Array(N * OC);
      ref.matmulForward(want, d.inp, d.weight, d.bias, N, C, OC);
      wasm.matmulForward(got, d.inp, d.weight, d.bias, N, C, OC);
      expectClose(got, want, { ...dotTol(C), label: `forward (${N},${C},${OC})` });
      const [rdinp, rdw] = [clone(d.dinp0), clone(d.dweight0)];
      const [wdinp, wdw] = [clone(d.dinp0), clone(d.dweight0)];
      ref.matmulBackward(rdinp, rdw, null, d.dout, d.inp, d.weight, N, C, OC);
      wasm.matmulBackward(wdinp, wdw, null, d.dout, d.inp, d.weight, N, C, OC);
      expectClose(wdinp, rdinp, { ...dotTol(OC), label: `dinp (${N},${C},${OC})` });
      expectClose(wdw, rdw, { ...dotTol(N), label: `dweight (${N},${C},${OC})` });
    }
  });

  it('leaves gradients passed as null alone and computes the others', () => {
    const N = 17, C = 13, OC = 7;
    const d = data(N, C, OC, 3);
    const rdw = clone(d.dweight0);
    const wdw = clone(d.dweight0);
    ref.matmulBackward(null, rdw, null, d.dout, d.inp, d.weight, N, C, OC);
    wasm.matmulBackward(null, wdw, null, d.dout, d.inp, d.weight, N, C, OC);
    expectClose(wdw, rdw, { ...dotTol(N), label: 'dweight only' });
    const wdinp = clone(d.dinp0);
    wasm.matmulBackward(wdinp, null, null, d.dout, d.inp, d.weight, N, C, OC);
    const rdinp = clone(d.dinp0);
    ref.matmulBackward(rdinp, null, null, d.dout, d.inp, d.weight, N, C, OC);
    expectClose(wdinp, rdinp, { ...dotTol(OC), label: 'dinp only' });
  });

  it('runs in place on arrays resident in a WasmArena, with the same results', () => {
    const N = 17, C = 13, OC = 33;
    const d = data(N, C, OC, 11);
    const arena = new WasmArena(1 << 20);
    const put = (a: Float32Array) => {
      const v = arena.f32(a.length);
      v.set(a);
      return v;
    };
    const [inp, weight, bias, dout] = [put(d.inp), put(d.weight), put(d.bias), put(d.dout)];
    const out = arena.f32(N * OC); // (N,OC)
    const [dinp, dweight, dbias] = [put(d.dinp0), put(d.dweight0), put(d.dbias0)];
    wasm.matmulForward(out, inp, weight, bias, N, C, OC, arena.kernels);
    wasm.matmulBackward(dinp, dweight, dbias, dout, inp, weight, N, C, OC, arena.kernels);
    const want = new Float32Array(N * OC);
    ref.matmulForward(want, d.inp, d.weight, d.bias, N, C, OC);
    const [rdinp, rdw, rdb] = [clone(d.dinp0), clone(d.dweight0), clone(d.dbias0)];
    ref.matmulBackward(rdinp, rdw, rdb, d.dout, d.inp, d.weight, N, C, OC);
    expectClose(out, want, { ...dotTol(C), label: 'arena forward' });
    expectClose(dinp, rdinp, { ...dotTol(OC), label: 'arena dinp' });
    expectClose(dweight, rdw, { ...dotTol(N), label: 'arena dweight' });
    expectClose(dbias, rdb, { ...dotTol(N), label: 'arena dbias' });
    // inputs were read in place, not clobbered
    expect(Array.from(inp)).toEqual(Array.from(d.inp));
  });

  it('rejects wrong lengths with the same ShapeError as the reference', () => {
    const bad = () => wasm.matmulForward(new Float32Array(5), new Float32Array(6), new Float32Array(6), null, 2, 3, 2);
    expect(bad).toThrow(ShapeError);
    expect(bad).toThrow(/matmulForward: out has length 5, expected 4/);
  });
});
