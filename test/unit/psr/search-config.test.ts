// Search settings and problem pools are validated at the boundary with named, actionable errors.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SEARCH_SETTINGS, searchSettings, validatePool } from '../../../src/lib/psr/search-config.ts';
import { searchPool } from '../../../src/lib/psr/search.ts';
import { SearchConfigError } from '../../../src/lib/errors.ts';
import { ScriptedModel, rankJudge } from './fake-model.ts';

describe('search settings', () => {
  it('defaults are the paper\'s: w 6, temperature 0.5, top-p 0.95, 20 steps, both orders', () => {
    expect(searchSettings()).toEqual({ w: 6, temperature: 0.5, topP: 0.95, maxSteps: 20, judgeOrder: 'both', maxRollbacks: 5, iteration: 1 });
    expect(Object.isFrozen(DEFAULT_SEARCH_SETTINGS)).toBe(true);
  });

  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['w < 2', { w: 1 }, /w \(candidates per step\) must be an integer in \[2, 32\], got 1; a pair needs at least 2/],
    ['fractional w', { w: 2.5 }, /w \(candidates per step\)/],
    ['temperature < 0', { temperature: -0.1 }, /temperature must be a finite number ≥ 0, got -0.1/],
    ['NaN temperature', { temperature: NaN }, /temperature/],
    ['top-p 0', { topP: 0 }, /top-p must be in \(0, 1\], got 0; use 0.95/],
    ['top-p > 1', { topP: 1.5 }, /top-p must be in \(0, 1\], got 1.5/],
    ['maxSteps 0', { maxSteps: 0 }, /maxSteps must be an integer in \[1, 64\], got 0/],
    ['unknown judge order', { judgeOrder: 'forward' }, /judgeOrder must be "both" or "random"/],
    ['negative rollbacks', { maxRollbacks: -1 }, /maxRollbacks must be an integer in \[0, 100\]/],
    ['negative iteration', { iteration: -1 }, /iteration must be an integer ≥ 0/],
  ];
  for (const [name, over, msg] of bad) {
    it(`rejects ${name} with SearchConfigError`, () => {
      expect(() => searchSettings(over)).toThrow(SearchConfigError);
      expect(() => searchSettings(over)).toThrow(msg);
    });
  }

  it('accepts the edges: w 2, temperature 0, top-p 1, one step, no rollbacks', () => {
    expect(searchSettings({ w: 2, temperature: 0, topP: 1, maxSteps: 1, maxRollbacks: 0, iteration: 0 }).w).toBe(2);
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

  it('searchPool validates settings before touching the model', async () => {
    const model = new ScriptedModel(() => [], rankJudge);
    await expect(searchPool(model, [{ id: 'a', question: 'Q' }], { ...searchSettings(), w: 1 }, 1)).rejects.toThrow(SearchConfigError);
    expect(model.sampleCalls).toHaveLength(0);
  });
});
