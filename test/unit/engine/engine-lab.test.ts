// The Engine's model tasks in-thread on the WASM backend, with a micro model folder on disk:
// load (backend fallback and its reason), seeded problems, streamed greedy solving with oracle
// labels, the search's event stream with per-round oracle labels, one iteration, exports, and
// cancel / pause / busy. The same calls reach the worker's Engine from the page through comlink.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rm } from 'node:fs/promises';
import type { Engine } from '../../../src/lib/engine.ts';
import type { SearchViewEvent, SolveEvent, IterationEvent, ModelInfo } from '../../../src/lib/api.ts';
import { CHECK_KINDS, scoreSolution } from '../../../src/lib/math/checker.ts';
import { parsePairsJsonl } from '../../../src/lib/psr/pairs.ts';
import { loadAdapter } from '../../../src/lib/model/checkpoint.ts';
import { MemoryFiles } from '../../../src/lib/formats/memory-files.ts';
import { parseConfig } from '../../../src/lib/model/config.ts';
import { NodeFiles } from '../../../src/lib/formats/node-files.ts';
import { diskEngine, microModelDir } from './micro-model-dir.ts';
import { applyLoopEvent, EMPTY_LOOP_VIEW } from '../../../src/ui/state/loop-view.ts';
import { rejection } from '../../util/rejection.ts';
import { isStepStop } from '../../../src/lib/lab/step-through.ts';

let dir: string;
let engine: Engine;
let info: ModelInfo;
beforeAll(async () => {
  dir = await microModelDir();
  engine = diskEngine();
  info = await engine.loadModel({ baseUrl: dir, backend: 'auto' });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loading', () => {
  it('falls back to WASM without WebGPU and says why', async () => {
    const config = parseConfig(JSON.parse(await new TextDecoder().decode(await new NodeFiles(dir).read('config.json'))));
    expect(info.backend).toBe('wasm');
    expect(info.requested).toBe('auto');
    expect(info.backendReason).toContain('NoAdapterError');
    expect(info.vocabSize).toBe(config.vocabSize);
    expect(info.context).toBe(config.maxPositionEmbeddings);
    expect(info.parameters).toBeGreaterThan(0);
    expect(info.adapter?.r).toBeGreaterThan(0);
    expect(info.generation).toBe(1);
    expect(await engine.modelInfo()).toEqual(info);
  });

  it('an explicit WebGPU request without a GPU fails with the device error', async () => {
    const e = diskEngine();
    expect((await rejection(e.loadModel({ baseUrl: dir, backend: 'webgpu' }))).name).toBe('NoAdapterError');
  });

  it('tasks before a model is loaded fail with NoModelError, a missing folder with CheckpointFileError', async () => {
    const e = diskEngine();
    expect((await rejection(e.solve('Ann has 3 apples. How many apples does Ann have?'))).name).toBe('NoModelError');
    expect((await rejection(e.loadModel({ baseUrl: `${dir}/nowhere`, backend: 'wasm' }))).name).toBe('CheckpointFileError');
  });
});

describe('problems', () => {
  it('a typed question becomes a problem solve and search accept, with the oracle answer and reference', async () => {
    const p = await engine.newProblem(7, 2);
    const ref = await engine.referenceSolution(p.id);
    const own = await engine.ownProblem(p.question);
    expect(own.id).toMatch(/^own-/);
    expect(own.answer).toBe(ref.answer);
    const ownRef = await engine.referenceSolution(own.id!);
    expect(ownRef.steps).toHaveLength(ref.steps.length);
    expect(scoreSolution(p.question, ownRef.steps).perfect).toBe(true);
    expect((await engine.solve(own.question)).trueAnswer).toBe(ref.answer);
    const bad = await engine.ownProblem('Ann has 3 bananas.');
    expect(bad.unknown.map((u) => u.word)).toEqual(['bananas']);
    expect(bad.id).toBeNull();
    const outside = await engine.ownProblem('Ann has 3 apples. How many apples does Tom have?');
    expect(outside.id).not.toBeNull();
    expect((await rejection(engine.referenceSolution(outside.id!))).name).toBe('InvalidInputError');
  });

  it('are deterministic in (seed, difficulty) and keep their reference in the engine', async () => {
    const a = await engine.newProblem(42, 3);
    const b = await engine.newProblem(42, 3);
    const c = await engine.newProblem(43, 3);
    expect(b).toEqual(a);
    expect(c.question).not.toBe(a.question);
    expect(a).toEqual({ id: a.id, question: a.question, difficulty: 3, seed: 42 });
    const ref = await engine.referenceSolution(a.id);
    expect(ref.steps.length).toBeGreaterThan(0);
    expect(Number.isInteger(ref.answer)).toBe(true);
    expect((await rejection(engine.newProblem(1, 99))).name).toBe('InvalidInputError');
    expect((await rejection(engine.referenceSolution('nope'))).name).toBe('InvalidInputError');
  });
});

