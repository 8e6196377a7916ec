// The oracle-judge control: the checker's verdict on a pair of the model's candidates (1 / 0 when
// exactly one is valid, ½ otherwise), sampling left to the wrapped model, and a search run with it
// keeps the valid step at every step.
import { describe, expect, it } from 'vitest';
import { defaultWorldConfig } from '../../../src/lib/math/config.ts';
import { generateProblems } from '../../../src/lib/math/generator.ts';
import { OracleJudgedStepModel, oracleVerdict } from '../../../src/lib/psr/oracle-judge.ts';
import { searchProblem } from '../../../src/lib/psr/search.ts';
import { searchSettings } from '../../../src/lib/psr/search-config.ts';
import { ScriptedModel, positionJudge } from './fake-model.ts';

const world = defaultWorldConfig();
const [p] = generateProblems(world, { seed: 4, count: 1, difficulty: 2 });
const wrong = (step: string) => step.replace(/= (\d+)/, (_m, x: string) => `= ${Number(x) + 3}`);

describe('the oracle-judge control', () => {
  it('gives 1 or 0 when exactly one candidate is valid and ½ when both or neither are', () => {
    const item = (a: string, b: string) => ({ question: p.question, previousSteps: [], candidateA: a, candidateB: b });
    expect(oracleVerdict(item(p.steps[0], wrong(p.steps[0])))).toBe(1);
    expect(oracleVerdict(item(wrong(p.steps[0]), p.steps[0]))).toBe(0);
    expect(oracleVerdict(item(p.steps[0], p.steps[0]))).toBe(0.5);
    expect(oracleVerdict(item(wrong(p.steps[0]), wrong(wrong(p.steps[0]))))).toBe(0.5);
  });

  it('a search with the oracle as judge appends the valid step, whatever the model would have judged', async () => {
    const sampler = new ScriptedModel((_q, step) => {
      const ref = p.steps[step - 1];
      return [wrong(ref), ref, wrong(wrong(ref))];
    }, positionJudge(0.9)); // the model's own judge would always pick A
    const r = await searchProblem(new OracleJudgedStepModel(sampler), { id: p.id, question: p.question }, searchSettings({ w: 3, maxSteps: 4 }), 1);
    expect(r.steps).toEqual(p.steps);
    expect(r.pairs.every((pair) => p.steps.includes(pair.chosen) && !p.steps.includes(pair.rejected))).toBe(true);
    expect(sampler.judgeCalls).toHaveLength(0);
  });
});
