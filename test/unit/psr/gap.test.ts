// The generation–verification gap: rounds graded by the oracle after the model decided. A judge
// that prefers the valid step picks it every time and makes only right-ordered pairs; a judge that
// prefers the wrong one inverts every pair; a position-only judge ties everything (a uniform pick).
// Bootstrap intervals are reproducible and contain the value.
import { describe, expect, it } from 'vitest';
import { defaultWorldConfig } from '../../../src/lib/math/config.ts';
import { generateProblems } from '../../../src/lib/math/generator.ts';
import { checkStep } from '../../../src/lib/math/checker.ts';
import { firstWrongPrefix, gapMetrics, measureRound, type GapRound } from '../../../src/lib/psr/gap.ts';
import { bootstrapMean } from '../../../src/lib/psr/intervals.ts';
import { searchSettings } from '../../../src/lib/psr/search-config.ts';
import { ScriptedModel, positionJudge } from './fake-model.ts';

const problems = generateProblems(defaultWorldConfig(), { seed: 5, count: 8, difficulty: 2 });
/** A wrong version of a reference step: its result off by one. */
const wrong = (step: string) => step.replace(/= (\d+)/, (_, n) => `= ${Number(n) + 1}`);
const settings = searchSettings({ w: 4 });

/** 1 valid and 3 invalid samples at step 1 of each problem. */
const script = (question: string) => {
  const p = problems.find((x) => x.question === question)!;
  return [p.steps[0], wrong(p.steps[0]), wrong(p.steps[0]), wrong(wrong(p.steps[0]))];
};
const byValidity = (preferValid: boolean) => (a: string, b: string, item: { question: string; previousSteps: string[] }) => {
  const va = checkStep(item.question, item.previousSteps, a).valid;
  const vb = checkStep(item.question, item.previousSteps, b).valid;
  if (va === vb) return 0.5;
  return va === preferValid ? 0.9 : 0.1;
};

async function rounds(judge: (a: string, b: string, item: never) => number): Promise<GapRound[]> {
  const model = new ScriptedModel((q) => script(q), judge as never);
  const out: GapRound[] = [];
  for (const p of problems) out.push((await measureRound(model, p, [], 'reference', settings, `t:${p.id}`))!);
  return out;
}

describe('the gap on scripted samples', () => {
  it('the reference steps are valid and the scripted wrong ones are not (the fixture is sound)', () => {
    for (const p of problems) {
      expect(checkStep(p.question, [], p.steps[0]).valid).toBe(true);
      expect(checkStep(p.question, [], wrong(p.steps[0])).valid).toBe(false);
    }
  });

  it('a judge that prefers valid steps: pick 1, random 1/4, every pair right-ordered', async () => {
    const m = gapMetrics(await rounds(byValidity(true)));
    expect(m.rounds).toBe(8);
    expect(m.validShare.value).toBe(0.25);
    expect(m.anyValidShare.value).toBe(1);
    expect(m.mixedRounds).toBe(8);
    expect(m.judgeValidPick.value).toBe(1);
    expect(m.randomValidPick.value).toBe(0.25);
    expect(m.pairSignal.value).toBe(1);
  });

  it('a judge that prefers wrong steps inverts every pair', async () => {
    const m = gapMetrics(await rounds(byValidity(false)));
    expect(m.judgeValidPick.value).toBe(0);
    expect(m.pairSignal.value).toBe(-1);
  });

  it('a position-only judge ties everything: a uniform pick among the distinct candidates, no pairs', async () => {
    const r = await rounds(positionJudge(0.7) as never);
    expect(r.every((x) => x.bestValid === null && x.tiePickValid === 1 / 3)).toBe(true); // 1 valid of 3 distinct
    const m = gapMetrics(r);
    expect(m.judgeValidPick.value).toBeCloseTo(1 / 3, 12);
    expect(m.pairRounds).toBe(0);
    expect(m.pairSignal.value).toBeNull();
  });

  it('first wrong prefix: the steps before greedy\'s first invalid one; null when greedy solved it', () => {
    const p = problems[0];
    expect(firstWrongPrefix(p, p.steps)).toBeNull();
    expect(firstWrongPrefix(p, [p.steps[0], wrong(p.steps[1])])).toEqual([p.steps[0]]);
    expect(firstWrongPrefix(p, [p.steps[0]])).toEqual([p.steps[0]]); // stopped early: the next step is missing
  });
});

describe('bootstrap intervals', () => {
  it('are reproducible for a seed and contain the value', () => {
    const groups = Array.from({ length: 40 }, (_, i) => [i % 3 === 0 ? 1 : 0, 1] as [number, number]);
    const a = bootstrapMean(groups, 7);
    expect(a).toEqual(bootstrapMean(groups, 7));
    expect(a.value).toBeCloseTo(14 / 40, 12);
    expect(a.lo!).toBeLessThan(a.value!);
    expect(a.hi!).toBeGreaterThan(a.value!);
    expect(a.hi! - a.lo!).toBeLessThan(0.4);
    expect(bootstrapMean([], 1).value).toBeNull();
  });
});

