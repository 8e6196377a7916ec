// The shipped model in public/models/psr-tiny: it loads (int8 base, tokenizer, metadata), fits
// the 10 MB budget, solves a fixed easy problem, and reproduces the evaluation recorded next to it
// (eval-subset.json, made by `npm run psr -- eval --model public/models/psr-tiny --eval-problems 12
// --eval-pairs 12 --dataset-seed 1 --backend wasm --json`) on the same subset.
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel } from '../../../src/lib/model/load-model.ts';
import { NodeFiles } from '../../../src/lib/formats/node-files.ts';
import { WasmBackend } from '../../../src/lib/backend/wasm-backend.ts';
import { ModelParams } from '../../../src/lib/model/params.ts';
import { buildDatasets, DEFAULT_DATASET_OPTIONS } from '../../../src/lib/math/datasets.ts';
import { evaluateJudge, solveGreedy, summariseSolutions } from '../../../src/lib/psr/evaluate.ts';
import { DEFAULT_JUDGE_OPTIONS } from '../../../src/lib/psr/judge.ts';

const DIR = 'public/models/psr-tiny';
const recorded = JSON.parse(readFileSync(join(DIR, 'eval-subset.json'), 'utf8')) as {
  accuracy: number; judge_accuracy: number; swap_consistency: number; problems: number; pairs: number;
};

function filesBytes(dir: string): number {
  return readdirSync(dir).reduce((n, f) => {
    const p = join(dir, f);
    return n + (statSync(p).isDirectory() ? filesBytes(p) : statSync(p).size);
  }, 0);
}

describe('the shipped model', async () => {
  const model = await loadModel(new NodeFiles(DIR));
  const params = ModelParams.create(new WasmBackend(256 * 1024 * 1024), model.config, model.weights, null, 'none', model.quantized);
  const data = buildDatasets(model.world, { seed: 1, ...DEFAULT_DATASET_OPTIONS, iftCount: 0, eftCount: 0 });
  const pick = <T>(xs: T[], n: number) => Array.from({ length: n }, (_, i) => xs[Math.floor((i * xs.length) / n)]);

  it('loads as an int8 base with its tokenizer and fits in 10 MB', () => {
    expect(model.storage).toBe('int8');
    expect(model.tok.size).toBe(model.config.vocabSize);
    expect(filesBytes(DIR)).toBeLessThan(10 * 1024 * 1024);
    const meta = JSON.parse(readFileSync(join(DIR, 'psr_model.json'), 'utf8'));
    expect(meta.generation).toBeGreaterThanOrEqual(0);
  });

  it('solves a fixed easy problem step by step', { timeout: 60_000 }, async () => {
    const easy = data.test.find((p) => p.difficulty === 1)!;
    const [s] = await solveGreedy(params, model.tok, [easy], { format: 'steps', rowsPerBatch: 1, maxNewTokens: 120 });
    expect(s.steps[0]).toMatch(/^Step 1: /);
    expect(s.answer).toBe(easy.answer);
  });

  it('reproduces its recorded evaluation on the same subset', { timeout: 120_000 }, async () => {
    const solved = await solveGreedy(params, model.tok, pick(data.test, recorded.problems), { format: 'steps', rowsPerBatch: 32, maxNewTokens: 320 });
    const judge = await evaluateJudge(params, model.tok, pick(data.eftTest, recorded.pairs), DEFAULT_JUDGE_OPTIONS);
    // Greedy decoding is deterministic; one problem or pair of slack covers float-order ties.
    expect(Math.abs(summariseSolutions(solved).accuracy - recorded.accuracy)).toBeLessThanOrEqual(1 / recorded.problems + 1e-9);
    expect(Math.abs(judge.judge_accuracy - recorded.judge_accuracy)).toBeLessThanOrEqual(1 / recorded.pairs + 1e-9);
  });
});
