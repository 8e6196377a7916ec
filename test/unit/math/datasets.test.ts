// Datasets: counts, split disjointness, exact A/B balance, EFT pairs checked by the oracle,
// determinism, independence of held-out splits from training sizes, bad options.
import { describe, expect, it } from 'vitest';
import { DatasetConfigError } from '../../../src/lib/errors.ts';
import { checkStep } from '../../../src/lib/math/checker.ts';
import { buildDatasets, splitOverlaps, weightedMistakeKinds, type DatasetOptions } from '../../../src/lib/math/datasets.ts';
import { world } from './helpers.ts';

const OPTS: DatasetOptions = { seed: 11, iftCount: 90, eftCount: 61, eftTestCount: 40, testCount: 30, poolSizes: [8, 12, 16] };
const d = buildDatasets(world, OPTS);

describe('buildDatasets', () => {
  it('makes the requested counts, test problems spread evenly over difficulties', () => {
    expect(d.ift).toHaveLength(90);
    expect(d.eft).toHaveLength(61);
    expect(d.eftTest).toHaveLength(40);
    expect(d.test).toHaveLength(30);
    expect(d.pools.map((p) => p.length)).toEqual([8, 12, 16]);
    expect(Object.values(d.summary.splits.test.byDifficulty)).toEqual([5, 5, 5, 5, 5, 5]);
    expect(d.summary.splits.ift.count).toBe(90);
    expect(d.summary.splits.pool3.count).toBe(16);
  });

  it('keeps every split disjoint by question and ids unique', () => {
    expect(splitOverlaps(d)).toEqual([]);
    expect(d.summary.overlaps).toBe(0);
    const problems = [...d.test, ...d.ift, ...d.pools.flat()];
    expect(new Set(problems.map((p) => p.id)).size).toBe(problems.length);
    const eftProblems = [...d.eft, ...d.eftTest].map((e) => e.problemId);
    expect(new Set([...problems.map((p) => p.id), ...eftProblems]).size).toBe(problems.length + eftProblems.length);
    // the check itself notices a shared question
    expect(splitOverlaps({ ...d, ift: [...d.ift, d.test[0]] })).toEqual([d.test[0].question]);
  });

  it('balances A/B positions exactly and spreads wrong-step kinds', () => {
    expect(d.summary.eft.verdicts).toEqual({ A: 31, B: 30 });
    expect(d.summary.eftTest.verdicts).toEqual({ A: 20, B: 20 });
    expect(Object.keys(d.summary.eft.wrongKinds).sort()).toEqual(
      ['arithmetic_error', 'no_progress', 'premature_answer', 'unknown_quantity', 'wrong_final_answer', 'wrong_operation', 'wrong_person'],
    );
  });

  it('pairs one valid next step with one wrong step of the recorded kind (per the oracle)', () => {
    for (const e of [...d.eft, ...d.eftTest]) {
      const good = e.verdict === 'A' ? e.candidateA : e.candidateB;
      const bad = e.verdict === 'A' ? e.candidateB : e.candidateA;
      expect(checkStep(e.question, e.previousSteps, good).valid).toBe(true);
      const v = checkStep(e.question, e.previousSteps, bad);
      expect(v.valid).toBe(false);
      expect(v.kind).toBe(e.wrongKind);
      const n = e.previousSteps.length + 1;
      expect(good.startsWith(`Step ${n}: `) && bad.startsWith(`Step ${n}: `)).toBe(true);
    }
  });

  it('is deterministic, and held-out splits do not depend on training sizes', () => {
    expect(buildDatasets(world, OPTS)).toEqual(d);
    const bigger = buildDatasets(world, { ...OPTS, iftCount: 150, eftCount: 10 });
    expect(bigger.test).toEqual(d.test);
    expect(bigger.eftTest).toEqual(d.eftTest);
    expect(bigger.pools).toEqual(d.pools);
    expect(bigger.ift.slice(0, 10)).not.toEqual(buildDatasets(world, { ...OPTS, seed: 12 }).ift.slice(0, 10));
  });

  it('restricts difficulties and mistake kinds on request', () => {
    const r = buildDatasets(world, { ...OPTS, iftCount: 12, eftCount: 12, eftTestCount: 0, testCount: 4, poolSizes: [], difficulties: [2, 3], mistakeKinds: ['arithmetic_error'] });
    expect(new Set([...r.ift, ...r.test, ...r.eft].map((p) => p.difficulty))).toEqual(new Set([2, 3]));
    expect(r.summary.eft.wrongKinds).toEqual({ arithmetic_error: 12 });
  });

  it('rejects absurd options with a named error', () => {
    const bad = (o: Partial<DatasetOptions>, re: RegExp) => {
      expect(() => buildDatasets(world, { ...OPTS, ...o })).toThrow(DatasetConfigError);
      expect(() => buildDatasets(world, { ...OPTS, ...o })).toThrow(re);
    };
    bad({ iftCount: -1 }, /iftCount must be a whole number >= 0/);
    bad({ testCount: 2.5 }, /testCount/);
    bad({ iftCount: 10_000_000 }, /above the limit/);
    bad({ difficulties: [0] }, /difficulties must be levels from 1 to 6/);
    bad({ mistakeKinds: [] }, /mistakeKinds/);
    bad({ poolSizes: [-3] }, /poolSizes\[0\]/);
    bad({ trainingRound: -1 }, /trainingRound must be a whole number from 0 to 1000/);
    bad({ trainingRound: 1.5 }, /trainingRound/);
    bad({ trainingDifficulties: [7] }, /trainingDifficulties must be levels from 1 to 6/);
    bad({ trainingDifficulties: [] }, /trainingDifficulties/);
  });

  it('draws the training splits afresh in a later training round, every held-out split and pool unchanged', () => {
    expect(buildDatasets(world, { ...OPTS, trainingRound: 0 })).toEqual(d);
    const r1 = buildDatasets(world, { ...OPTS, trainingRound: 1 });
    expect(r1.test).toEqual(d.test);
    expect(r1.eftTest).toEqual(d.eftTest);
    expect(r1.pools).toEqual(d.pools);
    expect(splitOverlaps(r1)).toEqual([]);
    expect(r1.ift).toHaveLength(90);
    expect(r1.eft).toHaveLength(61);
    // Another stream: most questions are new (small questions may repeat by chance).
    const seen = new Set([...d.ift, ...d.eft].map((p) => p.question));
    const repeats = [...r1.ift, ...r1.eft].filter((p) => seen.has(p.question)).length;
    expect(repeats).toBeLessThan(0.2 * (r1.ift.length + r1.eft.length));
    expect(buildDatasets(world, { ...OPTS, trainingRound: 2 }).ift).not.toEqual(r1.ift);
  });

  it('weighs the training splits toward the levels asked (a curriculum), every held-out split and pool unchanged', () => {
    const c = buildDatasets(world, { ...OPTS, trainingDifficulties: [3, 4, 4] });
    expect(c.test).toEqual(d.test);
    expect(c.eftTest).toEqual(d.eftTest);
    expect(c.pools).toEqual(d.pools);
    expect(splitOverlaps(c)).toEqual([]);
    expect(c.summary.splits.ift.byDifficulty).toEqual({ 3: 30, 4: 60 });
    expect(new Set(c.eft.map((e) => e.difficulty))).toEqual(new Set([3, 4]));
    expect(c.eft.filter((e) => e.difficulty === 4).length).toBeGreaterThan(c.eft.filter((e) => e.difficulty === 3).length);
  });
});

