// The chosen step against the model's own greedy step at the same prefix: asked at temperature 0,
// graded by the checker, counted per prefix and summarised with intervals over problems.
import { describe, expect, it } from 'vitest';
import { defaultWorldConfig } from '../../../src/lib/math/config.ts';
import { generateProblems } from '../../../src/lib/math/generator.ts';
import { auditAgainstGreedy, summariseAudit } from '../../../src/lib/psr/greedy-audit.ts';
import type { PreferencePair } from '../../../src/lib/psr/pairs.ts';
import { ScriptedModel, positionJudge } from './fake-model.ts';

const problems = generateProblems(defaultWorldConfig(), { seed: 11, count: 4, difficulty: 2 });
const wrong = (step: string) => step.replace(/= (\d+)/, (_m, x: string) => `= ${Number(x) + 3}`);

function pair(i: number, chosen: string): PreferencePair {
  const p = problems[i];
  return {
    problemId: p.id, question: p.question, previousSteps: [], chosen, rejected: wrong(wrong(p.steps[0])), chosenFinal: false, rejectedFinal: false,
    chosenScore: 2, rejectedScore: 0, scores: [], stepIndex: 1, iteration: 1,
  };
}

describe('the chosen step against greedy', () => {
  it('asks the model for its greedy step at each prefix and grades both', async () => {
    // Greedy writes the reference step for problems 0 and 1, a wrong one for 2 and 3.
    const model = new ScriptedModel((q) => {
      const i = problems.findIndex((p) => p.question === q);
      return [i < 2 ? problems[i].steps[0] : wrong(problems[i].steps[0])];
    }, positionJudge(0.5));
    const pairs = [pair(0, problems[0].steps[0]), pair(1, wrong(problems[1].steps[0])), pair(2, problems[2].steps[0]), pair(3, wrong(problems[3].steps[0]))];
    const rows = await auditAgainstGreedy(model, pairs);
    expect(model.sampleCalls.every((c) => c.w === 1 && c.sampling.temperature === 0)).toBe(true);
    expect(rows.map((r) => [r.chosenValid, r.greedyValid, r.chosenIsGreedy])).toEqual([
      [true, true, true],
      [false, true, false],
      [true, false, false],
      [false, false, true],
    ]);
    const a = summariseAudit(rows, 1);
    expect(a.pairs).toBe(4);
    expect(a.chosenValid.value).toBe(0.5);
    expect(a.greedyValid.value).toBe(0.5);
    expect(a.advantage.value).toBe(0);
    expect(a.chosenIsGreedy).toBe(2);
    expect([a.onlyChosen, a.onlyGreedy]).toEqual([1, 1]);
    expect(a.advantage.lo!).toBeLessThan(0);
    expect(a.advantage.hi!).toBeGreaterThan(0);
  });
});
