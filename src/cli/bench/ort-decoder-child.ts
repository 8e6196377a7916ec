// Child process of the decoder race (onnx-decoder-bench.ts): the bench model (the shipped model's
// shape, the benchmark's seeded random weights) exported to ONNX (src/lib/onnx) and run on
// onnxruntime-web's wasm backend with numThreads N — prefill of one prompt, and decode of `rows`
// rows after a shared prefix through its KV cache. Prints tokens/s as JSON. A child because ORT fixes
// its thread count once per process.
import { exportDecoderOnnx } from '../../lib/onnx/export-decoder.ts';
import { tinyModelConfig } from '../../lib/model/tiny.ts';
import { initWeights } from '../../lib/model/weights.ts';
import { createRng } from '../../lib/math/rng.ts';
import { benchTokens } from '../../lib/bench/bench-data.ts';

interface Args { threads: number; prefill: number; prefix: number; steps: number; rows: number[]; samples: number; quant: 'none' | 'int8' }
const a = JSON.parse(process.argv[process.argv.length - 1]) as Args;
const ort = await import('onnxruntime-web');
ort.env.wasm.numThreads = a.threads;
ort.env.logLevel = 'error';
const config = tinyModelConfig(198, { bos: 1, eos: 2, pad: 0 });
const weights = initWeights(config, createRng('bench-weights')); // = benchWeights(config)
const session = await ort.InferenceSession.create(exportDecoderOnnx(config, weights, { description: 'bench', quant: a.quant }), { executionProviders: ['wasm'] });
const V = config.vocabSize, L = config.numLayers, NKV = config.numKvHeads, HS = config.headDim;
type Feeds = Record<string, InstanceType<typeof ort.Tensor>>;
const i64 = (xs: number[]) => BigInt64Array.from(xs.map((x) => BigInt(x)));

/** One call: `rows` × T new tokens after `past` (or an empty cache). */
async function step(ids: number[][], pastLen: number, past: Feeds | null): Promise<Feeds> {
  const B = ids.length, T = ids[0].length;
  const feeds: Feeds = {
    input_ids: new ort.Tensor('int64', i64(ids.flat()), [B, T]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(B * (pastLen + T)).fill(1n), [B, pastLen + T]),
    position_ids: new ort.Tensor('int64', i64(ids.flatMap((r) => r.map((_, t) => pastLen + t))), [B, T]),
  };
  for (let l = 0; l < L; l++) {
    for (const kv of ['key', 'value']) {
      feeds[`past_key_values.${l}.${kv}`] = past?.[`present.${l}.${kv}`] ?? new ort.Tensor('float32', new Float32Array(0), [B, NKV, 0, HS]);
    }
  }
  const out = (await session.run(feeds)) as Feeds;
  void out.logits.data; // read back as sampling would
  return out;
}

async function best(fn: () => Promise<number>): Promise<number> {
  await fn();
  let ms = Infinity;
  for (let r = 0; r < a.samples; r++) ms = Math.min(ms, await fn());
  return ms;
}

const prompt = benchTokens(a.prefill, V, 1);
const prefillMs = await best(async () => {
  const t = performance.now();
  await step([prompt], 0, null);
  return performance.now() - t;
});
const decode: Record<string, number> = {};
for (const W of a.rows) {
  const prefix = benchTokens(a.prefix, V, 2);
  const next = benchTokens(a.steps * W, V, 3);
  const ms = await best(async () => {
    let past = await step(Array.from({ length: W }, () => prefix), 0, null);
    const t = performance.now();
    for (let s = 0; s < a.steps; s++) past = await step(Array.from({ length: W }, (_, b) => [next[s * W + b]]), a.prefix + s, past);
    return performance.now() - t;
  });
  decode[`rows${W}`] = (W * a.steps * 1000) / ms;
}
process.stdout.write(JSON.stringify({ prefill: (a.prefill * 1000) / prefillMs, decode }) + '\n');
// exit explicitly: onnxruntime-web's wasm thread pool would keep this child process alive
process.exit(0);
