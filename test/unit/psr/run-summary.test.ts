// The loop's result tables: rows per run (accuracy and judge of M1…, gain, pairs, the oracle's
// pair signal) and the mean ± sample sd per method; bad input is named.
import { describe, expect, it } from 'vitest';
import { loopTables, meanSd, runRow, type RunMetrics } from '../../../src/lib/psr/run-summary.ts';

const ev = (acc: number, judge: number) => ({ solve: { accuracy: acc }, judge: { judge_accuracy: judge, swap_consistency: 0.5 } });
function run(method: string, seed: number, accs: number[], error = false): RunMetrics {
  return {
    method,
    seed,
    start: ev(accs[0], 0.8),
    reports: accs.slice(1).map((a, i) => ({
      iteration: i + 1,
      pairs: 10 * (i + 1),
      pairQuality: { shares: { 'correct-order': 0.3, inverted: 0.1, 'both-valid': 0.3, 'both-invalid': 0.3 } },
      evaluation: ev(a, 0.8 - 0.01 * (i + 1)),
      error: error ? { name: 'NonFiniteError' } : null,
      seconds: 100,
    })),
  };
}

describe('loop result tables', () => {
  it('meanSd is the mean and the sample standard deviation', () => {
    expect(meanSd([0.2, 0.4])).toEqual({ mean: expect.closeTo(0.3, 12), sd: expect.closeTo(Math.SQRT2 * 0.1, 12), n: 2 });
    expect(meanSd([0.5])).toEqual({ mean: 0.5, sd: 0, n: 1 });
    expect(meanSd([])).toBeNull();
  });

  it('a run row lists M1…M4 and the pair signal (correct order minus inverted)', () => {
    const r = runRow(run('psr', 2, [0.2, 0.25, 0.3, 0.35]));
    expect(r.accuracy).toEqual([0.2, 0.25, 0.3, 0.35]);
    expect(r.judge.map((x) => x!.toFixed(2))).toEqual(['0.80', '0.79', '0.78', '0.77']);
    expect(r.pairs).toEqual([10, 20, 30]);
    expect(r.pairSignal.map((x) => x!.toFixed(2))).toEqual(['0.20', '0.20', '0.20']);
    expect(r.seconds).toBe(300);
    expect(r.chosenVsGreedy).toEqual([null, null, null]);
    const audited = run('psr', 2, [0.2, 0.25]);
    audited.reports[0].greedyAudit = { chosenValid: { value: 0.6 }, greedyValid: { value: 0.65 } };
    expect(runRow(audited).chosenVsGreedy).toEqual([[0.6, 0.65]]);
    expect(loopTables([runRow(audited)])).toContain('| 60.0 vs 65.0 |');
  });

  it('the tables give each run its gain and each method its mean ± sd over seeds', () => {
    const md = loopTables([run('psr', 1, [0.2, 0.3]), run('psr', 2, [0.2, 0.4]), run('srlm', 1, [0.2, 0.1])].map(runRow));
    expect(md).toContain('| psr | 1 | 20.0 | 30.0 | +10.0 |');
    expect(md).toContain('| srlm | 1 | 20.0 | 10.0 | -10.0 |');
    // psr: M2 = 35 ± 7.1, gain 15 ± 7.1 over 2 runs.
    expect(md).toContain('| psr | 2 | 20.0 ± 0.0 | 35.0 ± 7.1 | 15.0 ± 7.1 |');
  });

  it('controls get rows of their own: the oracle-judged loop and the SFT objective', () => {
    const oracle = { ...run('psr', 1, [0.2, 0.3]), judge: 'oracle' };
    const sft = { ...run('psr', 1, [0.2, 0.25]), settings: { objective: 'sft' } };
    const md = loopTables([run('psr', 1, [0.2, 0.22]), oracle, sft].map(runRow));
    expect(md).toContain('| psr | 1 | 20.0 | 22.0 |');
    expect(md).toContain('| psr · oracle judge | 1 | 20.0 | 30.0 |');
    expect(md).toContain('| psr · sft | 1 | 20.0 | 25.0 |');
  });

  it('names input that is not a run folder', () => {
    expect(() => runRow({} as RunMetrics)).toThrow(/not a metrics.json of `psr run`/);
    expect(() => loopTables([])).toThrow(/no runs to summarise/);
  });
});

describe('gain intervals', () => {
  it('a run with per-problem results gets a paired 95 % interval of M_last − M1 in the table', async () => {
    const { runRow, loopTables } = await import('../../../src/lib/psr/run-summary.ts');
    const ev = (correct: string) => ({ solve: { accuracy: [...correct].filter((c) => c === '1').length / correct.length, correct }, judge: { judge_accuracy: 0.5, swap_consistency: 0.5 } });
    const first = '0'.repeat(60) + '1'.repeat(40); // 40 %
    const last = '0'.repeat(40) + '1'.repeat(60); // 60 %: 20 problems more, none lost
    const row = runRow({ method: 'psr', seed: 1, start: ev(first), reports: [{ iteration: 1, pairs: 3, pairQuality: null, evaluation: ev(last), error: null, seconds: 1 }] });
    expect(row.gain).toBeCloseTo(0.2, 12);
    expect(row.gainInterval!.value).toBeCloseTo(0.2, 12);
    expect(row.gainInterval!.lo!).toBeGreaterThan(0.1);
    expect(row.gainInterval!.hi!).toBeLessThan(0.3);
    expect(loopTables([row])).toMatch(/\| \+20\.0 \[\+1\d\.0, \+2\d\.0\] \|/);
    // Older metrics without per-problem results: the gain alone.
    const old = runRow({ method: 'psr', seed: 2, start: { ...ev(first), solve: { accuracy: 0.4 } }, reports: [{ iteration: 1, pairs: 3, pairQuality: null, evaluation: { ...ev(last), solve: { accuracy: 0.6 } }, error: null, seconds: 1 }] });
    expect(old.gainInterval).toBeNull();
  });
});
