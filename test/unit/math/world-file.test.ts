// World files: a level gives only what it changes (laid over the default level), bad fields are
// WorldConfigErrors naming the field, the file round-trips, a model folder's world.json is what
// every later command and the app use, and the CLI's --world reaches the generator.
import { describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultWorldConfig } from '../../../src/lib/math/config.ts';
import { parseWorldFile, sameWorld, worldToJson, WORLD_FILE } from '../../../src/lib/math/world-file.ts';
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
    [{ templates: { names: [] } }, /templates must be "default"/],
  ])('refuses %j with a WorldConfigError', (json, message) => {
    expect(() => parseWorldFile(json)).toThrow(WorldConfigError);
    expect(() => parseWorldFile(json)).toThrow(message);
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
