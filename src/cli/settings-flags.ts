// The CLI's side of the settings table (src/lib/settings): a command lists the settings it takes;
// their flags, usage text, help lines and parsing all come from the table, so a flag has the same
// default, range and message as the page's input. Bad values throw SettingsError naming the flag.
import type { ParseArgsConfig } from 'node:util';
import { SETTINGS, presetSettings, type RunSettings, type Setting, type SettingKey } from '../lib/settings/table.ts';
import { formatSetting, parseSetting, rangeText } from '../lib/settings/validate.ts';
import type { FlagValues } from './command.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs options for these settings' flags. */
export function settingOptions(keys: readonly SettingKey[]): Options {
  return Object.fromEntries(keys.map((k) => [SETTINGS[k].flag, { type: 'string' as const }]));
}

/** "[--w 6] [--temperature 0.5] …" with the defaults. */
export function settingsUsage(keys: readonly SettingKey[]): string {
  return keys.map((k) => `[--${SETTINGS[k].flag} ${formatSetting(k, SETTINGS[k].default)}]`).join(' ');
}

/** One help line per setting: flag, label, range, default, help. */
export function settingsHelp(keys: readonly SettingKey[]): string {
  const width = Math.max(...keys.map((k) => SETTINGS[k].flag.length)) + 2;
  return keys
    .map((k) => {
      const s: Setting = SETTINGS[k];
      return `  --${s.flag.padEnd(width)}${s.label}: ${rangeText(k)}; default ${formatSetting(k, s.default)}. ${s.help}`;
    })
    .join('\n');
}

/** The run settings: the table's defaults, overridden by the given flags (each parsed and checked). */
export function settingsFromFlags(flags: FlagValues, keys: readonly SettingKey[]): RunSettings {
  const out = presetSettings('default') as Record<SettingKey, unknown>;
  for (const k of keys) {
    const v = flags[SETTINGS[k].flag];
    if (typeof v === 'string') out[k] = parseSetting(k, v);
  }
  return out as RunSettings;
}

/** The flags that reproduce these settings (for the command recorded with a run's results). */
export function settingsCommandLine(s: RunSettings, keys: readonly SettingKey[]): string {
  return keys.map((k) => `--${SETTINGS[k].flag} ${formatSetting(k, s[k])}`).join(' ');
}
