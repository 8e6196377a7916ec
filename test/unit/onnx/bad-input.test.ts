// Bad ONNX input gets a named error: a truncated file, an operator ONNX Runtime does not know, a decoder
// of another layout (layers, vocabulary) — OnnxModelError from the load / run path, saying what to do;
// and the exporter refuses what the decoder graph cannot express (OnnxExportError), before building.
import { beforeAll, describe, expect, it } from 'vitest';
import { exportDecoderOnnx } from '../../../src/lib/onnx/export-decoder.ts';
import { GraphBuilder } from '../../../src/lib/onnx/graph-builder.ts';
import { decodeModel, encodeModel, ONNX_FLOAT } from '../../../src/lib/onnx/schema.ts';
import { checkOnnxModel } from '../../../src/lib/onnx/check-model.ts';
import { OrtDecoder, type Ort } from '../../../src/lib/onnx/ort-decoder.ts';
import { defineConfig, type ModelConfig } from '../../../src/lib/model/config.ts';
import { initWeights } from '../../../src/lib/model/weights.ts';
import { createRng } from '../../../src/lib/math/rng.ts';
import { OnnxExportError, OnnxModelError } from '../../../src/lib/errors.ts';
import { rejection } from '../../util/rejection.ts';

let ort: Ort;
beforeAll(async () => {
  ort = (await import('onnxruntime-web')) as unknown as Ort;
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
});

const cfg = (over: Partial<Parameters<typeof defineConfig>[0]> = {}): ModelConfig =>
  defineConfig({ modelType: 'llama', hiddenSize: 32, intermediateSize: 48, numLayers: 2, numHeads: 4, numKvHeads: 2, vocabSize: 41, maxPositionEmbeddings: 64, tieWordEmbeddings: true, ...over });
const exported = (config: ModelConfig) => exportDecoderOnnx(config, initWeights(config, createRng(1)), { description: 'test' });

describe('loading a bad ONNX file', () => {
  it('a truncated file: OnnxModelError', async () => {
    const bytes = exported(cfg());
    const e = await rejection(OrtDecoder.create(ort, bytes.subarray(0, Math.floor(bytes.length / 2)), cfg()));
    expect(e).toBeInstanceOf(OnnxModelError);
    expect((e as Error).message).toMatch(/refused the ONNX model .*export it again/);
  });

  it('an operator ONNX Runtime does not know: OnnxModelError', async () => {
    const g = new GraphBuilder();
    const x = g.input('x', ONNX_FLOAT, [1, 4]);
    g.output('y', ONNX_FLOAT, [1, 4]);
    g.opTo('y', 'NoSuchOperator', [x]);
    const bytes = g.encode({ graphName: 'bad', opset: 17, producer: 'test', doc: '' });
    expect(await rejection(OrtDecoder.create(ort, bytes, cfg()))).toBeInstanceOf(OnnxModelError);
  });

  it('a decoder with other layers: OnnxModelError naming the missing cache inputs', async () => {
    const e = await rejection(OrtDecoder.create(ort, exported(cfg()), cfg({ numLayers: 3 })));
    expect(e).toBeInstanceOf(OnnxModelError);
    expect((e as Error).message).toMatch(/3 layers\): missing past_key_values\.2\.key, past_key_values\.2\.value/);
  });

  it('a decoder with another vocabulary: OnnxModelError when it runs', async () => {
    const dec = await OrtDecoder.create(ort, exported(cfg()), cfg({ vocabSize: 50 }));
    try {
      const e = await rejection(dec.run([[1, 2, 3]], 0, null));
      expect(e).toBeInstanceOf(OnnxModelError);
      expect((e as Error).message).toMatch(/logits hold 123 values, 1×3×50 were expected/);
    } finally {
      await dec.release();
    }
  });

  it('a good file loads and runs (the checks do not refuse the real thing)', async () => {
    const dec = await OrtDecoder.create(ort, exported(cfg()), cfg());
    try {
      expect((await dec.run([[1, 2, 3]], 0, null)).logits.length).toBe(3 * 41);
    } finally {
      await dec.release();
    }
  });
});

describe('the exporter refuses what it cannot express', () => {
  const config = cfg();
  const weights = initWeights(config, createRng(2));
  it.each([
    ['an odd head size', { ...config, headDim: 7 }, /head size 7 is odd/],
    ['query heads that cannot share the key/value heads', { ...config, numKvHeads: 3 }, /4 query heads cannot share 3/],
    ['weights of another depth', { ...config, numLayers: 3 }, /weights have 2 layers and the config 3/],
    ['weights of another vocabulary', { ...config, vocabSize: 40 }, /embedding holds 1312 values/],
  ] as const)('%s: OnnxExportError', (_what, bad, message) => {
    expect(() => exportDecoderOnnx(bad, weights, { description: 'x' })).toThrow(OnnxExportError);
    expect(() => exportDecoderOnnx(bad, weights, { description: 'x' })).toThrow(message);
  });
  it('an unknown quantization: OnnxExportError', () => {
    expect(() => exportDecoderOnnx(config, weights, { description: 'x', quant: 'q2' as never })).toThrow(/unknown quantization "q2"/);
  });
});

describe("ONNX checker rules (the structural ones of onnx.checker that need no operator schemas)", () => {
  it.each(['none', 'int8', 'q4'] as const)('the %s export passes them', (quant) => {
    const config = cfg({ tieWordEmbeddings: false });
    expect(checkOnnxModel(exportDecoderOnnx(config, initWeights(config, createRng(3)), { description: 'check', quant }))).toEqual([]);
  });
  it('a graph that reads before it defines, defines twice, misses an output or a domain, or has short bytes fails them', () => {
    const g = new GraphBuilder();
    const x = g.input('x', ONNX_FLOAT, [1, 4]);
    g.output('y', ONNX_FLOAT, [1, 4]);
    g.output('never', ONNX_FLOAT, [1, 4]);
    g.opTo('y', 'Add', [x, 'later']);
    g.opTo('later', 'Relu', [x]);
    g.opTo('later', 'Relu', [x]);
    g.msOp('MatMulNBits', [x]);
    const model = decodeModel(g.encode({ graphName: 'bad', opset: 17, producer: 'test', doc: '' }));
    model.opsetImport = model.opsetImport.filter((o) => o.domain === ''); // drop com.microsoft
    model.graph!.initializer = [{ name: 'w', dims: [4], dataType: ONNX_FLOAT, rawData: new Uint8Array(8) }];
    const problems = checkOnnxModel(encodeModel(model));
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/reads later before anything defines it/),
      expect.stringMatching(/later is defined twice/),
      expect.stringMatching(/graph output never is never produced/),
      expect.stringMatching(/uses domain "com.microsoft" without an opset import/),
      expect.stringMatching(/initializer w: 8 bytes for dims \[4\] of 4-byte elements/),
    ]));
    expect(checkOnnxModel(new Uint8Array([0xff, 0xff, 0xff]))[0]).toMatch(/not a ModelProto/);
  });
});
