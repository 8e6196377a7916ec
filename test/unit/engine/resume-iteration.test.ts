// Resuming an iteration interrupted after its search: the page keeps the 'searched' event's pairs,
// a fresh engine on the same M_t trains and evaluates on them without searching again, and ends
// with exactly the adapter the uninterrupted iteration made. A resume for another M_t or with a
// broken pairs file is refused by name and changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rm } from 'node:fs/promises';
import type { InterruptedIteration, IterationEvent, IterationSettings } from '../../../src/lib/api.ts';
import { pairsToJsonl } from '../../../src/lib/psr/pairs.ts';
import { diskEngine, microModelDir } from './micro-model-dir.ts';
import { rejection } from '../../util/rejection.ts';

let dir: string;
beforeAll(async () => {
  dir = await microModelDir();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const SETTINGS: Partial<IterationSettings> = { problems: 2, w: 3, temperature: 1, maxSteps: 2, evalProblems: 2, evalPairs: 2, epochs: 1 };

describe('resuming an interrupted iteration', () => {
  it('trains on the kept pairs without searching and makes the same M2 as the uninterrupted run', async () => {
    const whole = diskEngine();
    await whole.loadModel({ baseUrl: dir, backend: 'wasm' });
    const events: IterationEvent[] = [];
    const done = await whole.runIteration(SETTINGS, (e) => events.push(e));
    const searched = events.find((e) => e.type === 'searched');
    if (searched?.type !== 'searched') throw new Error('no searched event');
    expect(searched.resumed).toBe(false);
    expect(searched.pairs.length).toBe(done.report.pairs);
    expect(searched.pairs.length).toBeGreaterThan(0); // the comparison below is about training on them
    // The 'searched' event comes before training starts.
    expect(events.indexOf(searched)).toBeLessThan(events.findIndex((e) => e.type === 'stage' && e.stage === 'train'));

    // What the page keeps (the settings it ran with come back from the outcome).
    const kept: InterruptedIteration = {
      generation: 1, settings: done.settings, pairsJsonl: pairsToJsonl(searched.pairs), searchStats: searched.searchStats, srlmStats: searched.srlmStats,
    };
    const fresh = diskEngine();
    await fresh.loadModel({ baseUrl: dir, backend: 'wasm' });
    const again: IterationEvent[] = [];
    const resumed = await fresh.runIteration({}, (e) => again.push(e), kept);
    expect(again.some((e) => e.type === 'stage' && e.stage === 'search')).toBe(false);
    expect(again.some((e) => e.type === 'search')).toBe(false);
    expect(again.find((e) => e.type === 'searched')).toMatchObject({ resumed: true });
    expect(resumed.to).toBe('M2');
    expect(resumed.report.pairs).toBe(done.report.pairs);
    expect(resumed.report.searchStats).toEqual(done.report.searchStats);
    expect(resumed.report.pairQuality).toEqual(done.report.pairQuality);
    expect(resumed.report.dpo).toEqual(done.report.dpo);
    expect(resumed.report.evaluation).toEqual(done.report.evaluation);
    const a = (await whole.exportAdapter()).files;
    const b = (await fresh.exportAdapter()).files;
    for (const f of a) expect(Buffer.from(b.find((g) => g.name === f.name)!.bytes).equals(Buffer.from(f.bytes)), f.name).toBe(true);
    expect((await fresh.modelInfo())?.generation).toBe(2);
  }, 120_000);

  it('refuses a resume for another model or with a broken pairs file, and the model stays M1', async () => {
    const engine = diskEngine();
    await engine.loadModel({ baseUrl: dir, backend: 'wasm' });
    const base: InterruptedIteration = { generation: 1, settings: SETTINGS, pairsJsonl: '', searchStats: null, srlmStats: null };
    const wrongModel = await rejection(engine.runIteration({}, undefined, { ...base, generation: 3, pairsJsonl: '{}\n' }));
    expect(wrongModel.name).toBe('ImportError');
    expect(wrongModel.message).toMatch(/started from M3 but the page's model is M1/);
    expect((await rejection(engine.runIteration({}, undefined, { ...base, pairsJsonl: '{"prompt": 1}\n' }))).name).toBe('PairFormatError');
    const badSettings = await rejection(engine.runIteration({}, undefined, { ...base, settings: { ...base.settings, w: 999 }, pairsJsonl: '' }));
    expect(badSettings.name).toBe('SettingsError');
    expect(badSettings.message).toMatch(/Candidates per step/);
    expect((await engine.modelInfo())?.generation).toBe(1);
    expect((await engine.taskStatus()).task).toBeNull();
  }, 60_000);
});
