// The majority vote of sampled solutions (eval --vote K): the most frequent declared answer, an
// equal count to the one reached first, none when nothing was answered; bad settings are named.
import { describe, expect, it } from 'vitest';
import { majorityAnswer, solveByVote } from '../../../src/lib/psr/vote.ts';
import { SettingsError } from '../../../src/lib/errors.ts';
import type { ModelParams } from '../../../src/lib/model/params.ts';
import type { Tokenizer } from '../../../src/lib/tokenizer/tokenizer.ts';

describe('majorityAnswer', () => {
  it('takes the most frequent answer, ignoring solutions without one', () => {
    expect(majorityAnswer([3, null, 5, 5, null, null])).toBe(5);
    expect(majorityAnswer([7])).toBe(7);
  });
  it('gives an equal count to the answer reached first, and none without answers', () => {
    expect(majorityAnswer([9, 2, 2, 9])).toBe(9);
    expect(majorityAnswer([2, 9, 9, 2])).toBe(2);
    expect(majorityAnswer([null, null])).toBeNull();
    expect(majorityAnswer([])).toBeNull();
  });
});

describe('solveByVote settings', () => {
  const none = {} as ModelParams;
  const tok = {} as Tokenizer;
  const opts = { format: 'steps' as const, temperature: 0.5, topP: 0.95, rowsPerBatch: 8, maxNewTokens: 16, seed: 1 };
  it('names a bad count and a greedy temperature before generating anything', async () => {
    await expect(solveByVote(none, tok, [], 0, opts)).rejects.toThrow(SettingsError);
    await expect(solveByVote(none, tok, [], 3, { ...opts, temperature: 0 })).rejects.toThrow(/temperature above 0/);
  });
});
