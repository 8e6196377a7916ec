// `psr export-onnx` in-process on the shipped model: the .onnx file, config.json and the tokenizer
// beside it; onnxruntime-web loads the file and its logits for a tokenized problem equal our CPU
// reference's on the same model (its int8 base dequantized, as exported); bad flags are UsageErrors (exit 2).
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.ts';
import { maxRelativeError } from '../util/compare.ts';
import { captureIo } from '../util/logits-checkpoint.ts';
import { loadModelDir } from '../../src/cli/model-dir.ts';
import { sequenceLogits } from '../../src/lib/model/sequence-logits.ts';
import { CpuBackend } from '../../src/lib/backend/cpu-backend.ts';
import { generateProblem } from '../../src/lib/math/generator.ts';
import { createRng } from '../../src/lib/math/rng.ts';
import type { ModelConfig } from '../../src/lib/model/config.ts';

const MODEL = 'public/models/psr-tiny';
const out = mkdtempSync(join(tmpdir(), 'psr-onnx-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** onnxruntime-web's logits (T,V) for a whole prefix of the exported file, empty cache. */
async function ortPrefixLogits(file: string, config: ModelConfig, ids: number[]): Promise<Float32Array> {
  const ort = await import('onnxruntime-web');
  const session = await ort.InferenceSession.create(readFileSync(file), { executionProviders: ['wasm'] });
  const T = ids.length;
  const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {
    input_ids: new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, T]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(T).fill(1n), [1, T]),
    position_ids: new ort.Tensor('int64', BigInt64Array.from(ids.map((_, i) => BigInt(i))), [1, T]),
  };
  for (let l = 0; l < config.numLayers; l++) for (const kv of ['key', 'value']) feeds[`past_key_values.${l}.${kv}`] = new ort.Tensor('float32', new Float32Array(0), [1, config.numKvHeads, 0, config.headDim]);
  return (await session.run(feeds)).logits.data as Float32Array;
}


describe('psr export-onnx', () => {
  it('writes a decoder onnxruntime-web runs to our logits, with config.json and the tokenizer beside it', async () => {
    const file = join(out, 'psr-tiny.onnx');
    const io = captureIo();
    expect(await runCli(['export-onnx', '--model', MODEL, '--out', file, '--json'], io)).toBe(0);
    const report = JSON.parse(io.stdout) as { bytes: number; opset: number; beside: string[] };
    expect(report.opset).toBe(17);
    expect(report.beside).toEqual(expect.arrayContaining(['config.json', 'tokenizer.json']));
    for (const f of report.beside) expect(existsSync(join(out, f)), f).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).model_type).toBe('llama');

    const m = await loadModelDir(MODEL);
    const problem = generateProblem(m.world, createRng(5), 3);
    const enc = m.tok.encode(problem.question, { bos: true });
    expect(enc.unknown).toEqual([]);
    const ids = Array.from(enc.ids);
    const logits = await sequenceLogits(new CpuBackend(), m.config, m.weights, m.adapter, ids); // (T,V)

    const ort = await import('onnxruntime-web');
    ort.env.wasm.numThreads = 1;
    const session = await ort.InferenceSession.create(readFileSync(file), { executionProviders: ['wasm'] });
    const T = ids.length;
    const cfg = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as { num_hidden_layers: number; num_key_value_heads: number; head_dim?: number; hidden_size: number; num_attention_heads: number };
    const HS = cfg.head_dim ?? cfg.hidden_size / cfg.num_attention_heads;
    const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, T]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(T).fill(1n), [1, T]),
      position_ids: new ort.Tensor('int64', BigInt64Array.from(ids.map((_, i) => BigInt(i))), [1, T]),
    };
    for (let l = 0; l < cfg.num_hidden_layers; l++) {
      for (const kv of ['key', 'value']) feeds[`past_key_values.${l}.${kv}`] = new ort.Tensor('float32', new Float32Array(0), [1, cfg.num_key_value_heads, 0, HS]);
    }
    const result = await session.run(feeds);
    const theirs = result.logits.data as Float32Array;
    expect(theirs.length).toBe(logits.length);
    let num = 0, den = 0;
    for (let i = 0; i < logits.length; i++) {
      num = Math.max(num, Math.abs(theirs[i] - logits[i]));
      den = Math.max(den, Math.abs(logits[i]));
    }
    expect(num / den).toBeLessThanOrEqual(1e-4);
    const V = m.config.vocabSize;
    const argmax = (a: ArrayLike<number>) => Array.from(a).reduce((b, x, i, arr) => (x > arr[b] ? i : b), 0);
    expect(argmax(theirs.subarray((T - 1) * V))).toBe(argmax(logits.subarray((T - 1) * V)));
  });

  it('--quant int8: the shipped int8 base exactly (same int8 weights), a third of the f32 file', async () => {
    const f32File = join(out, 'f32.onnx');
    const int8File = join(out, 'int8.onnx');
    expect(await runCli(['export-onnx', '--model', MODEL, '--out', f32File], captureIo())).toBe(0);
    expect(await runCli(['export-onnx', '--model', MODEL, '--out', int8File, '--quant', 'int8'], captureIo())).toBe(0);
    expect(readFileSync(int8File).length).toBeLessThan(readFileSync(f32File).length / 2.5);
    const m = await loadModelDir(MODEL);
    expect(m.storage).toBe('int8');
    const ids = Array.from(m.tok.encode(generateProblem(m.world, createRng(6), 2).question, { bos: true }).ids);
    const ours = await sequenceLogits(new CpuBackend(), m.config, m.weights, m.adapter, ids);
    expect(maxRelativeError(await ortPrefixLogits(int8File, m.config, ids), ours)).toBeLessThanOrEqual(1e-4);
  });

  it('--quant q4: a q4-stored base exactly, through ONNX Runtime\'s MatMulNBits (our q4 bytes as they are)', async () => {
    const f32Dir = join(out, 'f32-model');
    const q4Dir = join(out, 'q4-model');
    const q4File = join(out, 'q4', 'model.onnx');
    expect(await runCli(['dequantize', '--model', MODEL, '--out', f32Dir], captureIo())).toBe(0);
    expect(await runCli(['quantize', '--model', f32Dir, '--bits', '4', '--out', q4Dir], captureIo())).toBe(0);
    const io = captureIo();
    expect(await runCli(['export-onnx', '--model', q4Dir, '--out', q4File, '--quant', 'q4', '--json'], io)).toBe(0);
    expect(JSON.parse(io.stdout).dtype).toMatch(/MatMulNBits/);
    const m = await loadModelDir(q4Dir);
    expect(m.storage).toBe('q4');
    const ids = Array.from(m.tok.encode(generateProblem(m.world, createRng(9), 3).question, { bos: true }).ids);
    const ours = await sequenceLogits(new CpuBackend(), m.config, m.weights, m.adapter, ids);
    expect(maxRelativeError(await ortPrefixLogits(q4File, m.config, ids), ours)).toBeLessThanOrEqual(1e-4);
  });

  it('refuses a missing --model, an --out that is not .onnx, an --out inside the model folder and an unknown --quant', async () => {
    for (const args of [['--out', join(out, 'x.onnx')], ['--model', MODEL, '--out', join(out, 'x.bin')], ['--model', MODEL, '--out', join(MODEL, 'x.onnx')], ['--model', MODEL, '--out', join(out, 'x.onnx'), '--quant', 'q2']]) {
      const io = captureIo();
      expect(await runCli(['export-onnx', ...args], io), args.join(' ')).toBe(2);
      expect(io.stderr).toMatch(/UsageError/);
    }
  });
});
