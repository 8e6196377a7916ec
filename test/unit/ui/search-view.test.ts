// The "watch the search" view model folded from a real search's event stream (scripted model,
// one rollback): rounds, the pairwise matrix (both orders, complementary), the trail with the
// rolled-back step struck, the pairs left after the rollback, and the oracle labels per round.
import { describe, expect, it } from 'vitest';
import { ScriptedModel, rankJudge } from '../psr/fake-model.ts';
import { searchWithOracle } from '../../../src/lib/lab/search-task.ts';
import { searchSettings } from '../../../src/lib/psr/search-config.ts';
import { generateProblems } from '../../../src/lib/math/generator.ts';
import { defaultWorldConfig } from '../../../src/lib/math/config.ts';
import type { SearchViewEvent } from '../../../src/lib/lab/types.ts';
import { applySearchEvent, EMPTY_SEARCH_VIEW } from '../../../src/ui/state/search-view.ts';

const script: Record<number, string[][]> = {
  1: [
    ['Step 1: s1a #1', 'Step 1: s1b #0', 'Step 1: s1b #0'],
    ['Step 1: s1c #3', 'Step 1: s1d #0', 'Step 1: s1d #0'],
  ],
  2: [
    ['Step 2: t1 #1', 'Step 2: t2 #1', 'Step 2: t2 #1'],
    ['The answer is 4. #1', 'The answer is 5. #0', 'The answer is 5. #0'],
  ],
};

describe('search view', () => {
  it('folds a search with a rollback into rounds, matrix, trail and pairs', async () => {
    const [problem] = generateProblems(defaultWorldConfig(), { seed: 3, count: 1, difficulty: 1 });
    const model = new ScriptedModel((_q, step, call) => script[step][Math.min(call, script[step].length - 1)], rankJudge);
    const events: SearchViewEvent[] = [];
    const out = await searchWithOracle(model, problem, searchSettings({ w: 3 }), 7, (e) => events.push(e));
    const view = events.reduce(applySearchEvent, EMPTY_SEARCH_VIEW);

    expect(view.problemId).toBe(problem.id);
    expect(view.rounds).toHaveLength(out.result.rounds);
    expect(view.rounds.map((r) => r.outcome?.kind)).toEqual(['accepted', 'rollback', 'accepted', 'accepted']);
    expect(view.trail.filter((t) => t.rolledBack).map((t) => t.text)).toEqual(['Step 1: s1a #1']);
    expect(view.trail.filter((t) => !t.rolledBack).map((t) => t.text)).toEqual(out.result.steps);
    expect(view.pairs).toEqual(out.result.pairs);
    expect(view.droppedPairs).toBe(out.result.droppedPairs);
    expect(view.end?.steps).toEqual(out.result.steps);

    for (const r of view.rounds) {
      const n = r.candidates.length;
      expect(r.candidates.map((c) => c.count).reduce((a, b) => a + b, 0)).toBe(3);
      expect(r.judged).toBe((n * (n - 1)) / 2);
      expect(r.labels).toHaveLength(n);
      for (let i = 0; i < n; i++) {
        expect(r.matrix[i][i]).toBeNull();
        for (let j = 0; j < n; j++) {
          if (i === j) continue;
          const c = r.matrix[i][j]!;
          expect(c.p + r.matrix[j][i]!.p).toBeCloseTo(1, 12);
          // Both orders were judged: the verdict is their mean, and each order's working is kept.
          expect(c.p).toBeCloseTo((c.pRowFirst! + c.pRowSecond!) / 2, 12);
          expect(c.workingRowFirst).toBe(r.matrix[j][i]!.workingRowSecond);
        }
      }
      const wins = r.matrix.map((row) => row.reduce((s, c) => s + (c === null ? 0 : c.p > 0.5 ? 1 : c.p === 0.5 ? 0.5 : 0), 0));
      expect(r.scores).toEqual(wins);
    }
    const rolled = view.rounds[1];
    expect(rolled.allEqual).toBe(true);
    expect(rolled.best).toBeNull();
  });
});
