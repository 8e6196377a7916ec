// Node half of the CPU matmul comparison for `npm run bench`: our WebAssembly SIMD matmul forward
// (arrays resident in a WasmArena, as WasmBackend runs it) against onnxruntime-web's wasm backend
// (one thread, SIMD; src/cli/onnx-matmul.ts) on the same products, best of ≥ 3 runs per cell.
import * as wasm from '../../lib/cpu/wasm-kernels.ts';
import { WasmArena } from '../../lib/cpu/wasm-arena.ts';
import { benchData, matmulFlop, shapeKey, type MatmulShape } from '../../lib/bench/matmul-bench.ts';
import { createOrtMatmul } from '../onnx-matmul.ts';
import { bestOf } from '../../lib/bench/best-of.ts';

export async function cpuMatmulVsOrtWasm(shapes: MatmulShape[], quick: boolean) {
  const minMs = quick ? 100 : 300;
  const ours: Record<string, number> = {};
  const ort: Record<string, number> = {};
  for (const s of shapes) {
    const { N, C, OC } = s;
    const arena = new WasmArena(4 * (N * C + OC * C + N * OC) + (1 << 20));
    const inp = arena.f32(N * C); // (N,C)
    const weight = arena.f32(OC * C); // (OC,C)
    const out = arena.f32(N * OC); // (N,OC)
    inp.set(benchData(N * C, 1));
    weight.set(benchData(OC * C, 2));
    const key = shapeKey(s);
    ours[key] = matmulFlop(s) / (1e6 * (await bestOf(() => wasm.matmulForward(out, inp, weight, null, N, C, OC, arena.kernels), minMs)).bestMs);
    const session = await createOrtMatmul(N, C, OC);
    const a = benchData(N * C, 1); // (N,C)
    const b = benchData(C * OC, 2); // (C,OC)
    try {
      ort[key] = matmulFlop(s) / (1e6 * (await bestOf(() => session.run(a, b), minMs)).bestMs);
    } finally {
      await session.release();
    }
  }
  return {
    ours,
    ort,
    note: 'forward out = inp·Wᵀ on one thread; ours: src/lib/cpu WebAssembly SIMD on arena-resident arrays; ' +
      'ORT: onnxruntime-web 1.30 wasm backend, numThreads 1, MatMul with CPU tensors (its copy-in is included)',
  };
}
