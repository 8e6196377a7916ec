// The step-wise self-rewarding search on a scripted fake model: exact pairs, scores, acceptance,
// merged duplicates, rollbacks (step 1, dropped pairs, the cap), the step cap, final steps,
// both-orders vs one-random-order judging, determinism for a seed, cancel and pause.
import { describe, expect, it } from 'vitest';
import { searchPool, searchProblem } from '../../../src/lib/psr/search.ts';
import { searchSettings, type SearchSettings } from '../../../src/lib/psr/search-config.ts';
import type { SearchEvent } from '../../../src/lib/psr/events.ts';
import { TaskController } from '../../../src/lib/psr/control.ts';
import { CancelledError, ContextFullError, StepModelError } from '../../../src/lib/errors.ts';
import type { StepModel } from '../../../src/lib/psr/step-model.ts';
import { ScriptedModel, positionJudge, rankJudge, type CandidateScript, type JudgeFn } from './fake-model.ts';

const Q = { id: 'p1', question: 'Q1' };

async function run(script: CandidateScript, judge: JudgeFn = rankJudge, over: Partial<SearchSettings> = {}, seed = 7) {
  const model = new ScriptedModel(script, judge);
  const events: SearchEvent[] = [];
  const result = await searchProblem(model, Q, searchSettings({ w: 3, ...over }), seed, { onEvent: (e) => events.push(e) });
  return { model, events, result };
}

/** Steps as a table: step → list of calls → texts. */
const table =
  (t: Record<number, string[][]>): CandidateScript =>
  (_q, step, call) => {
    const calls = t[step];
    if (!calls) throw new Error(`no script for step ${step}`);
    return calls[Math.min(call, calls.length - 1)];
  };

