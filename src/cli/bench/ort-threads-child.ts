// Child process of the threads benchmark (threads-bench.ts): onnxruntime-web's wasm MatMul with
// numThreads N on the given products, best of ≥ 5 runs per product; prints {name: GFLOP/s} as JSON.
// A child because ORT fixes its thread count once per process (the parent's ORT runs one thread).
import { matmulModelBytes } from '../../lib/bench/onnx-matmul-model.ts';
import { benchData } from '../../lib/bench/bench-data.ts';
import { gemmOf, shapeName, type ThreadsShape } from './threads-shapes.ts';

const { shapes, threads, minMs } = JSON.parse(process.argv[process.argv.length - 1]) as { shapes: ThreadsShape[]; threads: number; minMs: number };
const ort = await import('onnxruntime-web');
ort.env.wasm.numThreads = threads;
ort.env.logLevel = 'error';
const out: Record<string, number> = {};
for (const s of shapes) {
  const { M, K, Nc } = gemmOf(s);
  const session = await ort.InferenceSession.create(matmulModelBytes(M, K, Nc), { executionProviders: ['wasm'] });
  const feeds = { A: new ort.Tensor('float32', benchData(M * K, 5), [M, K]), B: new ort.Tensor('float32', benchData(K * Nc, 6), [K, Nc]) };
  await session.run(feeds);
  let best = Infinity;
  let runs = 0;
  const start = performance.now();
  while (runs < 5 || performance.now() - start < minMs) {
    const t = performance.now();
    await session.run(feeds);
    best = Math.min(best, performance.now() - t);
    runs++;
  }
  out[shapeName(s)] = (2 * M * K * Nc) / best / 1e6;
  await session.release();
}
process.stdout.write(JSON.stringify(out) + '\n');
// exit explicitly: onnxruntime-web's wasm thread pool would keep this child process alive
process.exit(0);
