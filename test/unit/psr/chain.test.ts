// The recorded chain: built from `psr run` metrics (runs on one evaluation set, per-problem results
// kept), checked field by field with named errors, summarised per method (mean ± sd, pooled paired
// gain), compared between methods seed by seed, and compared with a live re-evaluation.
import { describe, expect, it } from 'vitest';
import {
  buildChain, chainTables, chainView, checkSubset, compareWithRecord, methodDifference, parseChain, summariseChain, CHAIN_FORMAT, type ChainRunMetrics,
} from '../../../src/lib/psr/chain.ts';

const bits = (xs: number[]) => xs.join('');
function ev(correct: string) {
  const acc = [...correct].filter((c) => c === '1').length / correct.length;
  return { solve: { accuracy: acc, accuracy_by_difficulty: { '2': acc }, correct }, judge: { judge_accuracy: 0.8, swap_consistency: 0.6 } };
}
function metrics(method: string, seed: number, correct: string[], objective: 'sft' | 'dpo' = 'sft', problems = correct[0].length): ChainRunMetrics {
  return {
    method,
    seed,
    dataset_seed: 1,
    eval_problems: problems,
    eval_pairs: 50,
    settings: { objective, evalDifficulties: [2, 3, 4] },
    command: `npm run psr -- run --seed ${seed}`,
    start: ev(correct[0]),
    reports: correct.slice(1).map((c, i) => ({
      pairs: 100 + i,
      trainedPairs: 40 + i,
      pairQuality: { shares: { 'correct-order': 0.3, inverted: 0.1 } },
      greedyAudit: i === 0 ? { pairs: 40, chosenValid: { value: 0.6 }, greedyValid: { value: 0.65 }, advantage: { lo: -0.1, hi: 0.02 } } : null,
      evaluation: ev(c),
      seconds: 60,
    })),
  };
}
const M1 = bits([1, 0, 1, 0, 0, 1, 0, 0]);
const psr = [
  metrics('psr', 1, [M1, bits([1, 1, 1, 0, 0, 1, 0, 0]), bits([1, 1, 1, 1, 0, 1, 0, 0])]),
  metrics('psr', 2, [M1, bits([1, 0, 1, 0, 0, 1, 0, 0]), bits([1, 1, 1, 0, 0, 1, 0, 1])]),
];
const srlm = [metrics('srlm', 1, [M1, bits([1, 0, 1, 0, 0, 0, 0, 0]), bits([1, 0, 0, 0, 0, 1, 0, 0])], 'dpo')];
const IDS = Array.from({ length: 8 }, (_, i) => `d2-${i}`);
const ADAPTER = { path: 'adapter-M3', label: 'psr · sft', seed: 1, model: 'M3' };

