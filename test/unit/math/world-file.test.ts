// World files: a level gives only what it changes (laid over the default level), bad fields are
// WorldConfigErrors naming the field, the file round-trips, a model folder's world.json is what
// every later command and the app use, and the CLI's --world reaches the generator.
import { describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultWorldConfig } from '../../../src/lib/math/config.ts';
import { parseWorldFile, sameWorld, worldFileText, worldToJson, WORLD_FILE } from '../../../src/lib/math/world-file.ts';
import { DEFAULT_TEMPLATES, NAMELESS_STEP_TEMPLATES } from '../../../src/lib/math/templates.ts';
import { buildVocab, templateWords } from '../../../src/lib/math/vocab.ts';
import { buildDatasets, DEFAULT_DATASET_OPTIONS } from '../../../src/lib/math/datasets.ts';
import { checkStep, namedPeople, scoreSolution } from '../../../src/lib/math/checker.ts';
import { WorldConfigError } from '../../../src/lib/errors.ts';
import { runCli } from '../../../src/cli/cli.ts';
import { loadModelDir } from '../../../src/cli/model-dir.ts';
import { planLoop } from '../../../src/lib/psr/plan.ts';
import { presetSettings } from '../../../src/lib/settings/table.ts';
import { captureIo } from '../../util/cli-io.ts';
import { microModelDir } from '../engine/micro-model-dir.ts';

const SMALL = { difficulties: [{ maxValue: 20, start: [2, 9] }, { maxValue: 30, start: [2, 9] }] };

describe('parseWorldFile', () => {
  it('lays each level over the default level and validates', () => {
    const w = parseWorldFile(SMALL);
    expect(w.difficulties).toHaveLength(2);
    expect(w.difficulties[0]).toMatchObject({ maxValue: 20, start: [2, 9], steps: [1, 1], ops: ['+', '-'] });
    expect(w.difficulties[1]).toMatchObject({ maxValue: 30, steps: [2, 2] });
    expect(w.digitOrder).toBe('lsd');
    expect(sameWorld(parseWorldFile({}), defaultWorldConfig())).toBe(true);
  });

  it('round-trips through worldToJson', () => {
    const w = parseWorldFile({ ...SMALL, digitOrder: 'msd' });
    expect(sameWorld(parseWorldFile(JSON.parse(JSON.stringify(worldToJson(w)))), w)).toBe(true);
  });

  it.each([
    [[], /must be one JSON object/],
    [{ levels: [] }, /world file levels is not a world field/],
    [{ difficulties: [{ maxvalue: 5 }] }, /difficulties\[0\]\.maxvalue is not a level field/],
    [{ difficulties: [{ maxValue: 5 }] }, /difficulties\[0\]\.maxValue must be an integer in \[10, 1000000\]/],
    [{ difficulties: [{ ops: ['^'] }] }, /difficulties\[0\]\.ops must be a non-empty list/],
    [{ digitOrder: 'both' }, /digitOrder must be "msd" or "lsd"/],
    [{ templates: { names: [] } }, /templates must be one of "default", "nameless-steps"/],
    [{ templates: 'nameless' }, /templates must be one of "default", "nameless-steps" \(or left out for "default"\), got "nameless"/],
  ])('refuses %j with a WorldConfigError', (json, message) => {
    expect(() => parseWorldFile(json)).toThrow(WorldConfigError);
    expect(() => parseWorldFile(json)).toThrow(message);
  });
});

