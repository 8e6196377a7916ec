// The recorded chain through the Engine, as the page reaches it: the shipped model's chain/ parses,
// and "check it yourself" re-solves its held-out problems with M1 and the shipped adapter and gets,
// problem by problem, the right/wrong the record holds (same backend as the CLI runs: WebAssembly).
// A model folder without a chain says so; a broken chain or one made for another world is refused
// by name and the model is unchanged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diskEngine, microModelDir } from './micro-model-dir.ts';
import { compareWithRecord, type RecordedChain } from '../../../src/lib/psr/chain.ts';
import { rejection } from '../../util/rejection.ts';

const SHIPPED = join(process.cwd(), 'public/models/psr-tiny');

describe('the shipped recorded chain', () => {
  it('parses, and the check reproduces the record problem by problem for M1 and the shipped adapter', async () => {
    const engine = diskEngine();
    await engine.loadModel({ baseUrl: SHIPPED, backend: 'wasm' });
    const view = await engine.recordedChain();
    expect(view, 'public/models/psr-tiny/chain/chain.json is missing: write it with `psr loop-table … --chain`').not.toBeNull();
    const chain = view!.chain;
    // Summarised in the engine: one row per variant, the first minus each other.
    expect(view!.methods.length).toBe(new Set(chain.runs.map((r) => r.label)).size);
    expect(view!.differences).toHaveLength(view!.methods.length - 1);
    expect(chain.adapter).not.toBeNull();
    expect(chain.runs.length).toBeGreaterThanOrEqual(3);
    const fractions: number[] = [];
    const r = await engine.checkRecordedChain(12, (_stage, f) => fractions.push(f));
    expect(r.indices).toHaveLength(12);
    expect(r.afterLabel).toBe(chain.adapter!.model);
    expect(fractions.at(-1)).toBe(1);
    expect(fractions.some((f) => f > 0 && f < 1)).toBe(true);
    const run = chain.runs.find((x) => x.label === chain.adapter!.label && x.seed === chain.adapter!.seed)!;
    const last = run.models.find((m) => m.label === chain.adapter!.model)!;
    const before = compareWithRecord(run.models[0].correct, r.indices, r.before);
    const after = compareWithRecord(last.correct, r.indices, r.after);
    expect(before.same).toBe(12);
    expect(after.same).toBe(12);
    // Not a trivial match: the subset holds problems solved and unsolved.
    expect(before.liveAccuracy).toBeGreaterThan(0);
    expect(before.liveAccuracy).toBeLessThan(1);
    // The page's model is still M1 (the check does not change it).
    expect((await engine.modelInfo())?.generation).toBe(1);
  }, 240_000);
});

describe('model folders without a usable chain', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await microModelDir();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('no chain/: the engine says there is none and the check is refused by name', async () => {
    const engine = diskEngine();
    await engine.loadModel({ baseUrl: dir, backend: 'wasm' });
    expect(await engine.recordedChain()).toBeNull();
    const e = await rejection(engine.checkRecordedChain(4));
    expect(e.name).toBe('InvalidInputError');
    expect(e.message).toContain('no recorded chain');
  });

  it('a chain that is not JSON, or was made on another evaluation set, is refused by name', async () => {
    const copy = await mkdtemp(join(tmpdir(), 'psr-chain-'));
    try {
      await cp(dir, copy, { recursive: true });
      await mkdir(join(copy, 'chain'));
      await writeFile(join(copy, 'chain', 'chain.json'), '{ not json');
      const engine = diskEngine();
      await engine.loadModel({ baseUrl: copy, backend: 'wasm' });
      const bad = await rejection(engine.recordedChain());
      expect(bad.name).toBe('ImportError');
      expect(bad.message).toContain('not JSON');

      // A record of 7 problems this world did not make (its ids are not the plan's).
      const correct = '0101010';
      const model = (label: string) => ({ label, accuracy: 3 / 7, byDifficulty: {}, correct, judge: null, swap: null });
      const chain: RecordedChain = {
        format: 'psr-lab-chain/1',
        summary: 'test',
        evalSet: { datasetSeed: 1, problems: 7, difficulties: [1], judgePairs: 1, problemIds: Array.from({ length: 7 }, (_, i) => `d1-other-${i}`) },
        runs: [{ label: 'psr', name: 'PSR', about: 'test', seed: 1, models: [model('M1'), model('M2')], pairs: [1], trainedPairs: [1], pairSignal: [0], chosenVsGreedy: [null], seconds: 1, command: 'x' }],
        adapter: { path: 'adapter-M2', label: 'psr', seed: 1, model: 'M2' },
      };
      await writeFile(join(copy, 'chain', 'chain.json'), JSON.stringify(chain));
      await cp(join(copy, 'adapter'), join(copy, 'chain', 'adapter-M2'), { recursive: true });
      expect((await engine.recordedChain())?.chain.runs).toHaveLength(1);
      const other = await rejection(engine.checkRecordedChain(7));
      expect(other.name).toBe('ImportError');
      expect(other.message).toContain('belongs to another model');
      const zero = await rejection(engine.checkRecordedChain(0));
      expect(zero.name).toBe('InvalidInputError');
      expect((await engine.modelInfo())?.generation).toBe(1);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });
});
