// The f32x4 polynomial exp in wasm/softmax.wat, read through softmax_axpy_rows with lse = 0 and
// coef = 1 (so d = exp(x)): relative error against Math.exp across the range softmax uses, and
// exact zeros below −87.3 (masked attention scores are −inf).
import { describe, expect, it } from 'vitest';
import { WasmArena } from '../../../src/lib/cpu/wasm-arena.ts';

function wasmExp(xs: number[]): Float32Array {
  const arena = new WasmArena(1 << 20);
  const V = xs.length;
  const x = arena.f32(V); // (V)
  x.set(xs);
  const d = arena.f32(V); // (V) output, starts at zero
  const lse = arena.f32(1); // (1) 0
  const coef = arena.f32(1); // (1)
  coef[0] = 1;
  arena.kernels.mod.softmax.softmax_axpy_rows(d.byteOffset, x.byteOffset, lse.byteOffset, coef.byteOffset, 1, V);
  return Float32Array.from(d);
}

describe('wasm exp', () => {
  it('is within 3e-7 relative of Math.exp on [−87, 20] (vector lanes and scalar tail)', () => {
    const xs: number[] = [];
    const n = 20003; // not a multiple of 4: the last 3 go through the scalar tail
    for (let i = 0; i < n; i++) xs.push(Math.fround(-87 + (107 * i) / (n - 1)));
    const got = wasmExp(xs);
    let maxRel = 0;
    for (let i = 0; i < n; i++) maxRel = Math.max(maxRel, Math.abs(got[i] - Math.exp(xs[i])) / Math.exp(xs[i]));
    expect(maxRel).toBeLessThan(3e-7);
  });

  it('is exactly 0 for −inf and below −87.3, and exactly 1 at 0', () => {
    const got = wasmExp([-Infinity, -1000, -87.5, 0, -Infinity]);
    expect(Array.from(got)).toEqual([0, 0, 0, 1, 0]);
  });
});
