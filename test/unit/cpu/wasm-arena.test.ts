// WasmArena: zeroed views inside a fixed wasm memory, reuse of released blocks, coalescing,
// capacity errors that say what to do, and op scratch that must fit above the live tensors.
import { describe, expect, it } from 'vitest';
import { WasmArena } from '../../../src/lib/cpu/wasm-arena.ts';
import { matmulForward } from '../../../src/lib/cpu/matmul.ts';
import { InvalidInputError, WasmMemoryError } from '../../../src/lib/errors.ts';

describe('WasmArena', () => {
  it('hands out zeroed views into its own memory that survive later allocations', () => {
    const arena = new WasmArena(1 << 16);
    const a = arena.f32(10); // (10)
    a.fill(3);
    const b = arena.i32(5); // (5)
    const c = arena.u32(7); // (7)
    expect(a.buffer).toBe(arena.kernels.memory.buffer);
    expect(arena.kernels.isResident(b)).toBe(true);
    expect(Array.from(b)).toEqual([0, 0, 0, 0, 0]);
    expect(Array.from(c)).toEqual(new Array(7).fill(0));
    expect(Array.from(a)).toEqual(new Array(10).fill(3));
    expect(a.byteOffset % 16).toBe(0);
    expect(b.byteOffset).toBeGreaterThanOrEqual(a.byteOffset + 40);
  });

  it('reuses a released block (zeroed again) and coalesces neighbours', () => {
    const arena = new WasmArena(1 << 16);
    const a = arena.f32(8);
    const b = arena.f32(8);
    const keep = arena.f32(8);
    a.fill(1);
    b.fill(2);
    arena.release(a);
    arena.release(b);
    // a and b merged into one 64-byte hole: a 16-float request fits there, below `keep`
    const c = arena.f32(16);
    expect(c.byteOffset).toBe(a.byteOffset);
    expect(Array.from(c)).toEqual(new Array(16).fill(0));
    expect(keep.byteOffset).toBeGreaterThan(c.byteOffset);
    const used = arena.usedBytes;
    arena.release(keep);
    expect(arena.usedBytes).toBeLessThan(used);
  });

  it('refuses double release and foreign arrays', () => {
    const arena = new WasmArena(1 << 16);
    const a = arena.f32(4);
    arena.release(a);
    expect(() => arena.release(a)).toThrow(InvalidInputError);
    expect(() => arena.release(new Float32Array(4))).toThrow(/not allocated by this arena/);
  });

  it('throws WasmMemoryError naming the remedy when full, and reset frees everything', () => {
    const arena = new WasmArena(1 << 16); // one 64 KiB page
    arena.f32(10000);
    expect(() => arena.f32(10000)).toThrow(WasmMemoryError);
    expect(() => arena.f32(10000)).toThrow(/larger capacity/);
    arena.reset();
    expect(arena.usedBytes).toBe(0);
    expect(arena.f32(10000).length).toBe(10000);
  });

  it('an op whose scratch does not fit above the live tensors throws WasmMemoryError, not garbage', () => {
    const arena = new WasmArena(1 << 16);
    const N = 64, C = 64, OC = 64; // resident data 3 × 16 KiB; the forward also needs a 16 KiB transposed weight
    const inp = arena.f32(N * C);
    const weight = arena.f32(OC * C);
    const out = arena.f32(N * OC);
    expect(() => matmulForward(out, inp, weight, null, N, C, OC, arena.kernels)).toThrow(WasmMemoryError);
  });
});