describe('solve', () => {
  it('streams each step with an oracle label, in order, and reports the true answer', async () => {
    const p = await engine.newProblem(5, 1);
    const events: SolveEvent[] = [];
    const r = await engine.solve(p.question, (e) => events.push(e), { maxSteps: 3 });
    expect(r.steps.length).toBeGreaterThanOrEqual(1);
    expect(events.map((e) => e.index)).toEqual(r.steps.map((_, i) => i + 1));
    expect(events.map((e) => e.text)).toEqual(r.steps);
    for (const e of events) expect(CHECK_KINDS).toContain(e.oracle?.kind);
    expect(r.trueAnswer).toBe((await engine.referenceSolution(p.id)).answer);
    expect(r.correct).toBe(r.answer !== null && r.answer === r.trueAnswer);
  });
});

describe('search', () => {
  it('streams the search in order, with oracle labels after each scored round', async () => {
    const p = await engine.newProblem(9, 1);
    const events: SearchViewEvent[] = [];
    const out = await engine.searchOneProblem(p.question, { w: 3, temperature: 1, maxSteps: 2 }, (e) => events.push(e));
    expect(events[0]).toMatchObject({ type: 'problem-start', problemId: p.id, question: p.question });
    const end = events.at(-1)!;
    expect(end).toMatchObject({ type: 'problem-end', steps: out.result.steps, pairs: out.pairs.length });
    const candidates = events.filter((e) => e.type === 'candidates');
    expect(candidates.length).toBe(out.result.rounds);
    // Per round: candidates, then its judgments, scores and only then the oracle labels.
    let current: { round: number; n: number; scored: boolean; labelled: boolean } | null = null;
    for (const e of events) {
      if (e.type === 'candidates') current = { round: e.round, n: e.candidates.length, scored: false, labelled: false };
      if (e.type === 'judgment') expect(current && !current.scored && e.round === current.round).toBe(true);
      if (e.type === 'scores') current!.scored = true;
      if (e.type === 'oracle') {
        expect(e.round).toBe(current!.round);
        expect(e.labels).toHaveLength(current!.n);
        expect(current!.scored || current!.n === 1).toBe(true);
        current!.labelled = true;
      }
    }
    expect(out.pairs.every((v) => v.label !== null)).toBe(true);
    expect(events.filter((e) => e.type === 'pair')).toHaveLength(out.result.roundsWithPair);
  });
});

