// The oracle-judge control: the checker's verdict on a pair of the model's candidates (1 / 0 when
// exactly one is valid, ½ otherwise), sampling left to the wrapped model, and a search run with it
// keeps the valid step at every step.
import { describe, expect, it } from 'vitest';
import { defaultWorldConfig } from '../../../src/lib/math/config.ts';
import { generateProblems } from '../../../src/lib/math/generator.ts';
import { CoinJudgedStepModel, OracleJudgedStepModel, coinVerdict, oracleVerdict } from '../../../src/lib/psr/oracle-judge.ts';
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

describe('the coin-judge control', () => {
  const item = (a: string, b: string) => ({ question: p.question, previousSteps: [], candidateA: a, candidateB: b });
  const steps = Array.from({ length: 40 }, (_, i) => `So the total is ${i} + 1 = ${i + 1}.`);

  it('gives each pair opposite verdicts in the two orders, ties identical steps, and knows nothing of validity', () => {
    let aWins = 0;
    let validWins = 0;
    for (let i = 0; i < steps.length - 1; i++) {
      const v = coinVerdict(item(steps[i], steps[i + 1]), 's1');
      expect([0, 1]).toContain(v);
      expect(coinVerdict(item(steps[i + 1], steps[i]), 's1')).toBe(1 - v);
      aWins += v;
      validWins += coinVerdict(item(p.steps[0], wrong(p.steps[0]) + ` ${i}`), 's1');
    }
    expect(coinVerdict(item(steps[0], steps[0]), 's1')).toBe(0.5);
    // A fair coin over 39 pairs: far from always A and from always the valid step.
    expect(aWins).toBeGreaterThan(8);
    expect(aWins).toBeLessThan(31);
    expect(validWins).toBeGreaterThan(8);
    expect(validWins).toBeLessThan(31);
    // Another seed, other verdicts.
    const flips = steps.slice(1).filter((s, i) => coinVerdict(item(steps[i], s), 's1') !== coinVerdict(item(steps[i], s), 's2')).length;
    expect(flips).toBeGreaterThan(5);
  });

  it('a search with the coin as judge never asks the model to judge', async () => {
    const sampler = new ScriptedModel((_q, step) => {
      const ref = p.steps[step - 1];
      return [wrong(ref), ref, wrong(wrong(ref))];
    }, positionJudge(0.9));
    const r = await searchProblem(new CoinJudgedStepModel(sampler, 'x'), { id: p.id, question: p.question }, searchSettings({ w: 3, maxSteps: 4 }), 1);
    expect(r.steps.length).toBeGreaterThan(0);
    expect(r.pairs.length).toBeGreaterThan(0);
    expect(sampler.judgeCalls).toHaveLength(0);
  });
});
