// The search on the project's real transformer (a micro random model on the CPU backend, the
// world's tokenizer): TinyStepModel samples and judges, events arrive in a valid order, every pair
// has distinct steps, the JSONL export round-trips, and a full context ends a problem cleanly.
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
import { parseStepContinuation } from '../../../src/lib/math/formats.ts';
import { TinyStepModel } from '../../../src/lib/psr/step-model.ts';
import { searchPool } from '../../../src/lib/psr/search.ts';
import { searchSettings } from '../../../src/lib/psr/search-config.ts';
import { pairsToJsonl, parsePairsJsonl } from '../../../src/lib/psr/pairs.ts';
import type { SearchEvent } from '../../../src/lib/psr/events.ts';
import { ContextFullError } from '../../../src/lib/errors.ts';

const world = defaultWorldConfig();
const tok = createTokenizer(world);

function microModel(maxPositionEmbeddings: number): ModelParams {
  const config = defineConfig({
    modelType: 'llama',
    hiddenSize: 16,
    intermediateSize: 32,
    numLayers: 2,
    numHeads: 2,
    numKvHeads: 1,
    vocabSize: tok.size,
    maxPositionEmbeddings,
    tieWordEmbeddings: true,
    bosTokenId: tok.bosId,
    eosTokenId: tok.eosId,
    padTokenId: tok.padId,
  });
  const rng = createRng(99);
  const weights = initWeights(config, rng);
  fillNormal(weights.embedTokens, 0.3, rng); // stronger than the 0.02 init so the judge's P(A) moves away from 0.5
  return ModelParams.create(new CpuBackend(), config, weights, null, 'none');
}

const OPTS = { maxStepTokens: 10, judge: { working: 'check' as const, rowsPerBatch: 32, maxWorkingTokens: 6 } };
const problems = generateProblems(world, { seed: 3, count: 2, difficulty: 1 });

/** Check the per-problem event grammar: start, rounds of candidates → [judgments → scores → pair/rollback] → accept, end. */
function checkOrder(events: SearchEvent[]): void {
  let i = 0;
  const next = () => events[i++];
  for (let p = 0; p < problems.length; p++) {
    expect(next()).toMatchObject({ type: 'problem-start', index: p, total: problems.length, problemId: problems[p].id });
    for (;;) {
      const e = next();
      if (e.type === 'problem-end') break;
      expect(e.type).toBe('candidates');
      let f = next();
      if (f.type === 'judgment') {
        while (f.type === 'judgment') f = next();
        expect(f.type).toBe('scores');
        f = next();
        if (f.type === 'pair') f = next();
        expect(['accept', 'rollback']).toContain(f.type);
      } else {
        expect(f).toMatchObject({ type: 'accept', reason: 'all-identical' });
      }
    }
  }
  expect(next().type).toBe('pool-end');
  expect(i).toBe(events.length);
}

describe('TinyStepModel + searchPool on a micro random model (CPU)', () => {
  const params = microModel(256);
  const model = new TinyStepModel(params, tok, OPTS);

  it('samples w candidates whose text, final flag and log-probs agree with their tokens', async () => {
    const out = await model.sampleSteps(problems[0].question, [], 4, { temperature: 1, topP: 1 }, createRng(1));
    expect(out).toHaveLength(4);
    for (const s of out) {
      expect(s.tokens.length).toBe(s.tokenLogprobs.length);
      expect(s.tokens.length).toBeGreaterThan(0);
      expect(s.tokens.length).toBeLessThanOrEqual(OPTS.maxStepTokens);
      for (const lp of s.tokenLogprobs) expect(lp).toBeLessThanOrEqual(0);
      const parsed = parseStepContinuation(tok.decode(s.tokens));
      expect(s.text).toBe(parsed.step);
      expect(s.final).toBe(parsed.final || /The answer is/.test(s.text));
    }
    const again = await model.sampleSteps(problems[0].question, [], 4, { temperature: 1, topP: 1 }, createRng(1));
    expect(again).toEqual(out);
  });

  it('runs the search: ordered events, distinct chosen/rejected, consistent verdicts, JSONL round trip', async () => {
    const events: SearchEvent[] = [];
    const out = await searchPool(model, problems, searchSettings({ w: 3, maxSteps: 3 }), 5, { onEvent: (e) => events.push(e) });
    checkOrder(events);
    for (const e of events) {
      if (e.type === 'candidates') expect(e.candidates.reduce((a, c) => a + c.count, 0)).toBe(3);
      if (e.type === 'judgment') {
        expect(e.pA).toBeGreaterThanOrEqual(0);
        expect(e.pA).toBeLessThanOrEqual(1);
        expect(e.pA).toBeCloseTo((e.pAForward! + 1 - e.pASwapped!) / 2, 12);
        expect(typeof e.workingForward).toBe('string');
      }
    }
    expect(out.stats.problems).toBe(2);
    expect(out.stats.steps).toBeGreaterThanOrEqual(2);
    expect(out.pairs.length).toBeGreaterThan(0);
    for (const p of out.pairs) {
      expect(p.chosen).not.toBe(p.rejected);
      expect(p.chosenScore).toBeGreaterThan(p.rejectedScore);
      expect(p.previousSteps).toHaveLength(p.stepIndex - 1);
    }
    expect(out.results.every((r) => r.steps.length <= 3)).toBe(true);
    expect(parsePairsJsonl(pairsToJsonl(out.pairs))).toEqual(out.pairs);
    const again = await searchPool(model, problems, searchSettings({ w: 3, maxSteps: 3 }), 5);
    expect(again.pairs).toEqual(out.pairs); // deterministic for a seed
  });

  it('a context too short for the prompt ends the problem with stop "context-full"', async () => {
    const small = new TinyStepModel(microModel(24), tok, OPTS);
    await expect(small.sampleSteps(problems[0].question, [problems[0].steps[0]], 2, { temperature: 0.5, topP: 1 }, createRng(1))).rejects.toThrow(ContextFullError);
    const out = await searchPool(small, problems.slice(0, 1), searchSettings({ w: 2 }), 1);
    expect(out.results[0]).toMatchObject({ stop: 'context-full', finished: false, steps: [] });
    expect(out.stats.contextFull).toBe(1);
  });
});
