// "Check with ONNX Runtime" in-thread: the engine exports its current model (base + a non-zero LoRA
// adapter, merged) to ONNX and onnxruntime-web (wasm, in Node) solves the same problem: the same
// greedy tokens, log-probs within float rounding, both through the KV caches and in one pass. Without
// onnxruntime-web, or when it fails to load, a named OnnxCheckError and the model is unchanged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rm } from 'node:fs/promises';
import { Engine } from '../../../src/lib/engine.ts';
import { NodeFiles } from '../../../src/lib/formats/node-files.ts';
import { NoAdapterError } from '../../../src/lib/errors.ts';
import type { Ort } from '../../../src/lib/onnx/ort-decoder.ts';
import { diskEngine, microModelDir } from './micro-model-dir.ts';
import { rejection } from '../../util/rejection.ts';
import { parseConfig } from '../../../src/lib/model/config.ts';
import { parseWorldFile } from '../../../src/lib/math/world-file.ts';
import { OrtDecoder } from '../../../src/lib/onnx/ort-decoder.ts';
import { formatStepPrompt } from '../../../src/lib/math/formats.ts';
import { fromTokenizerJson } from '../../../src/lib/tokenizer/index.ts';

function engineWith(loadOrt?: () => Promise<Ort>): Engine {
  const noGpu = async () => {
    throw new NoAdapterError('no GPU adapter in this test');
  };
  return new Engine(noGpu, { files: (dir) => new NodeFiles(dir), wasmBytes: 96 * 1024 * 1024, loadOrt });
}

let dir: string;
beforeAll(async () => {
  dir = await microModelDir();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('checkWithOnnxRuntime', () => {
  it('onnxruntime-web writes our greedy solution, with log-probs equal to ours within 1e-4', async () => {
    const engine = engineWith(async () => (await import('onnxruntime-web')) as unknown as Ort);
    const info = await engine.loadModel({ baseUrl: dir, backend: 'wasm' });
    expect(info.adapter?.r).toBeGreaterThan(0); // the micro model's adapter has B ≠ 0: the merge matters
    const p = await engine.newProblem(3, 1);
    const r = await engine.checkWithOnnxRuntime(p.question);
    console.log('ONNX check', { tokens: r.tokens, full: r.maxLogprobDiffFullText, decode: r.maxLogprobDiffDecode, bytes: r.exportBytes, runtime: r.runtime });
    expect(r.tokens).toBeGreaterThan(5);
    expect(r.sameSolution).toBe(true);
    expect(r.firstDifference).toBeNull();
    expect(r.theirs).toBe(r.ours);
    expect(r.maxLogprobDiffDecode).toBeLessThanOrEqual(1e-4);
    expect(r.maxLogprobDiffFullText).toBeLessThanOrEqual(1e-4);
    expect(Math.abs(r.oursLogprob - r.theirsLogprob)).toBeLessThanOrEqual(1e-4 * r.tokens);
    expect(r.runtime).toMatch(/^onnxruntime-web \d+\.\d+/);
    expect(r.generation).toBe(info.generation);
    expect(r.backend).toBe('wasm');
  }, 120_000);

  it('exports the current model as ONNX files that onnxruntime-web loads, with config, tokenizer and world beside it', async () => {
    const ort = (await import('onnxruntime-web')) as unknown as Ort;
    const engine = engineWith(async () => ort);
    await engine.loadModel({ baseUrl: dir, backend: 'wasm' });
    const { files } = await engine.exportOnnx();
    expect(files.map((f) => f.name)).toEqual(['model.onnx', 'config.json', 'tokenizer.json', 'tokenizer_config.json', 'world.json']);
    const json = (name: string) => JSON.parse(new TextDecoder().decode(files.find((f) => f.name === name)!.bytes));
    const config = parseConfig(json('config.json'));
    const tok = fromTokenizerJson(json('tokenizer.json'), json('tokenizer_config.json'));
    expect(tok.size).toBe(config.vocabSize);
    expect(parseWorldFile(json('world.json')).difficulties.length).toBeGreaterThan(0);
    // The exported decoder gives, through its KV cache, the greedy solution the check compares with ours.
    const p = await engine.newProblem(3, 1);
    const check = await engine.checkWithOnnxRuntime(p.question);
    const dec = await OrtDecoder.create(ort, files[0].bytes, config);
    const prompt = Array.from(tok.encode(formatStepPrompt(p.question, []), { strict: true }).ids);
    const greedy = await dec.greedy(prompt, 320, [tok.eosId]);
    await dec.release();
    expect(greedy.tokens.length).toBe(check.tokens);
  }, 120_000);

  it('refuses by name without onnxruntime-web, or when it fails to load, and the model is unchanged', async () => {
    for (const engine of [diskEngine(), engineWith(async () => Promise.reject(new Error('network down')))]) {
      await engine.loadModel({ baseUrl: dir, backend: 'wasm' });
      const p = await engine.newProblem(4, 1);
      const before = await engine.solve(p.question);
      const e = await rejection(engine.checkWithOnnxRuntime(p.question));
      expect(e.name).toBe('OnnxCheckError');
      expect(e.message).toMatch(/onnxruntime-web (is not available|did not load \(network down\))/);
      expect((await engine.solve(p.question)).steps).toEqual(before.steps);
      expect((await engine.taskStatus()).task).toBeNull();
    }
  }, 120_000);
});
