// Quantized frozen weights: int8 / q4 round-trip bounds (|W − deq(q(W))| ≤ scale/2 per element), q4 packing
// (nibble order, odd C, C < 32, padding), the CPU quantized matmul against f32 matmul on dequantize(q),
// finite differences of its backward, the backend packing, safetensors / checkpoint round trips and the
// named errors of a bad quantized file.
import { describe, expect, it } from 'vitest';
import { expectClose } from '../../util/compare.ts';
import { randn, rng } from '../../util/random.ts';
import { dotLoss, fdGrad, FD_TOL } from '../ref/fd.ts';
import { tinyConfig, seededRng } from '../model/helpers.ts';
import {
  Q4_GROUP, checkQuantized, dequantize, packQuantized, q4Groups, q4RowBytes, quantBytes, quantize, unpackQuantized,
} from '../../../src/lib/formats/quant.ts';
import type { QuantizedMatrix, StoredQuantFormat } from '../../../src/lib/formats/quant.ts';
import { matmulQuantBackwardInput, matmulQuantForward } from '../../../src/lib/ref/matmul-quant.ts';
import { matmulBackward, matmulForward } from '../../../src/lib/ref/matmul.ts';
import {
  dequantizeWeights, loadQuantizedCheckpoint, loadQuantizedWeights, quantTensorNames, quantizeWeights,
  readQuantizationBlock, saveQuantizedCheckpoint, saveQuantizedWeights,
} from '../../../src/lib/model/quant-checkpoint.ts';
import { initWeights, tensorSpecs } from '../../../src/lib/model/weights.ts';
import { parseSafetensors, writeSafetensors } from '../../../src/lib/formats/safetensors.ts';
import type { TensorToWrite } from '../../../src/lib/formats/safetensors.ts';
import { MemoryFiles } from '../../../src/lib/formats/memory-files.ts';
import { CpuBackend } from '../../../src/lib/backend/cpu-backend.ts';
import { WasmBackend } from '../../../src/lib/backend/wasm-backend.ts';
import { QuantFormatError, QuantInputError, QuantTensorError, ShapeError, MissingTensorError, TensorShapeError } from '../../../src/lib/errors.ts';

const FORMATS: StoredQuantFormat[] = ['int8', 'q4'];

/** The scale that governs element (o, c). */
function scaleOf(q: QuantizedMatrix, o: number, c: number): number {
  if (q.format === 'int8') return q.scales[o];
  if (q.format === 'q4') return q.scales[o * q4Groups(q.C) + Math.floor(c / Q4_GROUP)];
  return 0;
}

describe.each(FORMATS)('%s round trip', (format) => {
  it.each([
    { OC: 1, C: 1 }, { OC: 3, C: 5 }, { OC: 7, C: 31 }, { OC: 4, C: 32 }, { OC: 5, C: 33 }, { OC: 9, C: 70 }, { OC: 2, C: 200 },
  ])('|W − deq(q(W))| ≤ scale/2 per element, OC=$OC C=$C', ({ OC, C }) => {
    const rand = rng(OC * 1000 + C);
    const W = randn(rand, OC * C, 0.05); // (OC,C)
    W[0] = 0.3; // an outlier: its own scale must absorb it, clamping must not cost more than scale/2
    const q = quantize(W, OC, C, format);
    checkQuantized(q);
    const deq = dequantize(q);
    let worst = 0;
    for (let o = 0; o < OC; o++) {
      for (let c = 0; c < C; c++) {
        const i = o * C + c;
        const s = scaleOf(q, o, c);
        const err = Math.abs(W[i] - deq[i]);
        // + f32 rounding of the product q·scale (one ulp of |W|)
        expect(err).toBeLessThanOrEqual(s / 2 + 1.2e-7 * Math.abs(W[i]) + 1e-12);
        worst = Math.max(worst, err / (s || 1));
      }
    }
    // the bound is tight, not vacuous: some element errs by > 0.2·scale (a lone weight is its own max: exact)
    if (OC * C === 1) expect(worst).toBe(0);
    else expect(worst).toBeGreaterThan(0.2);
    // the largest |W| of each row / group maps to exactly ±qmax, so it is reproduced to f32 precision
    expect(Math.abs(deq[0] - 0.3)).toBeLessThan(1e-7);
  });

  it('keeps zero rows exact and zero scale', () => {
    const W = new Float32Array(3 * 40); // (3,40)
    W.fill(0.5, 40, 80); // middle row constant
    const q = quantize(W, 3, 40, format);
    const deq = dequantize(q);
    expect(Array.from(deq.subarray(0, 40)).every((v) => v === 0)).toBe(true);
    expect(Array.from(deq.subarray(80)).every((v) => v === 0)).toBe(true);
    expectClose(deq.subarray(40, 80), W.subarray(40, 80), { atol: 1e-7, rtol: 1e-6, label: 'constant row' });
    expect(q.format !== 'f32' && q.scales[0]).toBe(0);
  });

  it('bytes per format', () => {
    const [OC, C] = [6, 70];
    const q = quantize(randn(rng(1), OC * C), OC, C, format);
    if (q.format === 'f32') throw new Error('unreachable');
    expect(quantBytes(format, OC, C)).toBe(q.data.byteLength + q.scales.byteLength);
    expect(quantBytes('f32', OC, C)).toBe(4 * OC * C);
  });
});

