// The real-model tier end to end in Node, on the scripted engine that implements WebLLM's
// MLCEngineInterface: the shared search drives WebLlmStepModel (raw completions with n = w for the
// candidates, one chat completion per ordered pair for the verdicts), verdicts are parsed (a cut-off
// reply is a tie, shown as 'none'), the judge-quality table is computed against gold, the pairs
// export through the tiny tier's Step-DPO writer, and the engine's token usage is counted.
import { describe, expect, it } from 'vitest';
import { ScriptedEngine } from '../../../src/lib/webllm/scripted-engine.ts';
import { QWEN2_TEMPLATE, SCRIPTED_PROBLEMS } from '../../../src/lib/webllm/scripted-script.ts';
import { WebLlmStepModel } from '../../../src/lib/webllm/webllm-step-model.ts';
import { runRealSearch, judgeQuality } from '../../../src/lib/webllm/real-run.ts';
import { searchSettings } from '../../../src/lib/psr/search-config.ts';
import { pairsToJsonl, parsePairsJsonl } from '../../../src/lib/psr/pairs.ts';
import type { SearchEvent } from '../../../src/lib/psr/events.ts';
import { createRng } from '../../../src/lib/math/rng.ts';

const MODEL = 'Qwen2.5-Math-1.5B-Instruct-q4f32_1-MLC';
const problems = SCRIPTED_PROBLEMS.map((p, i) => ({ id: `s${i}`, question: p.question, gold: p.gold }));

async function loaded(opts: ConstructorParameters<typeof ScriptedEngine>[0] = {}) {
  const engine = new ScriptedEngine(opts);
  await engine.reload(MODEL);
  return { engine, model: new WebLlmStepModel(engine, MODEL, QWEN2_TEMPLATE) };
}

describe('WebLlmStepModel on the scripted engine', () => {
  it('samples w candidate steps in one raw completion, each starting "Step k:", with log-probs', async () => {
    const { engine, model } = await loaded();
    const steps = await model.sampleSteps(problems[0].question, [], 6, { temperature: 0.5, topP: 0.95 }, createRng(1));
    expect(steps).toHaveLength(6);
    for (const s of steps) {
      expect(s.text).toMatch(/^Step 1: \S/);
      expect(s.tokenLogprobs.length).toBeGreaterThan(0);
      expect(s.final).toBe(false);
    }
    expect(engine.log).toEqual([{ kind: 'completion', n: 6, promptTokens: expect.any(Number) }]);
    // The engine prefills the prompt once per choice: the usage counts it six times, as the probe measures.
    const probe = await model.measurePrefill(problems[0].question, 6);
    expect(model.usage.sample.promptTokens).toBeCloseTo(6 * probe.oneCandidate, 6);
    expect(probe.oneRequest).toBe(6 * probe.oneCandidate);
    expect(model.usage.probe.requests).toBe(2);
  });

  it('marks a boxed step final and reads written verdicts, a cut-off reply as a tie', async () => {
    const { model } = await loaded({ noVerdictRate: 1 });
    const p = SCRIPTED_PROBLEMS[0];
    const last = await model.sampleSteps(p.question, [`Step 1: ${p.right[0][0]}`, `Step 2: ${p.right[1][0]}`], 2, { temperature: 0, topP: 1 }, createRng(2));
    expect(last[0].final).toBe(true);
    expect(last[0].text).toContain('\\boxed{28}');
    const v = await model.judge([{ question: p.question, previousSteps: [], candidateA: `Step 1: ${p.right[0][0]}`, candidateB: `Step 1: ${p.wrong[0][0]}` }]);
    expect(v[0]).toMatchObject({ pA: 0.5, verdict: 'none' });
  });

  it('runs the search and the judge-quality rollouts end to end, and exports Step-DPO pairs', async () => {
    const { engine, model } = await loaded({ seed: 3, noVerdictRate: 0.05 });
    const events: SearchEvent[] = [];
    const settings = searchSettings({ w: 4, temperature: 0.5, maxSteps: 6 });
    const run = await runRealSearch(model, problems, settings, 5, { rollouts: true, onEvent: (e) => events.push(e) });
    expect(run.outcomes).toHaveLength(2);
    for (const o of run.outcomes) {
      if (o.answer !== null) expect(o.correct).toBe(o.answer === SCRIPTED_PROBLEMS[Number(o.problemId.slice(1))].gold);
    }
    expect(run.pool.pairs.length).toBeGreaterThan(0);
    const judged = events.filter((e) => e.type === 'judgment');
    expect(run.judgments).toEqual(judged);
    expect(judged.length).toBeGreaterThan(0);
    expect(judged.every((j) => j.type === 'judgment' && j.verdictForward !== undefined && j.verdictSwapped !== undefined)).toBe(true);
    const q = run.quality;
    expect(q.verdicts.A + q.verdicts.B + q.verdicts.none + q.verdicts.both).toBe(2 * judged.length);
    expect(q.rollouts).toHaveLength(run.pool.pairs.length);
    // The scripted judge prefers the right step 80 % of the time: chosen reaches gold more often.
    expect(q.chosenReaches.value!).toBeGreaterThan(q.rejectedReaches.value!);
    expect(q.swapConsistency.n).toBeGreaterThan(0);
    // Requests: w candidates per completion request; rollouts are greedy single completions.
    expect(model.usage.judge.requests).toBe(2 * judged.length);
    expect(model.usage.rollout.requests).toBeGreaterThan(0);
    expect(engine.log.filter((r) => r.kind === 'completion' && r.n === 4).length).toBe(model.usage.sample.requests);
    const back = parsePairsJsonl(pairsToJsonl(run.pool.pairs));
    expect(back).toEqual(run.pool.pairs);
    expect(back[0].chosen).toMatch(/^Step \d+: /);
  });

  it('counts swap consistency and pick accuracy exactly on a hand-made run', () => {
    const j = (problemId: string, f: 'A' | 'B' | 'none', s: 'A' | 'B' | 'none') =>
      ({ type: 'judgment', problemId, step: 1, round: 1, a: 0, b: 1, pA: 0.5, pAForward: 0, pASwapped: 0, verdictForward: f, verdictSwapped: s }) as const;
    const r = (problemId: string, c: boolean, x: boolean) => ({ problemId, stepIndex: 1, chosenAnswer: null, rejectedAnswer: null, chosenReaches: c, rejectedReaches: x });
    const q = judgeQuality([j('p', 'A', 'B'), j('p', 'A', 'A'), j('q', 'none', 'B'), j('q', 'B', 'A')], [r('p', true, false), r('p', false, true), r('q', true, true)], 1);
    expect(q.verdicts).toEqual({ A: 4, B: 3, none: 1, both: 0 });
    expect(q.swapConsistency.value).toBeCloseTo(2 / 3);
    expect(q.pickAccuracy.value).toBeCloseTo(1 / 2);
    expect(q.pickAccuracy.n).toBe(2);
    expect(q.chosenReaches.value).toBeCloseTo(2 / 3);
  });
});
