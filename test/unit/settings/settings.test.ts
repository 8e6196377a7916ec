// The settings table and its one validator: every default and demo value fits its own row, bad
// values are refused with the setting's label (or flag) and the same range the page's inputs use,
// CLI text parses to the same values, and a surface refuses settings it does not take.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ITERATION_KEYS, PAGE_ITERATION_INPUTS, PAGE_SEARCH_INPUTS, SEARCH_KEYS, SETTINGS, presetSettings, presetValue, type Setting, type SettingKey,
} from '../../../src/lib/settings/table.ts';
import { checkSetting, parseSetting, rangeText, settingProblem, validateSettings, validateSubset } from '../../../src/lib/settings/validate.ts';
import { SettingsError } from '../../../src/lib/errors.ts';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { runCli } from '../../../src/cli/cli.ts';
import { settingsMarkdown } from '../../../src/cli/commands/settings.ts';
import { captureIo } from '../../util/cli-io.ts';

const KEYS = Object.keys(SETTINGS) as SettingKey[];

describe('the settings table', () => {
  it.each(KEYS)('%s: default and demo values pass its own check, label, flag and help are set', (key) => {
    const s: Setting = SETTINGS[key];
    expect(checkSetting(key, presetValue(key, 'default'))).toEqual(presetValue(key, 'default'));
    expect(checkSetting(key, presetValue(key, 'demo'))).toEqual(presetValue(key, 'demo'));
    expect(s.label.length).toBeGreaterThan(2);
    expect(s.help.length).toBeGreaterThan(10);
    expect(s.flag).toMatch(/^[a-z][a-z0-9-]*$/);
  });

  it('flags are unique', () => {
    const flags = KEYS.map((k) => SETTINGS[k].flag);
    expect(new Set(flags).size).toBe(flags.length);
  });

  it('the paper-sized defaults and the page demo differ only where the table says so', () => {
    const d = presetSettings('default');
    expect(d).toMatchObject({ w: 6, temperature: 0.5, topP: 0.95, maxSteps: 20, beta: 0.1, lr: 5e-4, epochs: 2, problems: 64, evalProblems: 500, backend: 'auto' });
    const demo = presetSettings('demo');
    expect(demo).toMatchObject({ w: 4, temperature: 0.5, maxSteps: 10, problems: 8, evalProblems: 24, evalPairs: 24, poolGrowth: 'constant' });
  });

  it('the page inputs are numeric settings that the lab accepts', () => {
    for (const k of PAGE_ITERATION_INPUTS) {
      expect(['int', 'number']).toContain(SETTINGS[k].kind);
      expect(ITERATION_KEYS as readonly string[]).toContain(k);
    }
    for (const k of PAGE_SEARCH_INPUTS) expect(SEARCH_KEYS as readonly string[]).toContain(k);
  });
});

describe('one validator', () => {
  it('names the setting by its label and states the range of the input', () => {
    expect(() => checkSetting('w', 40)).toThrow(SettingsError);
    expect(() => checkSetting('w', 40)).toThrow('Candidates per step (w) must be a whole number from 2 to 32; got 40.');
    expect(() => checkSetting('temperature', -1)).toThrow('Sampling temperature must be a number from 0 to 2; got -1.');
    expect(() => checkSetting('lr', 0)).toThrow('Learning rate must be a number above 0 and at most 0.1; got 0.');
    expect(() => checkSetting('evalProblems', null)).toThrow('Evaluation problems must be a whole number from 1 to 500; got null.');
    expect(() => checkSetting('judgeOrder', 'twice')).toThrow('Judge orders must be one of both, random; got "twice".');
    expect(() => checkSetting('w', 2.5)).toThrow(/whole number/);
    expect(() => checkSetting('beta', Number.NaN)).toThrow(/DPO β/);
  });

  it('carries the settings key as field (the page marks the input)', () => {
    try {
      checkSetting('maxSteps', 0);
      expect.unreachable();
    } catch (e) {
      expect((e as SettingsError).field).toBe('maxSteps');
      expect((e as SettingsError).name).toBe('SettingsError');
    }
    expect(settingProblem('maxSteps', 10)).toBeNull();
    expect(settingProblem('maxSteps', 65)).toMatch(/^Most steps per solution must be a whole number from 1 to 64/);
  });

  it('accepts exactly the whole numbers in range of an int setting (property)', () => {
    for (const key of ['w', 'maxSteps', 'epochs', 'problems', 'evalPairs'] as const) {
      const s = SETTINGS[key];
      fc.assert(
        fc.property(fc.integer({ min: -100, max: 20000 }), (x) => {
          const ok = settingProblem(key, x) === null;
          return ok === (x >= s.min && x <= s.max);
        }),
      );
    }
  });

  it('number settings: the page input range is the validator range', () => {
    for (const key of KEYS) {
      const s: Setting = SETTINGS[key];
      if (s.kind !== 'number') continue;
      expect(settingProblem(key, s.max)).toBeNull();
      expect(settingProblem(key, s.max + s.step)).not.toBeNull();
      expect(settingProblem(key, s.min) === null).toBe(!s.minExclusive);
      expect(rangeText(key)).toContain(String(s.max));
    }
  });

  it('lists and subsets', () => {
    expect(checkSetting('difficulties', [4, 2, 2, 3])).toEqual([2, 2, 3, 4]); // a repeat weighs a level
    expect(checkSetting('difficulties', [])).toEqual([]); // every level of the world
    expect(() => checkSetting('difficulties', [0, 1])).toThrow(/Pool difficulties must be all, or whole numbers from 1 to 12/);
    expect(() => checkSetting('difficulties', 3)).toThrow(SettingsError);
    expect(checkSetting('loraTargets', ['v_proj', 'q_proj'])).toEqual(['q_proj', 'v_proj']);
    expect(() => checkSetting('loraTargets', ['x_proj'])).toThrow(/LoRA targets must be one or more of q_proj/);
  });
});