describe('search: pairs, scores and acceptance', () => {
  it('scores by pairwise wins, pairs best with worst, appends the best, stops at a final step', async () => {
    const { model, events, result } = await run(
      table({
        1: [['Step 1: a #2', 'Step 1: b #0', 'Step 1: c #1']],
        2: [['Step 2: The answer is 7. #2', 'Step 2: The answer is 8.', 'Step 2: The answer is 9. #1']],
      }),
    );
    expect(result.steps).toEqual(['Step 1: a #2', 'Step 2: The answer is 7. #2']);
    expect(result.finished).toBe(true);
    expect(result.stop).toBe('final');
    expect(result.finalAnswer).toBe(7);
    expect(result.pairs).toEqual([
      {
        problemId: 'p1',
        question: 'Q1',
        previousSteps: [],
        chosen: 'Step 1: a #2',
        rejected: 'Step 1: b #0',
        chosenFinal: false,
        rejectedFinal: false,
        chosenScore: 2,
        rejectedScore: 0,
        scores: [
          { text: 'Step 1: a #2', score: 2, count: 1 },
          { text: 'Step 1: b #0', score: 0, count: 1 },
          { text: 'Step 1: c #1', score: 1, count: 1 },
        ],
        stepIndex: 1,
        iteration: 1,
      },
      {
        problemId: 'p1',
        question: 'Q1',
        previousSteps: ['Step 1: a #2'],
        chosen: 'Step 2: The answer is 7. #2',
        rejected: 'Step 2: The answer is 8.',
        chosenFinal: true,
        rejectedFinal: true,
        chosenScore: 2,
        rejectedScore: 0,
        scores: [
          { text: 'Step 2: The answer is 7. #2', score: 2, count: 1 },
          { text: 'Step 2: The answer is 8.', score: 0, count: 1 },
          { text: 'Step 2: The answer is 9. #1', score: 1, count: 1 },
        ],
        stepIndex: 2,
        iteration: 1,
      },
    ]);
    expect(events.map((e) => e.type)).toEqual([
      'problem-start',
      ...['candidates', 'judgment', 'judgment', 'judgment', 'scores', 'pair', 'accept'],
      ...['candidates', 'judgment', 'judgment', 'judgment', 'scores', 'pair', 'accept'],
      'problem-end',
    ]);
    // One sampling call and one batched judge call per step; both orders: 3 pairs forward then swapped.
    expect(model.sampleCalls.map((c) => c.sampling)).toEqual([
      { temperature: 0.5, topP: 0.95 },
      { temperature: 0.5, topP: 0.95 },
    ]);
    expect(model.judgeCalls.map((c) => c.length)).toEqual([6, 6]);
    const items = model.judgeCalls[0];
    for (let i = 0; i < 3; i++) {
      expect(items[3 + i].candidateA).toBe(items[i].candidateB);
      expect(items[3 + i].candidateB).toBe(items[i].candidateA);
    }
    const first = events.find((e) => e.type === 'judgment');
    expect(first).toMatchObject({ a: 0, b: 1, pAForward: 0.9, pASwapped: 0.1 });
    expect((first as { pA: number }).pA).toBeCloseTo(0.9, 12);
    expect(result).toMatchObject({ rounds: 2, roundsWithPair: 2, rollbacks: 0, allIdentical: 0, tiedAccepts: 0 });
  });

  it('merges identical candidates: all identical → accepted with no pair, no judging, no rollback', async () => {
    const { model, events, result } = await run(
      table({ 1: [new Array(6).fill('Step 1: same #1')], 2: [new Array(6).fill('Step 2: The answer is 3.')] }),
      rankJudge,
      { w: 6 },
    );
    expect(model.judgeCalls).toEqual([]);
    expect(result.pairs).toEqual([]);
    expect(result.steps).toEqual(['Step 1: same #1', 'Step 2: The answer is 3.']);
    expect(result).toMatchObject({ allIdentical: 2, rollbacks: 0, finished: true, finalAnswer: 3 });
    const cands = events.find((e) => e.type === 'candidates');
    expect(cands).toMatchObject({ candidates: [{ text: 'Step 1: same #1', count: 6, final: false }] });
    expect(events.filter((e) => e.type === 'accept').map((e) => (e as { reason: string }).reason)).toEqual(['all-identical', 'all-identical']);
  });

  it('judges only distinct candidates and keeps their counts', async () => {
    const { model, result } = await run(
      table({ 1: [['Step 1: x #1', 'Step 1: x #1', 'Step 1: y #0', 'Step 1: z #2']], 2: [new Array(4).fill('The answer is 1.')] }),
      rankJudge,
      { w: 4 },
    );
    expect(model.judgeCalls[0]).toHaveLength(6); // 3 distinct → 3 pairs × 2 orders
    expect(result.pairs[0].scores).toEqual([
      { text: 'Step 1: x #1', score: 1, count: 2 },
      { text: 'Step 1: y #0', score: 0, count: 1 },
      { text: 'Step 1: z #2', score: 2, count: 1 },
    ]);
    expect([result.pairs[0].chosen, result.pairs[0].rejected]).toEqual(['Step 1: z #2', 'Step 1: y #0']);
  });

  it('with two distinct candidates a single pair decides', async () => {
    const { model, result } = await run(table({ 1: [['The answer is 5. #1', 'The answer is 6.', 'The answer is 6.']] }));
    expect(model.judgeCalls[0]).toHaveLength(2);
    expect(result.pairs).toHaveLength(1);
    expect(result.pairs[0]).toMatchObject({ chosen: 'The answer is 5. #1', rejected: 'The answer is 6.', chosenScore: 1, rejectedScore: 0 });
    expect(result.finalAnswer).toBe(5);
  });

  it('judges malformed candidates (empty text, no equation) like any other', async () => {
    const { model, result } = await run(table({ 1: [['', 'no equation here', 'The answer is 2. #1']] }));
    const judged = new Set(model.judgeCalls[0].flatMap((it) => [it.candidateA, it.candidateB]));
    expect(judged).toEqual(new Set(['', 'no equation here', 'The answer is 2. #1']));
    expect(result.pairs[0].chosen).toBe('The answer is 2. #1');
    expect(['', 'no equation here']).toContain(result.pairs[0].rejected);
  });
});

