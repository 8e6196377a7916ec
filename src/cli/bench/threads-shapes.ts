// The matmul products the threads benchmark times (threads-bench.ts) and its ORT child process
// (ort-threads-child.ts) runs on onnxruntime-web: no imports, so the child stays light.

/** One matmul product at a training shape: forward out = inp·Wᵀ, backward dinp or dweight. */
export interface ThreadsShape {
  op: 'forward' | 'dinp' | 'dweight';
  N: number;
  C: number;
  OC: number;
}

/** The same product as a plain GEMM (M,K)·(K,Nc), as ORT's MatMul computes it. */
export function gemmOf(s: ThreadsShape): { M: number; K: number; Nc: number } {
  if (s.op === 'forward') return { M: s.N, K: s.C, Nc: s.OC };
  if (s.op === 'dinp') return { M: s.N, K: s.OC, Nc: s.C };
  return { M: s.OC, K: s.N, Nc: s.C };
}

export const shapeName = (s: ThreadsShape): string => `${s.op}.${s.N}x${s.C}x${s.OC}`;

/** The shipped model's products on a training batch of 8 × 256 tokens (hidden 128, MLP 384, vocabulary 198). */
export function trainingShapes(quick: boolean): ThreadsShape[] {
  const N = quick ? 512 : 2048;
  const layers: [number, number][] = quick ? [[128, 384]] : [[128, 384], [384, 128], [128, 198]];
  return layers.flatMap(([C, OC]) => (['forward', 'dinp', 'dweight'] as const).map((op) => ({ op, N, C, OC })));
}