describe('q4 packing', () => {
  it('puts even columns in the low nibble, odd in the high nibble, stores u = q + 8, pads with 8', () => {
    // C = 5: one group; scale = 0.7/7 = 0.1, so W/scale are exact small integers.
    const W = new Float32Array([0.7, -0.7, 0.1, -0.3, 0, /* row 1 */ 0, 0, 0, 0, 0]);
    const q = quantize(W, 2, 5, 'q4');
    if (q.format !== 'q4') throw new Error('unreachable');
    expect(q4RowBytes(5)).toBe(16);
    expect(q.data.length).toBe(32);
    expect(q.scales[0]).toBeCloseTo(0.1, 7);
    // q = 7, -7, 1, -3, 0 → u = 15, 1, 9, 5, 8 ; padding u = 8
    expect(q.data[0]).toBe(15 | (1 << 4));
    expect(q.data[1]).toBe(9 | (5 << 4));
    expect(q.data[2]).toBe(8 | (8 << 4)); // column 4 then padding column 5
    expect(Array.from(q.data.subarray(3, 16)).every((b) => b === 0x88)).toBe(true);
    expect(Array.from(q.data.subarray(16)).every((b) => b === 0x88)).toBe(true); // zero row
    expect(q.scales[1]).toBe(0);
  });

  it('has one scale per group of 32 columns, the last group padded logically', () => {
    for (const C of [1, 31, 32, 33, 64, 65]) {
      const q = quantize(randn(rng(C), 3 * C), 3, C, 'q4');
      if (q.format !== 'q4') throw new Error('unreachable');
      expect(q.scales.length).toBe(3 * Math.ceil(C / 32));
      expect(q.data.length).toBe(3 * Math.ceil(C / 32) * 16);
    }
    // a group's scale sees only its own columns: a big weight in group 0 leaves group 1 fine-grained
    const W = new Float32Array(40).fill(0.01);
    W[0] = 7;
    const q = quantize(W, 1, 40, 'q4');
    if (q.format !== 'q4') throw new Error('unreachable');
    expect(q.scales[0]).toBeCloseTo(1, 6);
    expect(q.scales[1]).toBeCloseTo(0.01 / 7, 9);
    expectClose(dequantize(q).subarray(32), W.subarray(32), { atol: 1e-9, rtol: 1e-6, label: 'group 1' });
  });

  it('decodes nibble 0 as −8 (accepted on load though never written)', () => {
    const q: QuantizedMatrix = { format: 'q4', OC: 1, C: 2, data: new Uint8Array(16).fill(0x88), scales: new Float32Array([0.5]) };
    q.data[0] = 0x0f; // col 0: u = 15 → 7 ; col 1: u = 0 → −8
    expect(Array.from(dequantize(q))).toEqual([3.5, -4]);
  });
});

