// Child process of the decoder race (onnx-decoder-bench.ts): the bench model (the shipped model's
// shape, the benchmark's seeded random weights) exported to ONNX (src/lib/onnx) and run on
// onnxruntime-web's wasm backend with numThreads N (src/lib/bench/ort-decoder-race.ts). Prints
// tokens/s as JSON. A child because ORT fixes its thread count once per process.
import { exportDecoderOnnx } from '../../lib/onnx/export-decoder.ts';
import { tinyModelConfig } from '../../lib/model/tiny.ts';
import { benchWeights } from '../../lib/bench/model-bench.ts';
import { raceOrtDecoder } from '../../lib/bench/ort-decoder-race.ts';
import type { Ort } from '../../lib/onnx/ort-decoder.ts';

interface Args { threads: number; prefill: number; prefix: number; steps: number; rows: number[]; samples: number; quant: 'none' | 'int8' | 'q4' }
const a = JSON.parse(process.argv[process.argv.length - 1]) as Args;
const ort = (await import('onnxruntime-web')) as unknown as Ort;
ort.env.wasm.numThreads = a.threads;
ort.env.logLevel = 'error';
const config = tinyModelConfig(198, { bos: 1, eos: 2, pad: 0 });
const bytes = exportDecoderOnnx(config, benchWeights(config), { description: 'bench', quant: a.quant });
const r = await raceOrtDecoder(ort, bytes, config, 'wasm', { prefill: a.prefill, prefix: a.prefix, steps: a.steps, rows: a.rows, samples: a.samples });
process.stdout.write(JSON.stringify(r) + '\n');
// exit explicitly: onnxruntime-web's wasm thread pool would keep this child process alive
process.exit(0);
