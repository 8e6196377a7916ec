// `psr quantize` / `psr dequantize` in-process on a tiny random checkpoint in a temp dir: the written files
// (quantization blocks, qweight/scales, copied tokenizer files), the report (file sizes that match the disk,
// per-tensor error within the format's bound, logit error / KL / perplexity on math-world text or random
// tokens), int8 losing less than q4, dequantize restoring an f32 checkpoint loadCheckpoint accepts, and
// every usage / named error.
import { mkdtempSync, rmSync, statSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.ts';
import type { QuantizeReport } from '../../src/cli/commands/quantize.ts';
import { defineConfig } from '../../src/lib/model/config.ts';
import type { ModelConfig } from '../../src/lib/model/config.ts';
import { loadCheckpoint, saveCheckpoint } from '../../src/lib/model/checkpoint.ts';
import { NodeFiles } from '../../src/lib/formats/node-files.ts';
import { initWeights, tensorOf, tensorSpecs } from '../../src/lib/model/weights.ts';
import type { ModelWeights } from '../../src/lib/model/weights.ts';
import { dequantizeWeights, loadQuantizedCheckpoint } from '../../src/lib/model/quant-checkpoint.ts';
import { parseSafetensors } from '../../src/lib/formats/safetensors.ts';
import { toTokenizerConfig, toTokenizerJson } from '../../src/lib/tokenizer/tokenizer-json.ts';
import { createTokenizer } from '../../src/lib/math/vocab.ts';
import { defaultWorldConfig } from '../../src/lib/math/config.ts';
import { seededRng } from './model/helpers.ts';
import { captureIo } from '../util/cli-io.ts';

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = captureIo();
  const code = await runCli(args, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

let root: string;
let config: ModelConfig;
let weights: ModelWeights;
const dir = (name: string): string => join(root, name);

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'psr-quantize-'));
  const tok = createTokenizer(defaultWorldConfig());
  // C = 40 and I = 72: q4 rows of 2 and 3 groups with a padded last group; untied head (quantized too).
  config = defineConfig({
    modelType: 'qwen2', hiddenSize: 40, intermediateSize: 72, numLayers: 2, numHeads: 4, numKvHeads: 2,
    vocabSize: tok.size, maxPositionEmbeddings: 128, initializerRange: 0.1,
  });
  weights = initWeights(config, seededRng(17));
  const withTok = new NodeFiles(dir('f32'));
  await saveCheckpoint(withTok, { config, weights, tokenizerJson: toTokenizerJson(tok) });
  await withTok.write('tokenizer_config.json', new TextEncoder().encode(JSON.stringify(toTokenizerConfig(tok))));
  await saveCheckpoint(new NodeFiles(dir('f32-notok')), { config, weights });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const reports: Partial<Record<'8' | '4', QuantizeReport>> = {};

describe.each(['8', '4'] as const)('quantize --bits %s', (bits) => {
  const format = bits === '8' ? 'int8' : 'q4';

  it('writes a quantized checkpoint and reports sizes, weight and logit error as JSON', async () => {
    const out = dir(`q${bits}`);
    const { code, stdout, stderr } = await run('quantize', '--model', dir('f32'), '--bits', bits, '--out', out, '--json', '--eval-seqs', '3');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const r = JSON.parse(stdout) as QuantizeReport;
    reports[bits] = r;
    expect([r.format, r.bits, r.groupSize]).toEqual([format, Number(bits), bits === '8' ? -1 : 32]);
    expect(r.copied).toEqual(['tokenizer.json', 'tokenizer_config.json']);
    expect(readFileSync(join(out, 'tokenizer.json'))).toEqual(readFileSync(join(dir('f32'), 'tokenizer.json')));
    // sizes are the files on disk, and quantizing shrinks them
    expect(r.files.weightsBytesBefore).toBe(statSync(join(dir('f32'), 'model.safetensors')).size);
    expect(r.files.weightsBytesAfter).toBe(statSync(join(out, 'model.safetensors')).size);
    expect(r.files.ratio).toBeLessThan(0.5);
    // config.json says what it is; the file holds qweight/scales, never f32 .weight for a linear
    const cfg = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(cfg.quantization).toMatchObject({ quant_method: 'psr', bits: Number(bits) });
    expect(cfg.quantization_config).toEqual(cfg.quantization);
    const file = parseSafetensors(new Uint8Array(readFileSync(join(out, 'model.safetensors'))));
    expect(file.metadata?.psr_quant).toBe(format);
    expect(file.names.filter((n) => /_proj\.weight$|lm_head\.weight$/.test(n))).toEqual([]);
    // per-tensor error: one entry per linear, each within scale/2 of the coarsest scale of that tensor
    const linears = tensorSpecs(config).filter((s) => s.kind === 'linear');
    expect(r.tensors.map((t) => t.name)).toEqual(linears.map((s) => s.name));
    const levels = bits === '8' ? 127 : 7;
    for (const [i, s] of linears.entries()) {
      const W = tensorOf(weights, s)!;
      const bound = W.reduce((m, v) => Math.max(m, Math.abs(v)), 0) / levels / 2;
      expect(r.tensors[i].maxAbs).toBeGreaterThan(0);
      expect(r.tensors[i].maxAbs).toBeLessThanOrEqual(bound * (1 + 1e-6));
    }
    expect(r.weightError.maxAbs).toBe(Math.max(...r.tensors.map((t) => t.maxAbs)));
    // logits: measured on real solver-format text, the quantized model differs a little, never wildly
    expect(r.logits.source).toBe('math-world');
    expect(r.logits.sequences).toBe(3);
    expect(r.logits.positions).toBeGreaterThan(3 * 10);
    expect(r.logits.maxAbsLogit).toBeGreaterThan(0);
    expect(r.logits.meanAbsLogit).toBeLessThan(r.logits.maxAbsLogit);
    expect(r.logits.meanKl).toBeGreaterThan(0);
    expect(r.logits.maxKl).toBeGreaterThanOrEqual(r.logits.meanKl);
    expect(Math.abs(Math.log(r.logits.perplexityQuant / r.logits.perplexityRef))).toBeLessThan(0.5);
  });

  it('loads back, and dequantize restores an f32 checkpoint equal to the dequantized weights', async () => {
    const out = dir(`deq${bits}`);
    const { code, stderr } = await run('dequantize', '--model', dir(`q${bits}`), '--out', out);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const restored = await loadCheckpoint(new NodeFiles(out));
    const { weights: qw } = await loadQuantizedCheckpoint(new NodeFiles(dir(`q${bits}`)));
    const expected = dequantizeWeights(config, qw);
    expect(restored.weights.layers[1].downProj).toEqual(expected.layers[1].downProj);
    expect(restored.weights.lmHead).toEqual(expected.lmHead);
    expect(restored.weights.embedTokens).toEqual(weights.embedTokens); // embeddings were never quantized
    expect(restored.weights.layers[0].qBias).toEqual(weights.layers[0].qBias);
    expect(restored.weights.layers[0].qProj).not.toEqual(weights.layers[0].qProj);
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).quantization).toBeUndefined();
    expect(existsSync(join(out, 'tokenizer_config.json'))).toBe(true);
  });
});