describe('psr gap', () => {
  it('measures a model folder: tables per difficulty, selection beside greedy on the same problems; the lookahead judge and eval --vote too', async () => {
    const { microModelDir } = await import('../engine/micro-model-dir.ts');
    const { runCli } = await import('../../../src/cli/cli.ts');
    const { captureIo } = await import('../../util/cli-io.ts');
    const { rm } = await import('node:fs/promises');
    const dir = await microModelDir();
    try {
      const io = captureIo();
      const code = await runCli(['gap', '--model', dir, '--difficulties', '1-2', '--per-difficulty', '2', '--w', '3', '--max-steps', '2', '--select', '--reference', '--backend', 'wasm', '--json'], io);
      expect(code, io.stderr).toBe(0);
      const r = JSON.parse(io.stdout);
      expect(r.problems).toBe(4);
      expect(r.difficulties).toEqual([1, 2]);
      expect(r.tables.map((t: { place: string }) => t.place)).toEqual(['first-wrong', 'reference']);
      // Reference steps: difficulty 1 has one step, difficulty 2 two: 2·1 + 2·2 rounds.
      expect(r.tables[1].overall.rounds).toBe(6);
      expect(Object.keys(r.tables[1].byDifficulty)).toEqual(['1', '2']);
      expect(r.selection.byDifficulty['1'].problems).toBe(2);
      expect(r.command).toContain('gap --model');
      // The experimental lookahead judge on the same problems: recorded in the result and its command.
      const la = captureIo();
      expect(await runCli(['gap', '--model', dir, '--difficulties', '1', '--per-difficulty', '2', '--w', '3', '--max-steps', '2', '--select', '--lookahead', '2', '--backend', 'wasm', '--json'], la), la.stderr).toBe(0);
      const l = JSON.parse(la.stdout);
      expect(l.judge.lookahead.rollouts).toBe(2);
      expect(r.judge).toEqual({ pairwise: 'check' });
      expect(l.command).toContain('--lookahead 2');
      expect(l.selection.byDifficulty['1'].problems).toBe(2);
      // Majority vote of sampled solutions against greedy, on the same problems.
      const ev = captureIo();
      expect(await runCli(['eval', '--model', dir, '--eval-problems', '4', '--no-judge', '--vote', '3', '--backend', 'wasm', '--json'], ev), ev.stderr).toBe(0);
      const v = JSON.parse(ev.stdout).vote;
      expect(v).toMatchObject({ k: 3, problems: 4 });
      for (const key of ['accuracy', 'greedy_accuracy', 'any_correct']) expect(v[key].value).toBeGreaterThanOrEqual(0), expect(v[key].value).toBeLessThanOrEqual(1);
      expect(v.difference.value).toBeCloseTo(v.accuracy.value - v.greedy_accuracy.value, 12);
      expect(v.any_correct.value).toBeGreaterThanOrEqual(v.accuracy.value);
      const bad = captureIo();
      expect(await runCli(['gap', '--model', dir, '--difficulties', '7'], bad)).toBe(2);
      expect(bad.stderr).toMatch(/level 7 is not in the model's world/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('pools around the frontier', () => {
  it('a quarter below, half at, a quarter above the frontier, clipped to the world', async () => {
    const { frontierMix, planLoop } = await import('../../../src/lib/psr/plan.ts');
    const { presetSettings } = await import('../../../src/lib/settings/table.ts');
    expect(frontierMix([3, 3], 6)).toEqual([2, 3, 3, 4]);
    expect(frontierMix([2, 3], 6)).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);
    expect(frontierMix([1, 1], 6)).toEqual([1, 1, 2]);
    expect(frontierMix([6, 6], 6)).toEqual([5, 6, 6]);
    const s = { ...presetSettings('demo'), problems: 40 };
    const plan = planLoop(s, { firstIteration: 1, iterations: 1, frontier: [3, 3] });
    expect(plan.poolDifficulties).toEqual([2, 3, 3, 4]);
    const count = (d: number) => plan.loop.pools[0].filter((p) => p.difficulty === d).length;
    expect([count(2), count(3), count(4)]).toEqual([10, 20, 10]);
    // An explicit setting wins over the frontier; without either, every level.
    expect(planLoop({ ...s, difficulties: [5] }, { firstIteration: 1, iterations: 1, frontier: [3, 3] }).poolDifficulties).toEqual([5]);
    expect(planLoop(s, { firstIteration: 1, iterations: 1 }).poolDifficulties).toBeNull();
    // Evaluation at the frontier: only those levels of the held-out problems, still an even spread.
    const atFrontier = planLoop({ ...s, evalDifficulties: [2, 3, 4], evalProblems: 60 }, { firstIteration: 1, iterations: 1, frontier: [3, 3] });
    expect(atFrontier.eval.test).toHaveLength(60);
    expect(new Set(atFrontier.eval.test.map((p) => p.difficulty))).toEqual(new Set([2, 3, 4]));
    expect(planLoop(s, { firstIteration: 1, iterations: 1 }).eval.test.map((p) => p.difficulty)).toContain(6);
    expect(() => planLoop({ ...s, evalDifficulties: [7] }, { firstIteration: 1, iterations: 1 })).toThrow(/Evaluation difficulties: level 7 is not in the model's world/);
  });
});

describe('the pair filter', () => {
  it('keeps a pair only when best beat worst in both orders by more than the margin', async () => {
    const { pairPassesFilter } = await import('../../../src/lib/psr/step-scoring.ts');
    const j = (a: number, b: number, fwd: number, swp: number) => ({ a, b, pA: (fwd + 1 - swp) / 2, pAForward: fwd, pASwapped: swp });
    const sure = [j(0, 1, 0.9, 0.1)]; // 0 beats 1 in both orders, P = 0.9
    expect(pairPassesFilter(sure, 0, 1, 0.3)).toBe(true);
    expect(pairPassesFilter(sure, 0, 1, 0.45)).toBe(false); // margin not reached
    const disagree = [j(0, 1, 0.9, 0.7)]; // forward: 0 wins; swapped: A = 1 wins too — position bias
    expect(pairPassesFilter(disagree, 0, 1, 0.05)).toBe(false);
    expect(pairPassesFilter(disagree, 0, 1, 0)).toBe(true); // margin 0: every pair
    const flipped = [j(1, 0, 0.2, 0.8)]; // judged as (1, 0): 0 (best) wins in both orders
    expect(pairPassesFilter(flipped, 0, 1, 0.2)).toBe(true);
  });

  it('the search keeps the step but not an unsure pair, and counts it; gap reports the kept pairs', async () => {
    const { searchProblem } = await import('../../../src/lib/psr/search.ts');
    const p = problems[0];
    // A judge that barely prefers valid steps (P 0.55): the pairs fail a 0.2 margin.
    const weak = (a: string, b: string, item: { question: string; previousSteps: string[] }) => 0.5 + (byValidity(true)(a, b, item) - 0.5) / 8;
    const model = new ScriptedModel((q, step, _c, prev) => {
      const x = problems.find((y) => y.question === q)!;
      const ref = x.steps[prev.length] ?? x.steps.at(-1)!;
      return [ref, wrong(ref), wrong(ref), wrong(wrong(ref))];
    }, weak as never);
    const open = await searchProblem(model, p, searchSettings({ w: 4 }), 1);
    const filtered = await searchProblem(model, p, searchSettings({ w: 4, pairMargin: 0.2 }), 1);
    expect(open.pairs.length).toBeGreaterThan(0);
    expect(filtered.pairs).toHaveLength(0);
    expect(filtered.filteredPairs).toBe(open.pairs.length);
    expect(filtered.steps).toEqual(open.steps); // the same best steps were appended
    const m = gapMetrics([(await measureRound(model, p, [], 'reference', searchSettings({ w: 4, pairMargin: 0.2 }), 'x'))!]);
    expect(m.pairRounds).toBe(1);
    expect(m.keptPairs).toBe(0);
  });
});

describe('settings sweep', () => {
  it('rescoring a round with its own settings gives the round; a larger margin keeps fewer pairs', async () => {
    const { rescoreRound, sweepRounds } = await import('../../../src/lib/psr/gap.ts');
    const weak = (a: string, b: string, item: { question: string; previousSteps: string[] }) => 0.5 + (byValidity(true)(a, b, item) - 0.5) / 8;
    const model = new ScriptedModel((q) => script(q), weak as never);
    const rs: GapRound[] = [];
    for (const p of problems) rs.push((await measureRound(model, p, [], 'reference', settings, `s:${p.id}`))!);
    for (const r of rs) expect(rescoreRound(r, settings)).toEqual(r);
    const rows = sweepRounds(rs, [1e-9, 0.1], [0, 0.2]);
    expect(rows.map((r) => [r.tieThreshold, r.pairMargin])).toEqual([[1e-9, 0], [1e-9, 0.2], [0.1, 0], [0.1, 0.2]]);
    expect(rows[0].metrics.keptPairs).toBe(8);
    expect(rows[1].metrics.keptPairs).toBe(0); // P = 0.55: not sure enough for a 0.2 margin
    // A tie threshold above the judge's margin makes every verdict a tie: no pairs at all.
    expect(rows[2].metrics.pairRounds).toBe(0);
  });
});
