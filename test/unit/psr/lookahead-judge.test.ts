// The lookahead judge (experimental, `gap --lookahead R`): the consensus answer and each candidate's
// consistency; verdicts from consistency, complementary in the two orders; equal consistency is a
// tie or goes to the pairwise judge; a final candidate is its own answer; seeded continuations
// give the same verdicts twice; bad settings are named. On a micro random model (CPU backend).
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../../src/lib/backend/cpu-backend.ts';
import { defineConfig } from '../../../src/lib/model/config.ts';
import { initWeights } from '../../../src/lib/model/weights.ts';
import { fillNormal } from '../../../src/lib/model/random-init.ts';
import { ModelParams } from '../../../src/lib/model/params.ts';
import { createTokenizer } from '../../../src/lib/math/vocab.ts';
import { defaultWorldConfig } from '../../../src/lib/math/config.ts';
import { generateProblems } from '../../../src/lib/math/generator.ts';
import { createRng } from '../../../src/lib/math/rng.ts';
import { TinyStepModel } from '../../../src/lib/psr/step-model.ts';
import { consensus, DEFAULT_LOOKAHEAD, LookaheadStepModel } from '../../../src/lib/psr/lookahead-judge.ts';
import { SettingsError } from '../../../src/lib/errors.ts';

const world = defaultWorldConfig();
const tok = createTokenizer(world);
const config = defineConfig({
  modelType: 'llama', hiddenSize: 16, intermediateSize: 32, numLayers: 2, numHeads: 2, numKvHeads: 1, vocabSize: tok.size,
  maxPositionEmbeddings: 256, tieWordEmbeddings: true, bosTokenId: tok.bosId, eosTokenId: tok.eosId, padTokenId: tok.padId,
});
const rng = createRng(5);
const weights = initWeights(config, rng);
fillNormal(weights.embedTokens, 0.3, rng);
const params = ModelParams.create(new CpuBackend(), config, weights, null, 'none');
const inner = new TinyStepModel(params, tok, { maxStepTokens: 8, judge: { working: 'none', rowsPerBatch: 32, maxWorkingTokens: 4 } });
const problem = generateProblems(world, { seed: 3, count: 1, difficulty: 2 })[0];
const SMALL = { ...DEFAULT_LOOKAHEAD, rollouts: 2, maxNewTokens: 12 };
const item = (a: string, b: string) => ({ question: problem.question, previousSteps: [problem.steps[0]], candidateA: a, candidateB: b });

describe('consensus', () => {
  it('is the most reached answer, each candidate weighing the same unless weighted', () => {
    const c = consensus([[5, 5, 7, 7], [7], [null, 5]]);
    // votes: 5 → 0.5 + 0.5 = 1, 7 → 0.5 + 1 = 1.5
    expect(c.answer).toBe(7);
    expect(c.consistency).toEqual([0.5, 1, 0]);
    // weighted 4, 1, 4: 5 → 2 + 2 = 4, 7 → 2 + 1 = 3
    expect(consensus([[5, 5, 7, 7], [7], [null, 5]], [4, 1, 4]).answer).toBe(5);
  });
  it('breaks an equal vote toward the smaller answer, and has none when nothing was answered', () => {
    expect(consensus([[9], [3]]).answer).toBe(3);
    expect(consensus([[null, null], []])).toEqual({ answer: null, consistency: [0, 0] });
  });
});

describe('LookaheadStepModel', () => {
  it('judges final candidates by the answer they declare: consistent beats inconsistent, in both orders', async () => {
    const model = new LookaheadStepModel(inner, params, tok, { ...SMALL, tieBreak: 'none' });
    const [a, b, c] = ['The answer is 5.', 'So 2 + 3 = 5. The answer is 5.', 'The answer is 7.'];
    const v = await model.judge([item(a, c), item(c, a), item(a, b)]);
    expect(v.map((x) => x.pA)).toEqual([1, 0, 0.5]);
    expect(v[0].working).toBe('leads to the consensus: A 1.00, B 0.00');
  });

  it('hands equal consistency to the pairwise judge with tieBreak judge', async () => {
    const model = new LookaheadStepModel(inner, params, tok, { ...SMALL, tieBreak: 'judge' });
    const tied = item('So 2 + 3 = 5. The answer is 5.', 'The answer is 5.');
    const [v] = await model.judge([tied]);
    const [direct] = await inner.judge([tied]);
    expect(v.pA).toBe(direct.pA);
    expect(v.pA).not.toBe(0.5);
  });

  it('continues open candidates with the model, reproducibly, and keeps every verdict a probability', async () => {
    const model = new LookaheadStepModel(inner, params, tok, { ...SMALL, tieBreak: 'none' });
    const items = [item(problem.steps[1], 'The answer is 3.'), item('The answer is 3.', problem.steps[1])];
    const first = await model.judge(items);
    const again = await model.judge(items);
    expect(again).toEqual(first);
    for (const v of first) expect(v.pA).toBeGreaterThanOrEqual(0), expect(v.pA).toBeLessThanOrEqual(1);
    expect(first[0].pA + first[1].pA).toBeCloseTo(1, 12);
    expect(model.lastLookahead.get(problem.steps[1])?.answers).toHaveLength(2);
  });

  it('names a bad rollout count', () => {
    expect(() => new LookaheadStepModel(inner, params, tok, { ...SMALL, rollouts: 0 })).toThrow(SettingsError);
  });
});