describe.each(FORMATS)('%s CPU matmul (on-the-fly dequantization)', (format) => {
  describe.each([
    { N: 1, C: 5, OC: 1 }, { N: 3, C: 31, OC: 7 }, { N: 17, C: 33, OC: 65 }, { N: 4, C: 70, OC: 9 },
  ])('N=$N C=$C OC=$OC', ({ N, C, OC }) => {
    const rand = rng(N * 7919 + C * 31 + OC + (format === 'q4' ? 1 : 0));
    const q = quantize(randn(rand, OC * C, 0.2), OC, C, format);
    const Wd = dequantize(q); // (OC,C)
    const inp = randn(rand, N * C); // (N,C)
    const bias = randn(rand, OC); // (OC)

    it.each([true, false])('forward matches f32 matmul on dequantize(q) (bias: %s)', (withBias) => {
      const out = randn(rand, N * OC); // garbage that must be overwritten
      matmulQuantForward(out, inp, q, withBias ? bias : null, N, C, OC);
      const expected = new Float32Array(N * OC); // (N,OC)
      matmulForward(expected, inp, Wd, withBias ? bias : null, N, C, OC);
      expectClose(out, expected, { atol: 1e-5, rtol: 1e-5, label: `${format} forward` });
    });

    it('backward_input accumulates dout·deq(W)', () => {
      const dout = randn(rand, N * OC); // (N,OC)
      const dinp0 = randn(rand, N * C); // (N,C) non-zero: checks +=
      const dinp = dinp0.slice();
      matmulQuantBackwardInput(dinp, dout, q, N, C, OC);
      const expected = dinp0.slice();
      matmulBackward(expected, null, null, dout, inp, Wd, N, C, OC);
      expectClose(dinp, expected, { atol: 1e-5, rtol: 1e-5, label: `${format} dinp` });
    });
  });

  it('backward_input matches central finite differences of the forward', () => {
    const [N, C, OC] = [3, 37, 5];
    const rand = rng(99);
    const q = quantize(randn(rand, OC * C, 0.3), OC, C, format);
    const inp = randn(rand, N * C); // (N,C)
    const R = randn(rand, N * OC); // (N,OC) probe: L = Σ out·R, dL/dout = R
    const out = new Float32Array(N * OC); // (N,OC)
    const loss = (): number => {
      matmulQuantForward(out, inp, q, null, N, C, OC);
      return dotLoss(out, R);
    };
    const dinp = new Float32Array(N * C); // (N,C)
    matmulQuantBackwardInput(dinp, R, q, N, C, OC);
    expectClose(dinp, fdGrad(loss, inp), { ...FD_TOL, label: `${format} dinp vs FD` });
  });
});

describe('quantized matmul errors and backends', () => {
  it('rejects NaN weights, bad shapes and mismatched sizes with named errors', () => {
    const W = new Float32Array(6);
    W[4] = NaN;
    expect(() => quantize(W, 2, 3, 'q4')).toThrow(QuantInputError);
    expect(() => quantize(W, 2, 3, 'q4')).toThrow(/element \(1, 1\) is NaN/);
    expect(() => quantize(new Float32Array(5), 2, 3, 'int8')).toThrow(QuantInputError);
    expect(() => quantize(new Float32Array(6), 2, 3, 'int4' as never)).toThrow(/unknown format "int4"/);
    const q = quantize(new Float32Array(6), 2, 3, 'int8');
    expect(() => matmulQuantForward(new Float32Array(4), new Float32Array(6), q, null, 2, 3, 3)).toThrow(ShapeError);
    const broken = { ...q, scales: new Float32Array([1, -1]) } as QuantizedMatrix;
    expect(() => matmulQuantForward(new Float32Array(4), new Float32Array(6), broken, null, 2, 3, 2)).toThrow(QuantTensorError);
  });

  it('packs data and scales into one word array and views them back without copying', () => {
    for (const format of ['f32', 'int8', 'q4'] as const) {
      const [OC, C] = [3, 7];
      const q = quantize(randn(rng(3), OC * C), OC, C, format);
      const p = packQuantized(q);
      const back = unpackQuantized(p);
      expect(Array.from(dequantize(back))).toEqual(Array.from(dequantize(q)));
      expect(p.scaleOffset).toBe(format === 'int8' ? Math.ceil((OC * C) / 4) : format === 'q4' ? OC * 4 : OC * C);
      expect(back.data.buffer).toBe(p.words.buffer);
    }
  });

  it.each([
    ['CpuBackend', () => new CpuBackend()],
    ['WasmBackend', () => new WasmBackend(8 * 1024 * 1024)],
  ] as const)('%s runs the quantized matmul through uploadQuantized and frees the weight', async (_name, make) => {
    const be = make();
    const [N, C, OC] = [2, 33, 4];
    const rand = rng(7);
    const q = quantize(randn(rand, OC * C), OC, C, 'q4');
    const inp = randn(rand, N * C);
    const w = be.uploadQuantized(q, 'w');
    expect([w.format, w.OC, w.C, w.dtype]).toEqual(['q4', OC, C, 'u32']);
    const out = be.zeros(N * OC, 'out');
    await be.matmulQuantForward(out, be.fromF32(inp, 'inp'), w, null, N, C, OC);
    const expected = new Float32Array(N * OC);
    matmulQuantForward(expected, inp, q, null, N, C, OC);
    expect(Array.from(await be.read(out))).toEqual(Array.from(expected));
    const dinp = be.zeros(N * C, 'dinp');
    await be.matmulQuantBackwardInput(dinp, be.fromF32(new Float32Array(N * OC).fill(1), 'dout'), w, N, C, OC);
    const deq = dequantize(q);
    const colSum = Array.from({ length: C }, (_, c) => Array.from({ length: OC }, (_, o) => deq[o * C + c]).reduce((a, b) => a + b));
    expectClose((await be.read(dinp)).subarray(0, C), colSum, { atol: 1e-6, rtol: 1e-5, label: 'dinp = Σ_o W' });
    be.free(w); // WasmBackend: the packed words live in its arena and go back to it
    const w2 = be.uploadQuantized(q, 'w2');
    await be.matmulQuantForward(out, be.fromF32(inp, 'inp2'), w2, null, N, C, OC);
    expect(Array.from(await be.read(out))).toEqual(Array.from(expected));
  });
});

