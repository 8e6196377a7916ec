// A runner of the one-node ONNX MatMul (built in src/lib/bench/onnx-matmul-model.ts) on
// onnxruntime-web's wasm backend (one thread, SIMD). Used by `psr bench-cpu --ort` and `npm run bench`
// to compare our wasm GEMM with ORT's MLAS kernels.
import { matmulModelBytes } from '../lib/bench/onnx-matmul-model.ts';

export { matmulModelBytes };

export interface OrtMatmul {
  /** Run once with the given (M,K) and (K,Nc) data; resolves to Y (M,Nc). */
  run(a: Float32Array, b: Float32Array): Promise<Float32Array>;
  release(): Promise<void>;
}

/** Create an onnxruntime-web wasm session (numThreads 1) for one MatMul shape. */
export async function createOrtMatmul(M: number, K: number, Nc: number): Promise<OrtMatmul> {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
  const session = await ort.InferenceSession.create(matmulModelBytes(M, K, Nc), { executionProviders: ['wasm'] });
  return {
    async run(a, b) {
      const out = await session.run({
        A: new ort.Tensor('float32', a, [M, K]),
        B: new ort.Tensor('float32', b, [K, Nc]),
      });
      return out.Y.data as Float32Array;
    },
    release: () => session.release(),
  };
}
