// One validator for every run setting (table.ts): a value is checked against its row — type,
// range, choices — and a bad one throws SettingsError naming the setting by its label (the page)
// or its flag (the CLI) and stating the allowed range, the same range the page's inputs use.
// Text from a CLI flag is parsed here too, so a flag and an input go through the same check.
import { SettingsError } from '../errors.ts';
import { SETTINGS, presetSettings, type Preset, type RunSettings, type Setting, type SettingKey } from './table.ts';

/** How a setting is named in messages: its label (the page, the API) or its CLI flag. */
export type NameStyle = 'label' | 'flag';

export function settingName(key: SettingKey, style: NameStyle = 'label'): string {
  const s: Setting = SETTINGS[key];
  return style === 'flag' ? `--${s.flag} (${s.label})` : s.label;
}

const fmt = (x: number): string => (Math.abs(x) >= 1e-3 || x === 0 ? String(x) : x.toExponential());

/** The allowed values in words, e.g. "a whole number from 2 to 32". */
export function rangeText(key: SettingKey): string {
  const s: Setting = SETTINGS[key];
  switch (s.kind) {
    case 'int':
      return `a whole number from ${s.min} to ${s.max}`;
    case 'number':
      return s.minExclusive ? `a number above ${fmt(s.min)} and at most ${fmt(s.max)}` : `a number from ${fmt(s.min)} to ${fmt(s.max)}`;
    case 'choice':
      return `one of ${s.choices.join(', ')}`;
    case 'intList':
      return `all, or whole numbers from ${s.min} to ${s.max} (a list such as 2,3,4 or a range such as 2-4)`;
    case 'subset':
      return `one or more of ${s.choices.join(', ')}`;
  }
}

function fail(key: SettingKey, value: unknown, style: NameStyle): never {
  const shown = typeof value === 'string' ? JSON.stringify(value) : Array.isArray(value) ? JSON.stringify(value) : String(value);
  throw new SettingsError(`${settingName(key, style)} must be ${rangeText(key)}; got ${shown}.`, key);
}

/** The value if it fits the setting's row; SettingsError otherwise. Lists come back sorted (repeats weight a level); subsets in table order. */
export function checkSetting<K extends SettingKey>(key: K, value: unknown, style: NameStyle = 'label'): RunSettings[K] {
  const s: Setting = SETTINGS[key];
  const num = typeof value === 'number' && Number.isFinite(value);
  switch (s.kind) {
    case 'int':
      if (!num || !Number.isInteger(value) || (value as number) < s.min || (value as number) > s.max) fail(key, value, style);
      return value as RunSettings[K];
    case 'number': {
      const v = value as number;
      if (!num || v > s.max || v < s.min || (s.minExclusive && v === s.min)) fail(key, value, style);
      return value as RunSettings[K];
    }
    case 'choice':
      if (typeof value !== 'string' || !(s.choices as readonly string[]).includes(value)) fail(key, value, style);
      return value as RunSettings[K];
    case 'intList': {
      if (!Array.isArray(value)) fail(key, value, style);
      const xs = value as unknown[];
      if (xs.some((x) => typeof x !== 'number' || !Number.isInteger(x) || x < s.min || x > s.max)) fail(key, value, style);
      return [...(xs as number[])].sort((a, b) => a - b) as RunSettings[K];
    }
    case 'subset': {
      if (!Array.isArray(value) || value.length === 0) fail(key, value, style);
      const xs = value as unknown[];
      if (xs.some((x) => typeof x !== 'string' || !(s.choices as readonly string[]).includes(x))) fail(key, value, style);
      return s.choices.filter((c) => xs.includes(c)) as RunSettings[K];
    }
  }
}

/** The message checkSetting would throw, or null when the value is fine (for marking a page input). */
export function settingProblem(key: SettingKey, value: unknown): string | null {
  try {
    checkSetting(key, value);
    return null;
  } catch (e) {
    if (e instanceof SettingsError) return e.message;
    throw e;
  }
}

/**
 * The preset's settings overlaid with `input`, every given value checked. Unknown keys are an
 * error too (a misspelt setting must not be silently ignored).
 */
export function validateSettings(input: Partial<Record<string, unknown>>, preset: Preset = 'default', style: NameStyle = 'label'): RunSettings {
  const out = presetSettings(preset) as Record<SettingKey, unknown>;
  if (typeof input !== 'object' || input === null) throw new SettingsError('settings must be an object of setting names to values.', '');
  for (const [k, v] of Object.entries(input)) {
    if (v === undefined) continue;
    if (!(k in SETTINGS)) {
      throw new SettingsError(`there is no setting called ${JSON.stringify(k)}; known settings: ${Object.keys(SETTINGS).join(', ')}.`, k);
    }
    out[k as SettingKey] = checkSetting(k as SettingKey, v, style);
  }
  return out as RunSettings;
}

/** Parse a CLI flag's text into the setting's value type and check it (SettingsError names the flag). */
export function parseSetting<K extends SettingKey>(key: K, text: string): RunSettings[K] {
  const s: Setting = SETTINGS[key];
  const t = text.trim();
  switch (s.kind) {
    case 'int':
      return checkSetting(key, /^[+-]?\d+$/.test(t) ? Number(t) : t, 'flag');
    case 'number':
      return checkSetting(key, t !== '' && Number.isFinite(Number(t)) ? Number(t) : t, 'flag');
    case 'choice':
      return checkSetting(key, t, 'flag');
    case 'intList': {
      if (t === 'all') return checkSetting(key, [], 'flag');
      const range = /^(\d+)\s*-\s*(\d+)$/.exec(t);
      if (range) {
        const [lo, hi] = [Number(range[1]), Number(range[2])];
        if (lo > hi) fail(key, t, 'flag');
        return checkSetting(key, Array.from({ length: hi - lo + 1 }, (_, i) => lo + i), 'flag');
      }
      const parts = t.split(',').map((p) => p.trim());
      if (parts.some((p) => !/^\d+$/.test(p))) fail(key, t, 'flag');
      return checkSetting(key, parts.map(Number), 'flag');
    }
    case 'subset':
      return checkSetting(key, t.split(',').map((p) => p.trim()).filter((p) => p !== ''), 'flag');
  }
}

/** A value as a CLI flag writes it (for recorded commands and usage text). */
export function formatSetting(key: SettingKey, value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 && SETTINGS[key].kind === 'intList' ? 'all' : value.join(',');
  return String(value);
}

/**
 * The settings of one surface (e.g. ITERATION_KEYS): `input` checked, the rest from the preset. A
 * key outside `keys` is refused, naming what this surface takes.
 */
export function validateSubset<K extends SettingKey>(keys: readonly K[], input: Partial<Record<string, unknown>>, preset: Preset, what: string): Pick<RunSettings, K> {
  if (typeof input !== 'object' || input === null) throw new SettingsError(`${what} settings must be an object of setting names to values.`, '');
  for (const k of Object.keys(input)) {
    if (!(keys as readonly string[]).includes(k)) {
      throw new SettingsError(`${what} takes no setting ${JSON.stringify(k)}; it takes ${keys.join(', ')}.`, k);
    }
  }
  const all = validateSettings(input, preset);
  return Object.fromEntries(keys.map((k) => [k, all[k]])) as Pick<RunSettings, K>;
}
