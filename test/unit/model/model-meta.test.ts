// psr_model.json: parsed and validated by the model loader for the app and the CLI alike — which
// M_t a folder holds, the adapter folder it names (loaded from there), and a named ModelMetaError
// for a bad file; without the file, an adapter/ folder makes the model M1, none makes it M0.
import { describe, expect, it } from 'vitest';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MODEL_META_FILE, defaultModelMeta, parseModelMeta } from '../../../src/lib/model/model-meta.ts';
import { loadModelDir } from '../../../src/cli/model-dir.ts';
import { ModelMetaError } from '../../../src/lib/errors.ts';
import { microModelDir } from '../engine/micro-model-dir.ts';

describe('parseModelMeta', () => {
  it('reads generation, adapter folder, name and description', () => {
    expect(parseModelMeta({ name: 'psr-tiny', generation: 1, adapter: null, description: 'M1' })).toEqual({
      name: 'psr-tiny', generation: 1, adapter: null, description: 'M1', world: null, frontier: null, judgeWorking: 'check',
    });
    expect(parseModelMeta({ generation: 1, judge_working: 'separate' }).judgeWorking).toBe('separate');
    expect(() => parseModelMeta({ generation: 1, judge_working: 'pointwise' })).toThrow(/"judge_working" must be one of none, check, separate/);
    expect(parseModelMeta({ generation: 1, world: 'world.json' }).world).toBe('world.json');
    expect(parseModelMeta({ generation: 1, frontier: [2, 3] }).frontier).toEqual([2, 3]);
    expect(() => parseModelMeta({ generation: 1, frontier: [3, 2] })).toThrow(/"frontier" must be null or \[lo, hi\]/);
    expect(() => parseModelMeta({ generation: 1, world: '../w.json' })).toThrow(/"world" must be null or a JSON file name/);
    expect(parseModelMeta({ generation: 3, adapter: 'adapters/psr-M3' })).toMatchObject({ generation: 3, adapter: 'adapters/psr-M3/', name: null });
    expect(defaultModelMeta(true, true)).toMatchObject({ generation: 1, adapter: 'adapter/', world: 'world.json' });
    expect(defaultModelMeta(false, false)).toMatchObject({ generation: 0, adapter: null, world: null });
  });

  it.each([
    [[1, 2], /it must hold one JSON object/],
    [{ generation: 1, adapterr: null }, /unknown field "adapterr"/],
    [{ generation: -1 }, /"generation" must be a whole number from 0 to 1000/],
    [{ generation: '1' }, /"generation" must be a whole number/],
    [{ generation: 1, adapter: '../elsewhere' }, /"adapter" must be null or a sub-folder/],
    [{ generation: 1, adapter: '/abs' }, /"adapter" must be null or a sub-folder/],
    [{ generation: 1, name: 7 }, /"name" must be a string/],
  ])('refuses %j with a ModelMetaError naming the field', (json, message) => {
    expect(() => parseModelMeta(json)).toThrow(ModelMetaError);
    expect(() => parseModelMeta(json)).toThrow(message);
  });
});

describe('the loader reads psr_model.json', () => {
  it('uses the adapter it names, its generation, and refuses a bad file', async () => {
    const dir = await microModelDir(); // has adapter/, no psr_model.json
    try {
      const plain = await loadModelDir(dir);
      expect(plain.meta.generation).toBe(1);
      expect(plain.adapter).not.toBeNull();

      await writeFile(join(dir, MODEL_META_FILE), JSON.stringify({ name: 'micro', generation: 4, adapter: null }));
      const none = await loadModelDir(dir);
      expect(none.meta).toMatchObject({ name: 'micro', generation: 4 });
      expect(none.adapter).toBeNull();

      await writeFile(join(dir, MODEL_META_FILE), JSON.stringify({ generation: 2, adapter: 'adapter' }));
      expect((await loadModelDir(dir)).adapter?.config.r).toBe(plain.adapter?.config.r);

      await writeFile(join(dir, MODEL_META_FILE), JSON.stringify({ generation: 2, adapter: 'missing/' }));
      await expect(loadModelDir(dir)).rejects.toThrow(/names the adapter folder missing\/, which has no adapter_config.json/);

      await writeFile(join(dir, MODEL_META_FILE), '{"generation": 1,');
      await expect(loadModelDir(dir)).rejects.toMatchObject({ name: 'CheckpointFileError' });
      await writeFile(join(dir, MODEL_META_FILE), JSON.stringify({ generation: 'one' }));
      await expect(loadModelDir(dir)).rejects.toMatchObject({ name: 'ModelMetaError' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the shipped model\'s psr_model.json is valid', async () => {
    const m = await loadModelDir(join(__dirname, '../../../public/models/psr-tiny'));
    expect(m.meta).toMatchObject({ name: 'psr-tiny', generation: 1, adapter: null, world: 'world.json', frontier: [3, 3] });
    expect(m.world.difficulties).toHaveLength(6);
  });
});

