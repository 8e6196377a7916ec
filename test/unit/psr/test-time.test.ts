// Test-time step-wise selection: the search's finished solutions are graded by the oracle like
// greedy ones. A scripted model offers the reference step among wrong variants at every step; a
// judge that recognises it solves everything, a judge that prefers the wrong variants solves
// nothing, and a judge that cannot tell them apart rolls back to the cap on every problem.
import { describe, expect, it } from 'vitest';
import { defaultWorldConfig } from '../../../src/lib/math/config.ts';
import { generateProblems } from '../../../src/lib/math/generator.ts';
import { createTokenizer } from '../../../src/lib/math/vocab.ts';
import { evaluateStepwiseSelection } from '../../../src/lib/psr/test-time.ts';
import { searchSettings } from '../../../src/lib/psr/search-config.ts';
import { ScriptedModel, type JudgeFn } from './fake-model.ts';

const world = defaultWorldConfig();
const tok = createTokenizer(world);
const problems = generateProblems(world, { seed: 11, count: 4, difficulty: 2 });
const reference = new Set(problems.flatMap((p) => p.steps));
const byQuestion = new Map(problems.map((p) => [p.question, p]));

/** The step with every result and declared answer off by `d`. */
function offBy(step: string, d: number): string {
  return step.replace(/(= |answer is )(\d+)/g, (_m, head: string, x: string) => `${head}${Number(x) + d}`);
}

const script = (question: string, step: number) => {
  const ref = byQuestion.get(question)!.steps[Math.min(step, 2) - 1];
  return [offBy(ref, 1), ref, offBy(ref, 2), offBy(ref, 1), ref, offBy(ref, 2)];
};
const prefersReference: JudgeFn = (a, b) => (reference.has(a) ? 0.9 : reference.has(b) ? 0.1 : 0.5);
const prefersWrong: JudgeFn = (a, b) => 1 - prefersReference(a, b, { question: '', previousSteps: [], candidateA: a, candidateB: b });
const settings = searchSettings({ w: 6, maxSteps: 4 });

describe('test-time step-wise selection', () => {
  it('a judge that recognises the valid step solves every problem, graded by the oracle', async () => {
    const { summary, solved } = await evaluateStepwiseSelection(new ScriptedModel(script, prefersReference), tok, problems, settings, 1);
    expect(solved.map((s) => s.steps)).toEqual(problems.map((p) => p.steps));
    expect(summary).toMatchObject({ accuracy: 1, perfect_rate: 1, problems: 4, finished_rate: 1, rollbacks_per_problem: 0, w: 6, temperature: 0.5, mean_steps: 2 });
    expect(summary.accuracy_by_difficulty).toEqual({ '2': 1 });
  });

  it('a judge that prefers wrong steps solves none, and the oracle names the first error', async () => {
    const progress: number[] = [];
    const { summary, solved } = await evaluateStepwiseSelection(new ScriptedModel(script, prefersWrong), tok, problems, settings, 1, {
      onProgress: (d) => progress.push(d),
    });
    expect(summary.accuracy).toBe(0);
    expect(progress).toEqual([1, 2, 3, 4]);
    for (const s of solved) {
      expect(s.correct).toBe(false);
      expect(s.firstError).toBe('arithmetic_error');
    }
  });

  it('a judge that cannot tell candidates apart rolls back up to the cap on every problem', async () => {
    const { summary } = await evaluateStepwiseSelection(new ScriptedModel(script, () => 0.5), tok, problems, settings, 1);
    expect(summary.rollbacks_per_problem).toBe(settings.maxRollbacks);
    expect(summary.problems).toBe(4);
  });
});