describe('CLI text', () => {
  it('parses to the same values and names the flag', () => {
    expect(parseSetting('w', '8')).toBe(8);
    expect(parseSetting('lr', '1e-3')).toBe(1e-3);
    expect(parseSetting('difficulties', '2-4')).toEqual([2, 3, 4]);
    expect(parseSetting('difficulties', '1,3')).toEqual([1, 3]);
    expect(parseSetting('loraTargets', 'q_proj,v_proj')).toEqual(['q_proj', 'v_proj']);
    expect(parseSetting('backend', 'wasm')).toBe('wasm');
    expect(() => parseSetting('w', '6.5')).toThrow('--w (Candidates per step (w)) must be a whole number from 2 to 32; got "6.5".');
    expect(() => parseSetting('temperature', 'hot')).toThrow(/--temperature \(Sampling temperature\) must be a number from 0 to 2/);
    expect(() => parseSetting('difficulties', '4-2')).toThrow(/--difficulties/);
    expect(() => parseSetting('difficulties', '2-13')).toThrow(SettingsError);
    expect(parseSetting('difficulties', 'all')).toEqual([]);
  });
});

describe('surfaces', () => {
  it('validateSettings fills the preset and refuses unknown names', () => {
    expect(validateSettings({ w: 5 }, 'demo')).toMatchObject({ w: 5, maxSteps: 10 });
    expect(() => validateSettings({ widht: 5 })).toThrow(/there is no setting called "widht"/);
  });

  it('validateSubset refuses a setting the surface does not take, naming what it takes', () => {
    expect(validateSubset(SEARCH_KEYS, { w: 3 }, 'demo', 'A watched search')).toMatchObject({ w: 3, temperature: 0.5, seed: 1 });
    expect(() => validateSubset(SEARCH_KEYS, { epochs: 3 }, 'demo', 'A watched search')).toThrow(/A watched search takes no setting "epochs"; it takes w, temperature/);
    expect(() => validateSubset(ITERATION_KEYS, { backend: 'wasm' }, 'demo', 'An iteration')).toThrow(/An iteration takes no setting "backend"/);
  });
});

describe('the CLI and the README read the table', () => {
  it('`run --help` lists every setting with its range and default', async () => {
    const io = captureIo();
    expect(await runCli(['run', '--help'], io)).toBe(0);
    for (const k of KEYS) expect(io.stdout).toContain(`--${SETTINGS[k].flag}`);
    expect(io.stdout).toContain('Candidates per step (w): a whole number from 2 to 32; default 6.');
  });

  it('a flag out of range exits 2 with the flag, the label and the range', async () => {
    const io = captureIo();
    expect(await runCli(['run', '--model', 'x', '--out', 'y', '--w', '99'], io)).toBe(2);
    expect(io.stderr).toContain('SettingsError: --w (Candidates per step (w)) must be a whole number from 2 to 32; got 99.');
  });

  it('the README\'s settings table is `psr settings`', () => {
    const readme = readFileSync(resolve(__dirname, '../../../README.md'), 'utf8');
    const m = /<!-- settings-table:start -->\n([\s\S]*?)<!-- settings-table:end -->/.exec(readme);
    expect(m, 'README.md has the settings-table markers').not.toBeNull();
    expect(m![1]).toBe(settingsMarkdown());
  });
});
