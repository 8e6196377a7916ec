// Importing exported results: the metrics.json of the zip export reads back as the same
// iterations; a file that is not JSON, has no iterations, belongs to another model, has a bad field
// or a broken chain of models is an ImportError that names what is wrong.
import { describe, expect, it } from 'vitest';
import { strFromU8, unzipSync } from 'fflate';
import { exportBundle } from '../../../src/ui/state/export-bundle.ts';
import { parseResultsJson } from '../../../src/ui/state/results-import.ts';
import type { IterationRecord } from '../../../src/ui/state/saved-work.ts';
import { ImportError } from '../../../src/lib/errors.ts';

const evaluation = (acc: number) =>
  ({ solve: { accuracy: acc, problems: 4, correct: '0110' }, judge: { judge_accuracy: 0.75, swap_consistency: 0.5 } }) as unknown as IterationRecord['before'];
const quality = { pairs: 5, counts: { 'correct-order': 2, 'both-valid': 1, 'both-invalid': 2, inverted: 0 }, shares: {} } as unknown as IterationRecord['pairQuality'];
const first: IterationRecord = {
  from: 'M1', to: 'M2', finished: '2026-12-02T17:00:00.000Z', before: evaluation(0.5), after: evaluation(0.75), pairs: 5,
  pairQuality: quality, ownPairs: { before: 0.4, after: 0.6 }, seconds: 31.2, failed: false,
};
const second: IterationRecord = { ...first, from: 'M2', to: 'M3', finished: '2026-12-02T17:05:00.000Z', before: evaluation(0.75), pairs: 0, pairQuality: null, ownPairs: null, failed: true };

async function exported(history: IterationRecord[]): Promise<string> {
  const files = unzipSync(await exportBundle({ label: 'M2', modelName: 'psr-tiny', pairsJsonl: null, history, adapter: [] }));
  return strFromU8(files['psr-lab-psr-tiny-M2/metrics.json']);
}

const edited = (history: unknown[]) => JSON.stringify({ model: 'psr-tiny', label: 'M3', iterations: history });

describe('parseResultsJson', () => {
  it('reads back what the zip export wrote', async () => {
    expect(parseResultsJson(await exported([first, second]), 'psr-tiny')).toEqual([first, second]);
    expect(parseResultsJson(await exported([]), 'psr-tiny')).toEqual([]);
  });

  it('names a file that is not results of this model', async () => {
    expect(() => parseResultsJson('{"iterations": [', 'psr-tiny')).toThrow(/not JSON/);
    expect(() => parseResultsJson('{"runs": []}', 'psr-tiny')).toThrow(/no "iterations" list/);
    const other = await exported([first]);
    expect(() => parseResultsJson(other, 'psr-small')).toThrow(ImportError);
    expect(() => parseResultsJson(other, 'psr-small')).toThrow(/of the model "psr-tiny" and this page runs "psr-small"/);
  });

  it.each([
    ['to', { ...first, to: 'two' }, /iteration 1 .*"to" must be a model name/],
    ['finished', { ...first, finished: 'yesterday' }, /"finished" must be a date/],
    ['pairs', { ...first, pairs: -1 }, /"pairs" must be a whole number/],
    ['seconds', { ...first, seconds: 'NaN' }, /"seconds" must be a number/],
    ['failed', { ...first, failed: 'no' }, /"failed" must be true or false/],
    ['ownPairs', { ...first, ownPairs: { before: 2, after: 0.5 } }, /"ownPairs" must be null or/],
    ['pairQuality', { ...first, pairQuality: { pairs: 5, counts: { inverted: 1 } } }, /"pairQuality" must be null or/],
    ['accuracy', { ...first, after: { ...evaluation(0.5), solve: { accuracy: 1.5, problems: 4, correct: '0110' } } }, /"after.solve.accuracy" must be a share/],
    ['correct', { ...first, before: { ...evaluation(0.5), solve: { accuracy: 0.5, problems: 4, correct: 'yes' } } }, /"before.solve.correct" must be a string of 0s and 1s/],
    ['judge', { ...first, before: { solve: { accuracy: 0.5, problems: 4, correct: '01' }, judge: {} } }, /"before.judge.judge_accuracy"/],
  ])('names a bad field: %s', (_name, record, message) => {
    expect(() => parseResultsJson(edited([record]), 'psr-tiny')).toThrow(message);
  });

  it('refuses iterations that do not follow each other (a failed one leaves its from)', () => {
    expect(() => parseResultsJson(edited([first, { ...second, from: 'M3', to: 'M4' }]), 'psr-tiny')).toThrow(/iteration 2 starts from M3, but the one before it left M2/);
    const third = { ...second, finished: '2026-12-02T17:09:00.000Z', failed: false };
    expect(parseResultsJson(edited([first, second, third]), 'psr-tiny')).toHaveLength(3);
    expect(() => parseResultsJson(edited([first, second, { ...third, from: 'M3' }]), 'psr-tiny')).toThrow(/left M2/);
  });
});