describe('quantize comparisons and fallbacks', () => {
  it('int8 loses less than q4 and q4 is smaller', () => {
    const [r8, r4] = [reports['8']!, reports['4']!];
    expect(r4.files.weightsBytesAfter).toBeLessThan(r8.files.weightsBytesAfter);
    expect(r8.weightError.maxAbs).toBeLessThan(r4.weightError.maxAbs);
    expect(r8.logits.meanKl).toBeLessThan(r4.logits.meanKl);
    expect(r8.logits.meanAbsLogit).toBeLessThan(r4.logits.meanAbsLogit);
  });

  it('uses random tokens without a tokenizer and prints a text summary without --json', async () => {
    const { code, stdout } = await run('quantize', '--model', dir('f32-notok'), '--bits', '4', '--out', dir('q4-notok'), '--eval-seqs', '2', '--eval-len', '16');
    expect(code).toBe(0);
    expect(stdout).toMatch(/as q4 \(4-bit, groups of 32\)/);
    expect(stdout).toMatch(/logits on 2 random sequences \(32 positions\): max \|Δlogit\| [\d.e-]+/);
    expect(stdout).toMatch(/perplexity f32 [\d.]+ → q4 [\d.]+/);
    expect(stdout).toMatch(/copied: nothing/);
  });
});

describe('quantize / dequantize errors', () => {
  it('usage errors exit 2 and say what to pass', async () => {
    let r = await run('quantize', '--model', dir('f32'), '--bits', '3', '--out', dir('x'));
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/UsageError: --bits must be 8 .* or 4/)]);
    r = await run('quantize', '--bits', '8', '--out', dir('x'));
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/--model DIR is required/)]);
    r = await run('quantize', '--model', dir('f32'), '--bits', '8', '--out', dir('f32'));
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/--out must differ from --model/)]);
    r = await run('dequantize', '--model', dir('q8'));
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/--out DIR is required/)]);
  });

  it('named errors exit 1: quantizing a quantized checkpoint, dequantizing an f32 one, a missing folder', async () => {
    let r = await run('quantize', '--model', dir('q8'), '--bits', '4', '--out', dir('x'));
    expect([r.code, r.stderr]).toEqual([1, expect.stringMatching(/QuantFormatError: .* is already quantized \(int8\).*dequantize/)]);
    r = await run('dequantize', '--model', dir('f32'), '--out', dir('x'));
    expect([r.code, r.stderr]).toEqual([1, expect.stringMatching(/QuantFormatError: config.json has no "quantization" block/)]);
    r = await run('quantize', '--model', dir('nope'), '--bits', '8', '--out', dir('x'));
    expect([r.code, r.stderr]).toEqual([1, expect.stringMatching(/CheckpointFileError: .*does not exist/)]);
    expect(existsSync(dir('x'))).toBe(false);
  });
});
