// Search settings come from the settings table (validated where they enter: test/unit/settings);
// problem pools are data, validated by the search with named, actionable errors.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SEARCH_SETTINGS, searchSettings, validatePool } from '../../../src/lib/psr/search-config.ts';
import { searchPool } from '../../../src/lib/psr/search.ts';
import { scoreWins } from '../../../src/lib/psr/step-scoring.ts';
import { SearchConfigError } from '../../../src/lib/errors.ts';
import { SETTINGS } from '../../../src/lib/settings/table.ts';
import { ScriptedModel, rankJudge } from './fake-model.ts';

describe('search settings', () => {
  it('defaults are the paper\'s: w 6, temperature 0.5, top-p 0.95, 20 steps, both orders', () => {
    expect(searchSettings()).toEqual({ w: 6, temperature: 0.5, topP: 0.95, maxSteps: 20, tieThreshold: 1e-9, pairMargin: 0, judgeOrder: 'both', maxRollbacks: 5, iteration: 1 });
    expect(Object.isFrozen(DEFAULT_SEARCH_SETTINGS)).toBe(true);
  });

  it('the defaults are the settings table\'s, and a tie threshold reaches the scoring', () => {
    expect(searchSettings({ w: 3 })).toMatchObject({ w: 3, maxSteps: SETTINGS.maxSteps.default, tieThreshold: SETTINGS.tieThreshold.default });
    const j = (a: number, b: number, pA: number) => ({ a, b, pA, pAForward: pA, pASwapped: null });
    const near = [j(0, 1, 0.55), j(0, 2, 0.9), j(1, 2, 0.5)];
    expect(scoreWins(3, near)).toEqual([2, 0.5, 0.5]); // default: only an exact 0.5 ties
    expect(scoreWins(3, near, 0.1)).toEqual([1.5, 1, 0.5]); // 0.55 is within 0.1 of 0.5: half a win each
  });
});

describe('problem pools', () => {
  it('an empty pool is a SearchConfigError saying what to do', async () => {
    expect(() => validatePool([])).toThrow(/the problem pool is empty; generate or load at least one problem/);
    const model = new ScriptedModel(() => [], rankJudge);
    await expect(searchPool(model, [], searchSettings(), 1)).rejects.toThrow(SearchConfigError);
    expect(model.sampleCalls).toHaveLength(0);
  });

  it('a problem without id or question is rejected by index', () => {
    expect(() => validatePool([{ id: 'a', question: 'Q' }, { id: '', question: 'Q' }])).toThrow(/problem 1 of the pool needs a non-empty string id and question/);
    expect(() => validatePool([{ id: 'a', question: '  ' }])).toThrow(SearchConfigError);
  });
});