describe('the nameless-steps world', () => {
  const nameless = parseWorldFile({ templates: 'nameless-steps' });
  const named = defaultWorldConfig();

  it('round-trips, and differs from the default world', () => {
    expect(nameless.templates).toBe(NAMELESS_STEP_TEMPLATES);
    expect(worldToJson(nameless).templates).toBe('nameless-steps');
    expect(sameWorld(parseWorldFile(JSON.parse(JSON.stringify(worldToJson(nameless)))), nameless)).toBe(true);
    expect(sameWorld(nameless, named)).toBe(false);
    expect(worldFileText(nameless)).toContain('"templates": "nameless-steps"');
  });

  it('asks the same questions as the default world, and its steps name no one and pass the checker', () => {
    const a = buildDatasets(nameless, { ...DEFAULT_DATASET_OPTIONS, seed: 2, iftCount: 40, eftCount: 0 });
    const b = buildDatasets(named, { ...DEFAULT_DATASET_OPTIONS, seed: 2, iftCount: 40, eftCount: 0 });
    expect(a.test.map((p) => p.question)).toEqual(b.test.map((p) => p.question));
    const names = new Set(named.templates.names);
    for (const p of a.ift) {
      for (const step of p.steps) expect(namedPeople(names, step)).toEqual([]);
      expect(scoreSolution(p.question, p.steps).perfect).toBe(true);
    }
    // The default world's steps do name people: the comparison above is not vacuous.
    expect(b.ift.some((p) => p.steps.some((s) => namedPeople(names, s).length > 0))).toBe(true);
  });

  it('keeps the default vocabulary (a model pretrained on the default world keeps its token ids)', () => {
    expect(templateWords(NAMELESS_STEP_TEMPLATES).every((w) => templateWords(DEFAULT_TEMPLATES).includes(w))).toBe(true);
    expect(buildVocab(NAMELESS_STEP_TEMPLATES)).toEqual(buildVocab(DEFAULT_TEMPLATES));
  });

  it('builds judge pairs without wrong-person mistakes (no step names anyone to get wrong)', () => {
    const d = buildDatasets(nameless, { ...DEFAULT_DATASET_OPTIONS, seed: 3, iftCount: 0, eftCount: 120 });
    const kinds = new Set(d.eft.map((e) => e.wrongKind));
    expect(kinds.has('wrong_person')).toBe(false);
    expect(kinds.has('arithmetic_error')).toBe(true);
    for (const e of d.eft) expect(checkStep(e.question, e.previousSteps, e.verdict === 'A' ? e.candidateA : e.candidateB).valid).toBe(true);
  });
});

describe('worlds in use', () => {
  it('--world reaches the generator, and its levels bound --difficulty', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'psr-world-'));
    try {
      const file = join(dir, 'small.json');
      await writeFile(file, JSON.stringify(SMALL));
      const io = captureIo();
      expect(await runCli(['problems', '--world', file, '--seed', '3', '--count', '20', '--json'], io)).toBe(0);
      const problems = JSON.parse(io.stdout) as { difficulty: number; answer: number }[];
      expect(Math.max(...problems.map((p) => p.difficulty))).toBe(2);
      expect(problems.every((p) => p.answer <= 30)).toBe(true);
      const bad = captureIo();
      expect(await runCli(['problems', '--world', file, '--seed', '3', '--count', '1', '--difficulty', '3'], bad)).toBe(2);
      await writeFile(file, '{"difficulties": [{"maxValue": 3}]}');
      const worse = captureIo();
      expect(await runCli(['problems', '--world', file, '--count', '1'], worse)).toBe(1);
      expect(worse.stderr).toMatch(/^WorldConfigError: world config difficulties\[0\]\.maxValue/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a model folder\'s world.json is the model\'s world; pools and evaluation come from it', async () => {
    const dir = await microModelDir();
    try {
      expect(sameWorld((await loadModelDir(dir)).world, defaultWorldConfig())).toBe(true);
      await writeFile(join(dir, WORLD_FILE), JSON.stringify(worldToJson(parseWorldFile(SMALL))));
      const m = await loadModelDir(dir);
      expect(m.world.difficulties).toHaveLength(2);
      const plan = planLoop({ ...presetSettings('demo'), problems: 6 }, { firstIteration: 1, iterations: 1, world: m.world });
      expect(plan.loop.pools[0].every((p) => p.difficulty <= 2)).toBe(true);
      expect(plan.eval.test.every((p) => p.difficulty <= 2)).toBe(true);
      expect(() => planLoop({ ...presetSettings('demo'), difficulties: [3] }, { firstIteration: 1, iterations: 1, world: m.world })).toThrow(
        /Pool difficulties: level 3 is not in the model's world, which has levels 1 to 2/,
      );
      await writeFile(join(dir, WORLD_FILE), JSON.stringify({ digitOrder: 'msd' }));
      await expect(loadModelDir(dir)).rejects.toThrow(/world.json writes numbers msd first but the tokenizer reads them lsd first/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