describe('a weighted mistake mix for the EFT training split', () => {
  it('weightedMistakeKinds repeats a kind by its weight, interleaved, and names bad input', () => {
    const kinds = weightedMistakeKinds({ arithmetic_error: 3, premature_answer: 0 });
    expect(kinds.filter((k) => k === 'arithmetic_error')).toHaveLength(3);
    expect(kinds).not.toContain('premature_answer');
    expect(kinds.slice(0, 6)).toEqual(['arithmetic_error', 'unknown_quantity', 'wrong_operation', 'wrong_person', 'no_progress', 'wrong_final_answer']);
    expect(() => weightedMistakeKinds({ typo: 2 } as never)).toThrow(/unknown mistake kind "typo"/);
    expect(() => weightedMistakeKinds({ no_progress: 1.5 })).toThrow(DatasetConfigError);
    expect(() =>
      weightedMistakeKinds({ arithmetic_error: 0, unknown_quantity: 0, wrong_operation: 0, wrong_person: 0, no_progress: 0, wrong_final_answer: 0, premature_answer: 0 }),
    ).toThrow(/every mistake kind has weight 0/);
  });

  it('changes only the training EFT: every held-out split and the IFT split stay as in the default build', () => {
    const mixed = buildDatasets(world, { ...OPTS, eftMistakeKinds: weightedMistakeKinds({ arithmetic_error: 4 }) });
    expect(mixed.test).toEqual(d.test);
    expect(mixed.eftTest).toEqual(d.eftTest);
    expect(mixed.pools).toEqual(d.pools);
    expect(mixed.ift).toEqual(d.ift);
    expect(splitOverlaps(mixed)).toEqual([]);
    const share = (list: { wrongKind: string }[]) => list.filter((e) => e.wrongKind === 'arithmetic_error').length / list.length;
    expect(share(mixed.eft)).toBeGreaterThan(0.35); // 4 of 9 in the rotation
    expect(share(d.eft)).toBeLessThan(0.25); // 1 of 6
  });
});