describe('the recorded chain', () => {
  it('keeps every model of every run with its per-problem results, pairs and command', () => {
    const c = buildChain([...psr, ...srlm], { summary: 'test', adapter: ADAPTER, problemIds: IDS });
    expect(c.format).toBe(CHAIN_FORMAT);
    expect(c.evalSet).toEqual({ datasetSeed: 1, problems: 8, difficulties: [2, 3, 4], judgePairs: 50, problemIds: IDS });
    expect(c.runs.map((r) => `${r.label}/${r.seed}`)).toEqual(['psr · sft/1', 'psr · sft/2', 'srlm/1']);
    expect(c.runs[0].models.map((m) => m.label)).toEqual(['M1', 'M2', 'M3']);
    expect(c.runs[0].models[2].correct).toBe('11110100');
    expect(c.runs[0].trainedPairs).toEqual([40, 41]);
    expect(c.runs[0].chosenVsGreedy).toEqual([{ chosen: 0.6, greedy: 0.65, lo: -0.1, hi: 0.02, pairs: 40 }, null]);
    expect(c.runs[0].pairSignal.map((x) => x!.toFixed(2))).toEqual(['0.20', '0.20']);
    expect(c.runs[1].command).toContain('--seed 2');
    expect(c.runs.map((r) => r.name)).toEqual(['PSR · SFT', 'PSR · SFT', 'SRLM · step-DPO']);
    expect(c.runs[2].about).toMatch(/^4 whole solutions per problem, scored by the model itself/);
    // A round trip through JSON parses back to the same record.
    expect(parseChain(JSON.parse(JSON.stringify(c)))).toEqual(c);
  });

  it('summarises a method: mean ± sd per model and the pooled paired gain M_last − M1', () => {
    const [p, s] = summariseChain(buildChain([...psr, ...srlm], { summary: '', adapter: null, problemIds: IDS }));
    expect(p.label).toBe('psr · sft');
    expect(p.seeds).toEqual([1, 2]);
    expect(p.models).toEqual(['M1', 'M2', 'M3']);
    expect(p.accuracy[0]).toMatchObject({ mean: 3 / 8, sd: 0 });
    expect(p.accuracy[2]!.mean).toBeCloseTo(5 / 8, 12);
    // Per problem the mean over seeds of (M3 − M1): +1 at problem 1, +½ at 3 and at 7 → 2 / 8.
    expect(p.gain.gain.value!).toBeCloseTo(2 / 8, 12);
    expect(p.gain.gain.lo!).toBeLessThanOrEqual(p.gain.gain.value!);
    expect(p.gain.gain.hi!).toBeGreaterThanOrEqual(p.gain.gain.value!);
    expect(s.gain.gain.value!).toBeCloseTo(-1 / 8, 12);
  });

  it('compares two methods at their last model seed by seed (seeds only one has are left out)', () => {
    const c = buildChain([...psr, ...srlm], { summary: '', adapter: null, problemIds: IDS });
    const d = methodDifference(c, 'psr · sft', 'srlm')!;
    expect(d.seeds).toBe(1);
    // psr seed 1 M3 11110100 vs srlm seed 1 M3 10000100: +3 / 8.
    expect(d.gain.value!).toBeCloseTo(3 / 8, 12);
    expect(methodDifference(c, 'psr · sft', 'nothing')).toBeNull();
    // The view the engine hands the page: the same summaries, the difference under the variants' names.
    const v = chainView(c);
    expect(v.methods.map((m) => m.name)).toEqual(['PSR · SFT', 'SRLM · step-DPO']);
    expect(v.differences).toEqual([{ a: 'PSR · SFT', b: 'SRLM · step-DPO', d }]);
  });

  it('prints the pooled change per method with its interval, per level, and the difference between methods', () => {
    const md = chainTables(buildChain([...psr, ...srlm], { summary: '', adapter: null, problemIds: IDS }));
    expect(md).toContain('| PSR · SFT | 1, 2 | +25.0 [');
    expect(md).toContain('| SRLM · step-DPO | 1 | -12.5 [');
    expect(md).toContain('37.5 → 62.5');
    expect(md).toMatch(/PSR · SFT − SRLM · step-DPO at the last model: \+37\.5 \[.*\] \(1 seed paired\)/);
    expect(md).toContain("- PSR · SFT: 6 candidate steps per step, the model judges them pairwise, in both orders; the best and worst of each step form a pair; trains on the chosen side's likelihood only");
  });

  it('refuses runs on other problems, runs without per-problem results, and broken records, by name', () => {
    const other = metrics('psr', 3, [bits([1, 0, 1, 0]), bits([1, 1, 1, 0])]);
    expect(() => buildChain([psr[0], other], { summary: '', adapter: null, problemIds: IDS })).toThrow(/ImportError|other problems/);
    const old = metrics('psr', 3, [M1, M1]);
    delete (old.reports[0].evaluation!.solve as { correct?: string }).correct;
    expect(() => buildChain([old], { summary: '', adapter: null, problemIds: IDS })).toThrowError(expect.objectContaining({ name: 'ImportError', message: expect.stringMatching(/per-problem/) }));
    const good = buildChain(psr, { summary: '', adapter: ADAPTER, problemIds: IDS });
    const broken = (edit: (c: Record<string, unknown>) => void) => {
      const c = JSON.parse(JSON.stringify(good));
      edit(c);
      return () => parseChain(c);
    };
    expect(broken((c) => (c.format = 'other/1'))).toThrowError(expect.objectContaining({ name: 'ImportError' }));
    expect(broken((c) => ((c.evalSet as { problemIds: string[] }).problemIds = ['a']))).toThrow(/problemIds/);
    expect(broken((c) => ((c.runs as { models: { correct: string }[] }[])[0].models[1].correct = '1101'))).toThrow(/one "0"\/"1" per evaluation problem/);
    expect(broken((c) => ((c.runs as { models: { label: string }[] }[])[0].models[1].label = 'M7'))).toThrow(/labelled/);
    expect(broken((c) => ((c.runs as { pairs: number[] }[])[0].pairs = [1]))).toThrow(/pairs needs one entry per iteration/);
    expect(broken((c) => ((c.runs as { chosenVsGreedy: unknown[] }[])[0].chosenVsGreedy = [{ chosen: 'x' }, null]))).toThrow(/chosenVsGreedy/);
    expect(broken((c) => ((c.adapter as { path: string }).path = '../x'))).toThrow(/relative path/);
    expect(broken((c) => ((c.adapter as { model: string }).model = 'M9'))).toThrow(/not among the runs/);
    expect(() => parseChain(null)).toThrow(/not a JSON object/);
  });

  it('a live re-evaluation is compared with the record on the same problems', () => {
    expect(checkSubset(8, 20)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(checkSubset(8, 4)).toEqual([0, 2, 4, 6]);
    const r = compareWithRecord('11110100', [0, 2, 4, 6], [true, false, false, false]);
    expect(r).toEqual({ same: 3, n: 4, recordedAccuracy: 0.5, liveAccuracy: 0.25 });
    expect(() => compareWithRecord('1111', [0, 1], [true])).toThrowError(expect.objectContaining({ name: 'ImportError' }));
  });
});