describe.each(FORMATS)('%s checkpoints', (format) => {
  const config = tinyConfig({ hiddenSize: 40, intermediateSize: 24, numHeads: 4, numKvHeads: 2, vocabSize: 16, qkvBias: true, oBias: true });
  const weights = initWeights(config, seededRng(5));

  it('round-trips through safetensors with qweight / scales names and metadata', () => {
    const qw = quantizeWeights(config, weights, format);
    const file = parseSafetensors(saveQuantizedWeights(config, qw));
    expect(file.metadata).toEqual({ format: 'pt', psr_quant: format, psr_quant_group: format === 'q4' ? '32' : '-1' });
    expect(file.has('model.layers.0.self_attn.q_proj.qweight')).toBe(true);
    expect(file.has('model.layers.0.self_attn.q_proj.scales')).toBe(true);
    expect(file.has('model.layers.0.self_attn.q_proj.weight')).toBe(false);
    expect(file.info('model.layers.1.mlp.down_proj.qweight')).toEqual(
      format === 'int8' ? { dtype: 'I8', shape: [40, 24] } : { dtype: 'U8', shape: [40, 16] },
    );
    expect(file.info('model.embed_tokens.weight').dtype).toBe('F32');
    expect(file.info('model.layers.0.self_attn.q_proj.bias').dtype).toBe('F32');
    const back = loadQuantizedWeights(config, file, format);
    expect([...back.linears.keys()]).toEqual(tensorSpecs(config).filter((s) => s.kind === 'linear').map((s) => s.name));
    for (const [name, q] of qw.linears) expect(Array.from(dequantize(back.linears.get(name)!))).toEqual(Array.from(dequantize(q)));
    // dequantized weights are full f32 ModelWeights, the linears within the format's error of the original
    const deq = dequantizeWeights(config, back);
    expect(deq.embedTokens).toEqual(weights.embedTokens);
    const err = Math.max(...deq.layers[0].gateProj.map((v, i) => Math.abs(v - weights.layers[0].gateProj[i])));
    expect(err).toBeGreaterThan(0);
    expect(err).toBeLessThan(format === 'int8' ? 1e-3 : 1e-2);
  });

  it('writes config.json blocks that name the format, and loads the directory back', async () => {
    const files = new MemoryFiles();
    await saveQuantizedCheckpoint(files, config, quantizeWeights(config, weights, format));
    const json = JSON.parse(new TextDecoder().decode(files.files.get('config.json')!));
    const block = { quant_method: 'psr', bits: format === 'int8' ? 8 : 4, group_size: format === 'int8' ? -1 : 32, sym: true };
    expect(json.quantization).toEqual(block);
    expect(json.quantization_config).toEqual(block);
    const { config: c2, weights: w2 } = await loadQuantizedCheckpoint(files);
    expect(c2.hiddenSize).toBe(40);
    expect(w2.format).toBe(format);
  });
});