describe('iteration, exports, cancel', () => {
  it('runs one iteration, becomes M2, exports its pairs and adapter', async () => {
    const events: IterationEvent[] = [];
    const out = await engine.runIteration(
      { problems: 1, w: 3, temperature: 1, maxSteps: 2, evalProblems: 2, evalPairs: 2, epochs: 1 },
      (e) => events.push(e),
    );
    expect(out.from).toBe('M1');
    expect(out.to).toBe('M2');
    expect(out.report.poolSize).toBe(1);
    expect(out.before?.solve.problems).toBe(2);
    expect(out.report.evaluation?.judge.pairs).toBe(2);
    expect(events.filter((e) => e.type === 'evaluation').map((e) => e.type === 'evaluation' && e.model)).toEqual(['M1', 'M2']);
    expect(events.at(-1)).toMatchObject({ type: 'stage', stage: 'done' });
    // The page's view of the same stream.
    const view = events.reduce(applyLoopEvent, EMPTY_LOOP_VIEW);
    expect(view.stage).toBe('done');
    expect(view.before).toEqual(out.before);
    expect(view.after).toEqual(out.report.evaluation);
    expect(view.problemsDone).toBe(1);
    expect(view.pairs).toBe(out.report.pairs);
    expect(view.train).toHaveLength(out.report.dpo?.steps ?? 0);
    expect((await engine.modelInfo())?.generation).toBe(2);
    expect(out.pairs).toHaveLength(out.report.pairs);
    if (out.report.pairs > 0) {
      const parsed = parsePairsJsonl(await engine.exportPairs());
      expect(parsed).toEqual(out.pairs.map((v) => v.pair));
      expect(parsed.every((p) => p.iteration === 1)).toBe(true);
    } else {
      expect((await rejection(engine.exportPairs())).name).toBe('NothingToExportError');
    }
    const { files } = await engine.exportAdapter();
    expect(files.map((f) => f.name).sort()).toEqual(['adapter_config.json', 'adapter_model.safetensors']);
    const mem = new MemoryFiles();
    for (const f of files) await mem.write(f.name, f.bytes);
    const config = parseConfig(JSON.parse(new TextDecoder().decode(await new NodeFiles(dir).read('config.json'))));
    expect((await loadAdapter(mem, config)).config.r).toBe(info.adapter?.r);
  });

  it('imports the exported adapter and pairs into a fresh page: the same model M2 and the same export; bad files change nothing', async () => {
    const { files } = await engine.exportAdapter();
    const copy = () => files.map((f) => ({ name: `M2-${f.name}`, bytes: f.bytes.slice() }));
    const p = await engine.newProblem(5, 2);
    const solvedHere = await engine.solve(p.question);

    const fresh = diskEngine();
    await fresh.loadModel({ baseUrl: dir, backend: 'wasm' });
    // A bad file: named error, and the fresh model is still M1.
    const onlyConfig = copy().filter((f) => f.name.endsWith('.json'));
    expect((await rejection(fresh.importAdapter(onlyConfig, 2))).name).toBe('ImportError');
    const truncated = copy().map((f) => (f.name.endsWith('.safetensors') ? { ...f, bytes: f.bytes.slice(0, 40) } : f));
    expect((await rejection(fresh.importAdapter(truncated, 2))).name).toMatch(/^Safetensors/);
    const wrongRank = copy().map((f) => {
      if (!f.name.endsWith('.json')) return f;
      const c = JSON.parse(new TextDecoder().decode(f.bytes)) as { r: number };
      return { ...f, bytes: new TextEncoder().encode(JSON.stringify({ ...c, r: c.r + 1 })) };
    });
    expect((await rejection(fresh.importAdapter(wrongRank, 2))).name).toBe('TensorShapeError');
    expect((await rejection(fresh.importAdapter(copy(), 0))).name).toBe('InvalidInputError');
    expect((await fresh.modelInfo())?.generation).toBe(1);

    const imported = await fresh.importAdapter(copy(), 2);
    expect(imported.generation).toBe(2);
    expect(imported.adapter).toEqual((await engine.modelInfo())?.adapter);
    const again = await fresh.exportAdapter();
    for (const f of again.files) expect(Buffer.from(f.bytes).equals(Buffer.from(files.find((g) => g.name === f.name)!.bytes)), f.name).toBe(true);
    await fresh.newProblem(5, 2);
    expect((await fresh.solve(p.question)).steps).toEqual(solvedHere.steps);

    // Pairs: the engine's export read back gives the same export; a bad line is named.
    expect((await rejection(fresh.importPairs('{"prompt": 1}\n'))).name).toBe('PairFormatError');
    const jsonl = await engine.exportPairs().catch(() => '');
    if (jsonl !== '') {
      expect(await fresh.importPairs(jsonl)).toBe(jsonl.trim().split('\n').length);
      expect(await fresh.exportPairs()).toBe(jsonl);
    }
  });

  it('the next iteration reuses the cached evaluation of its starting model', async () => {
    const settings = { problems: 1, w: 3, temperature: 1, maxSteps: 1, evalProblems: 2, evalPairs: 2, epochs: 1 };
    const first = await engine.runIteration(settings);
    const second = await engine.runIteration(settings);
    expect(second.from).toBe(first.to);
    expect(second.before).toEqual(first.report.evaluation);
  });

  it('cancel rejects the running task with CancelledError and frees the engine', async () => {
    const p = await engine.newProblem(11, 2);
    const running = engine.searchOneProblem(p.question, { w: 4, temperature: 1, maxSteps: 6 });
    expect((await rejection(engine.solve(p.question))).name).toBe('EngineBusyError');
    await engine.cancel();
    expect((await rejection(running)).name).toBe('CancelledError');
    expect(await engine.taskStatus()).toEqual({ task: null, paused: false });
    const again = await engine.solve(p.question, undefined, { maxSteps: 1 });
    expect(again.steps).toHaveLength(1);
  });

  it('pause holds the task until resume', async () => {
    const p = await engine.newProblem(12, 1);
    let seen = 0;
    const running = engine.searchOneProblem(p.question, { w: 3, temperature: 1, maxSteps: 2 }, () => void seen++);
    await engine.pause();
    expect(await engine.taskStatus()).toEqual({ task: 'search', paused: true });
    await new Promise((r) => setTimeout(r, 50));
    const held = seen;
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toBe(held);
    await engine.resume();
    const out = await running;
    expect(seen).toBeGreaterThan(held);
    expect(out.result.steps.length).toBeGreaterThan(0);
  });

  it('step-through: the iteration pauses itself after each searched problem and each training step, until resume', async () => {
    await engine.setStepThrough(true);
    const events: IterationEvent[] = [];
    let done = false;
    const running = engine.runIteration({ problems: 2, w: 3, temperature: 1, maxSteps: 2, evalProblems: 2, evalPairs: 2, epochs: 1 }, (e) => events.push(e));
    void running.finally(() => (done = true)).catch(() => undefined);
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    let handled = 0;
    const stops: IterationEvent[] = [];
    while (!done) {
      await sleep(10);
      const at = events.findIndex((e, i) => i >= handled && isStepStop(e));
      if (at < 0) continue;
      // Paused as the event went out: nothing more comes until resume (at most the events sent before the next unit of work).
      expect(await engine.taskStatus()).toEqual({ task: 'iteration', paused: true });
      const n = events.length;
      await sleep(80);
      expect(events.length).toBe(n);
      expect(events.slice(at + 1).some(isStepStop)).toBe(false);
      stops.push(events[at]);
      handled = at + 1;
      await engine.resume();
    }
    const out = await running;
    await engine.setStepThrough(false);
    expect(out.report.dpo?.steps ?? 0).toBeGreaterThan(0); // the seeded search made pairs, so training stops were tested
    expect(stops.filter((e) => e.type === 'search')).toHaveLength(2);
    expect(stops.filter((e) => e.type === 'train-step')).toHaveLength(out.report.dpo?.steps ?? 0);
    expect(stops.map((e) => e.type)).toEqual([...['search', 'search'], ...Array.from({ length: out.report.dpo?.steps ?? 0 }, () => 'train-step')]);
  });

  it('cancels a running iteration (training and evaluation included)', async () => {
    const running = engine.runIteration({ problems: 1, w: 3, temperature: 1, maxSteps: 1, evalProblems: 4, evalPairs: 4, epochs: 1 });
    const before = (await engine.modelInfo())!.generation;
    await new Promise((r) => setTimeout(r, 30));
    await engine.cancel();
    expect((await rejection(running)).name).toBe('CancelledError');
    expect((await engine.modelInfo())!.generation).toBe(before);
  });
});