describe('search: rollbacks', () => {
  it('all-equal scores drop the previous step and its pair, then the step is searched again', async () => {
    const { events, result } = await run(
      table({
        1: [
          ['Step 1: s1a #1', 'Step 1: s1b #0', 'Step 1: s1b #0'],
          ['Step 1: s1c #3', 'Step 1: s1d #0', 'Step 1: s1d #0'],
        ],
        2: [
          ['Step 2: t1 #1', 'Step 2: t2 #1', 'Step 2: t2 #1'],
          ['The answer is 4. #1', 'The answer is 5. #0', 'The answer is 5. #0'],
        ],
      }),
    );
    expect(result.steps).toEqual(['Step 1: s1c #3', 'The answer is 4. #1']);
    expect(result.pairs.map((p) => [p.stepIndex, p.chosen, p.rejected])).toEqual([
      [1, 'Step 1: s1c #3', 'Step 1: s1d #0'],
      [2, 'The answer is 4. #1', 'The answer is 5. #0'],
    ]);
    expect(result).toMatchObject({ rounds: 4, roundsWithPair: 3, rollbacks: 1, droppedPairs: 1, finished: true });
    const rb = events.find((e) => e.type === 'rollback');
    expect(rb).toMatchObject({ step: 2, round: 2, droppedStep: 'Step 1: s1a #1', droppedPair: { chosen: 'Step 1: s1a #1', stepIndex: 1 } });
    const scores = events.filter((e) => e.type === 'scores');
    expect(scores[1]).toMatchObject({ allEqual: true, best: null, worst: null });
  });

  it('at step 1 there is nothing to drop: the step is re-sampled', async () => {
    const { events, result } = await run(
      table({ 1: [['u #1', 'v #1', 'v #1'], ['The answer is 9. #2', 'The answer is 8.', 'The answer is 8.']] }),
    );
    const rb = events.filter((e) => e.type === 'rollback');
    expect(rb).toHaveLength(1);
    expect(rb[0]).toMatchObject({ step: 1, droppedStep: null, droppedPair: null });
    expect(result).toMatchObject({ rollbacks: 1, droppedPairs: 0, steps: ['The answer is 9. #2'], finished: true });
    expect(result.pairs).toHaveLength(1);
  });

  it('dropping a step that was accepted as all-identical drops no pair', async () => {
    const { result } = await run(
      table({ 1: [['k #1', 'k #1', 'k #1'], ['m #1', 'm #1', 'm #1']], 2: [['t #1', 'u #1', 'u #1'], ['The answer is 1. #1', 'x', 'x']] }),
    );
    expect(result).toMatchObject({ rollbacks: 1, droppedPairs: 0, allIdentical: 2, steps: ['m #1', 'The answer is 1. #1'] });
  });

  it('a cycle of wins (every candidate scores 1) is a tie', async () => {
    const beats: Record<string, string> = { a: 'b', b: 'c', c: 'a' };
    const cycle: JudgeFn = (x, y) => (beats[x] === y ? 0.8 : beats[y] === x ? 0.2 : 0.5);
    const { events, result } = await run(table({ 1: [['a', 'b', 'c'], ['The answer is 1.', 'The answer is 1.', 'The answer is 1.']] }), cycle);
    expect(events.find((e) => e.type === 'scores')).toMatchObject({ allEqual: true, scores: [{ score: 1 }, { score: 1 }, { score: 1 }] });
    expect(result.rollbacks).toBe(1);
  });

  it('after maxRollbacks a tied step is accepted anyway (seeded choice), with no pair', async () => {
    const tie = table({ 1: [['The answer is 1. #1', 'The answer is 2. #1', 'The answer is 2. #1']] });
    const { events, result, model } = await run(tie, rankJudge, { maxRollbacks: 2 });
    expect(result).toMatchObject({ rollbacks: 2, tiedAccepts: 1, rounds: 3, finished: true });
    expect(result.pairs).toEqual([]);
    expect(model.sampleCalls).toHaveLength(3);
    const acc = events.filter((e) => e.type === 'accept');
    expect(acc).toHaveLength(1);
    expect(acc[0]).toMatchObject({ reason: 'tie-after-cap', step: 1 });
    expect(['The answer is 1. #1', 'The answer is 2. #1']).toContain(result.steps[0]);
    const none = await run(tie, rankJudge, { maxRollbacks: 0 });
    expect(none.result).toMatchObject({ rollbacks: 0, tiedAccepts: 1, rounds: 1 });
  });
});

