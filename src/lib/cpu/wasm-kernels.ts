// Fast CPU kernels for the CPU backend: WebAssembly SIMD (f32x4) versions of the hot reference
// ops with exactly the src/lib/ref signatures (plus an optional trailing WasmKernels).
// Design: one small set of modules (hand-written .wat → kernels.generated.ts, instantiated
// synchronously) over ONE linear memory. By default each call copies its inputs into a growable
// scratch region and its outputs back (O(N·C) against O(N·C·OC) work, a few % at model shapes);
// arrays allocated from a WasmArena (fixed-size memory, never grows, so views never detach) are
// used in place with zero copies. Relaxed SIMD is not used: on this CPU separate mul + add already
// fill both FP pipes, and Node 20 keeps relaxed SIMD behind a flag.
export { matmulBackward, matmulForward, MATMUL_DOT_MAX_ROWS } from './matmul.ts';
export { attentionBackward, attentionForward } from './attention.ts';
export { cachedAttentionForward } from './cached-attention.ts';
export { crossEntropyBackward, crossEntropyForward, seqLogprobBackward, seqLogprobForward } from './crossentropy.ts';
export { defaultWasmKernels, Staging, WasmKernels, wasmSimdSupported, type WasmKernelsOptions } from './wasm-runtime.ts';
export { WasmArena } from './wasm-arena.ts';