describe('quantized checkpoint errors', () => {
  const config = tinyConfig({ hiddenSize: 8, intermediateSize: 12, vocabSize: 16 });
  const weights = initWeights(config, seededRng(6));
  const qbytes = saveQuantizedWeights(config, quantizeWeights(config, weights, 'q4'));

  /** Rewrite the q4 file with one tensor replaced (t null = dropped; name null = none) and optional metadata. */
  function tamper(name: string | null, t: TensorToWrite | null, metadata?: Record<string, string>): Uint8Array {
    const file = parseSafetensors(qbytes);
    const tensors: Record<string, TensorToWrite> = {};
    for (const n of file.names) {
      const info = file.info(n);
      tensors[n] = { dtype: info.dtype as TensorToWrite['dtype'], shape: info.shape, data: file.getTyped(n) as TensorToWrite['data'] };
    }
    if (name !== null) {
      if (t === null) delete tensors[name];
      else tensors[name] = t;
    }
    return writeSafetensors(tensors, metadata ?? file.metadata!);
  }
  const load = (bytes: Uint8Array) => () => loadQuantizedWeights(config, parseSafetensors(bytes), 'q4');
  const q = quantTensorNames('model.layers.0.mlp.up_proj.weight');

  it('names a missing quantized tensor', () => {
    expect(load(tamper(q.scales, null))).toThrow(MissingTensorError);
    expect(load(tamper(q.scales, null))).toThrow(/up_proj\.scales/);
  });

  it('refuses a wrong dtype or shape of qweight / scales, and negative scales', () => {
    expect(load(tamper(q.qweight, { dtype: 'I8', shape: [12, 16], data: new Int8Array(192) }))).toThrow(QuantTensorError);
    expect(load(tamper(q.scales, { dtype: 'F32', shape: [12, 2], data: new Float32Array(24) }))).toThrow(/expected F32 \[12, 1\] found F32 \[12, 2\]/);
    expect(load(tamper(q.scales, { dtype: 'F32', shape: [12, 1], data: new Float32Array(12).fill(-1) }))).toThrow(QuantTensorError);
    expect(load(tamper('model.norm.weight', { dtype: 'F32', shape: [9], data: new Float32Array(9) }))).toThrow(TensorShapeError);
  });

  it('refuses metadata that disagrees with config.json', () => {
    expect(load(tamper(null, null, { format: 'pt', psr_quant: 'int8', psr_quant_group: '-1' }))).toThrow(QuantFormatError);
    expect(load(tamper(null, null, { format: 'pt' }))).toThrow(/psr_quant = null/);
    expect(() => loadQuantizedWeights(config, parseSafetensors(qbytes), 'int8')).toThrow(/metadata says psr_quant = "q4"/);
  });

  it('says an f32 checkpoint is not quantized', async () => {
    const files = new MemoryFiles();
    await files.write('config.json', new TextEncoder().encode(JSON.stringify({ model_type: 'llama', hidden_size: 8 })));
    await expect(loadQuantizedCheckpoint(files)).rejects.toThrow(/no "quantization" block/);
  });

  it('validates the config.json quantization block', () => {
    expect(readQuantizationBlock({})).toBeNull();
    expect(readQuantizationBlock({ quantization: { quant_method: 'psr', bits: 4, group_size: 32 } })).toBe('q4');
    expect(() => readQuantizationBlock({ quantization_config: { quant_method: 'gptq', bits: 4, group_size: 128 } })).toThrow(/not "psr"/);
    expect(() => readQuantizationBlock({ quantization: { quant_method: 'psr', bits: 3, group_size: 32 } })).toThrow(QuantFormatError);
    expect(() => readQuantizationBlock({ quantization: { quant_method: 'psr', bits: 4, group_size: 64 } })).toThrow(/group_size 64/);
    expect(() =>
      readQuantizationBlock({
        quantization: { quant_method: 'psr', bits: 4, group_size: 32 },
        quantization_config: { quant_method: 'psr', bits: 8, group_size: -1 },
      }),
    ).toThrow(/must agree/);
  });
});