describe('search: caps, judge order and determinism', () => {
  it('stops after maxSteps accepted steps when no step is final', async () => {
    const never: CandidateScript = (_q, step) => [`Step ${step}: x #1`, `Step ${step}: y #0`, `Step ${step}: y #0`];
    const { result } = await run(never);
    expect(result).toMatchObject({ finished: false, stop: 'max-steps', finalAnswer: null, rounds: 20 });
    expect(result.steps).toEqual(Array.from({ length: 20 }, (_, i) => `Step ${i + 1}: x #1`));
    expect(result.pairs.map((p) => p.stepIndex)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const short = await run(never, rankJudge, { maxSteps: 3 });
    expect(short.result.steps).toHaveLength(3);
  });

  it('both orders cancel a pure position bias (a tie); one random order lets it invent a preference', async () => {
    const script = table({ 1: [['The answer is 1.', 'The answer is 2.', 'The answer is 2.']] });
    const both = await run(script, positionJudge(0.8), { maxRollbacks: 1 });
    expect(both.result.pairs).toEqual([]);
    expect(both.result).toMatchObject({ rollbacks: 1, tiedAccepts: 1 });
    const chosen = new Set<string>();
    for (let seed = 0; seed < 12; seed++) {
      const one = await run(script, positionJudge(0.8), { judgeOrder: 'random' }, seed);
      expect(one.model.judgeCalls[0]).toHaveLength(1); // one order per pair
      expect(one.result.pairs).toHaveLength(1);
      const shownAsA = one.model.judgeCalls[0][0].candidateA;
      expect(one.result.pairs[0].chosen).toBe(shownAsA); // the biased judge always prefers position A
      chosen.add(one.result.pairs[0].chosen);
    }
    expect(chosen.size).toBe(2); // the seeded coin shows either candidate first
  });

  it('one random order gives an unbiased judge the same pairs as both orders, one probability per judgment', async () => {
    const script = table({ 1: [['a #2', 'b #0', 'c #1']], 2: [['The answer is 1. #1', 'z', 'z']] });
    const both = await run(script);
    const one = await run(script, rankJudge, { judgeOrder: 'random' });
    expect(one.result.pairs.map((p) => [p.chosen, p.rejected, p.scores])).toEqual(both.result.pairs.map((p) => [p.chosen, p.rejected, p.scores]));
    for (const e of one.events) {
      if (e.type === 'judgment') expect([e.pAForward, e.pASwapped].filter((x) => x === null)).toHaveLength(1);
    }
  });

  it('breaks ties for best and worst from the seed: same seed → same run, different seeds → both choices', async () => {
    const script = table({ 1: [['g1 #2', 'g2 #2', 'b1 #0', 'b2 #0']], 2: [['The answer is 1. #1', 'z', 'z', 'z']] });
    const a = await run(script, rankJudge, { w: 4 }, 3);
    const b = await run(script, rankJudge, { w: 4 }, 3);
    expect(JSON.stringify(b.events)).toBe(JSON.stringify(a.events));
    const seen = new Set<string>();
    for (let seed = 0; seed < 16; seed++) {
      const r = await run(script, rankJudge, { w: 4 }, seed);
      expect(r.result.pairs[0].chosenScore).toBe(2.5); // beats both b's, ties the other g
      seen.add(`${r.result.pairs[0].chosen}/${r.result.pairs[0].rejected}`);
    }
    expect(seen.size).toBeGreaterThan(2);
  });

  it('gives each problem its own sampling stream: a problem searches the same alone or in a pool', async () => {
    const script: CandidateScript = (_q, step) => (step < 3 ? ['s #1', 's #0', 's #2'] : ['The answer is 1.', 'The answer is 1.', 'The answer is 1.']);
    const pool = [
      { id: 'a', question: 'QA' },
      { id: 'b', question: 'QB' },
    ];
    const settings = searchSettings({ w: 3 });
    const both = await searchPool(new ScriptedModel(script, rankJudge, true), pool, settings, 11);
    const alone = await searchProblem(new ScriptedModel(script, rankJudge, true), pool[1], settings, 11);
    expect(both.results[1]).toEqual(alone);
    const again = await searchProblem(new ScriptedModel(script, rankJudge, true), pool[1], settings, 12);
    expect(JSON.stringify(again.pairs)).not.toBe(JSON.stringify(alone.pairs));
  });
});

describe('searchPool', () => {
  it('runs problems in order and reports pairs and stats', async () => {
    const script: CandidateScript = (q, step) =>
      q === 'QA'
        ? step === 1
          ? ['Step 1: a #1', 'Step 1: b #0', 'Step 1: b #0']
          : ['The answer is 3. #1', 'The answer is 4.', 'The answer is 4.']
        : ['The answer is 5.', 'The answer is 5.', 'The answer is 5.'];
    const events: SearchEvent[] = [];
    const pool = [
      { id: 'a', question: 'QA' },
      { id: 'b', question: 'QB' },
    ];
    const out = await searchPool(new ScriptedModel(script, rankJudge), pool, searchSettings({ w: 3 }), 1, { onEvent: (e) => events.push(e) });
    expect(out.pairs.map((p) => [p.problemId, p.stepIndex])).toEqual([
      ['a', 1],
      ['a', 2],
    ]);
    expect(out.stats).toEqual({
      problems: 2,
      steps: 3,
      stepsWithPair: 2,
      pairs: 2,
      droppedPairs: 0,
      rollbacks: 0,
      allIdentical: 1,
      tiedAccepts: 0,
      filteredPairs: 0,
      finished: 2,
      contextFull: 0,
      acceptedSteps: 3,
      meanStepsPerProblem: 1.5,
      pairRate: 2 / 3,
    });
    expect(events.filter((e) => e.type === 'problem-start')).toEqual([
      { type: 'problem-start', index: 0, total: 2, problemId: 'a', question: 'QA' },
      { type: 'problem-start', index: 1, total: 2, problemId: 'b', question: 'QB' },
    ]);
    expect(events[events.length - 1]).toEqual({ type: 'pool-end', stats: out.stats });
    expect(events.filter((e) => e.type === 'problem-end').map((e) => (e as { finalAnswer: number }).finalAnswer)).toEqual([3, 5]);
  });
});

describe('search: cancel, pause and a misbehaving model', () => {
  const script = table({ 1: [['a #2', 'b #0', 'c #1']], 2: [['The answer is 1. #1', 'z', 'z']] });

  it('cancel during judging stops before the scores, with CancelledError', async () => {
    const ctl = new TaskController();
    const model = new ScriptedModel(script, rankJudge);
    const events: SearchEvent[] = [];
    const p = searchProblem(model, Q, searchSettings({ w: 3 }), 1, {
      control: ctl,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'judgment') ctl.cancel();
      },
    });
    await expect(p).rejects.toThrow(CancelledError);
    await expect(p).rejects.toThrow(/after judging at step 1 of problem p1/);
    expect(events.some((e) => e.type === 'scores')).toBe(false);
    expect(model.judgeCalls).toHaveLength(1);
  });

  it('cancel after sampling stops before the judge is called; cancel before start samples nothing', async () => {
    const ctl = new TaskController();
    const model = new ScriptedModel(script, rankJudge);
    const p = searchProblem(model, Q, searchSettings({ w: 3 }), 1, { control: ctl, onEvent: (e) => e.type === 'candidates' && ctl.cancel() });
    await expect(p).rejects.toThrow(CancelledError);
    expect(model.judgeCalls).toHaveLength(0);
    const early = new ScriptedModel(script, rankJudge);
    await expect(searchProblem(early, Q, searchSettings({ w: 3 }), 1, { control: { cancelled: true } })).rejects.toThrow(CancelledError);
    expect(early.sampleCalls).toHaveLength(0);
  });

  it('pause holds the search at the next checkpoint until resumed', async () => {
    const ctl = new TaskController();
    const model = new ScriptedModel(script, rankJudge);
    const events: SearchEvent[] = [];
    const p = searchProblem(model, Q, searchSettings({ w: 3 }), 1, {
      control: ctl,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'accept') ctl.pause();
      },
    });
    await new Promise((r) => setTimeout(r, 30));
    expect(ctl.isPaused).toBe(true);
    expect(events[events.length - 1].type).toBe('accept');
    expect(model.sampleCalls).toHaveLength(1);
    ctl.resume();
    const result = await p;
    expect(result.finished).toBe(true);
    expect(model.sampleCalls).toHaveLength(2);
  });

  it('a full context ends the problem unfinished', async () => {
    const inner = new ScriptedModel((_q, step) => [`Step ${step}: a #1`, 'b', 'b'], rankJudge);
    const model: StepModel = {
      sampleSteps: (q, prev, w, s, rng) => {
        if (prev.length >= 2) throw new ContextFullError('no room');
        return inner.sampleSteps(q, prev, w, s, rng);
      },
      judge: (items) => inner.judge(items),
    };
    const events: SearchEvent[] = [];
    const result = await searchProblem(model, Q, searchSettings({ w: 3 }), 1, { onEvent: (e) => events.push(e) });
    expect(result).toMatchObject({ stop: 'context-full', finished: false, steps: ['Step 1: a #1', 'Step 2: a #1'] });
    expect(events[events.length - 1]).toMatchObject({ type: 'problem-end', stop: 'context-full' });
  });

  it('a model returning the wrong number of candidates or a bad probability gets StepModelError', async () => {
    const inner = new ScriptedModel(script, rankJudge);
    const short: StepModel = { sampleSteps: async (...a) => (await inner.sampleSteps(...a)).slice(1), judge: (i) => inner.judge(i) };
    await expect(searchProblem(short, Q, searchSettings({ w: 3 }), 1)).rejects.toThrow(/returned 2 candidates, 3 were asked for/);
    const badP: StepModel = { sampleSteps: (...a) => inner.sampleSteps(...a), judge: async (items) => items.map(() => ({ pA: 1.5 })) };
    await expect(searchProblem(badP, Q, searchSettings({ w: 3 }), 1)).rejects.toThrow(StepModelError);
    const fewVerdicts: StepModel = { sampleSteps: (...a) => inner.sampleSteps(...a), judge: async () => [] };
    await expect(searchProblem(fewVerdicts, Q, searchSettings({ w: 3 }), 1)).rejects.toThrow(/one verdict per item/);
  });
});
