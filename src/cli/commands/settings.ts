// `psr settings [--json]`: the settings table (src/lib/settings) as the page and every command use it
// — flag, label, range, default (the paper-sized CLI run), the page's demo value and help — as
// Markdown (the README's "Run settings" section is this output) or JSON.
import type { Command } from '../command.ts';
import { SETTINGS, type Setting, type SettingKey } from '../../lib/settings/table.ts';
import { formatSetting, rangeText } from '../../lib/settings/validate.ts';

/** The table as Markdown, one row per setting. */
export function settingsMarkdown(): string {
  const rows = (Object.keys(SETTINGS) as SettingKey[]).map((k) => {
    const s: Setting = SETTINGS[k];
    const demo = s.demo === undefined ? 'same' : formatSetting(k, s.demo);
    const unit = s.unit ? ` ${s.unit}` : '';
    return `| \`--${s.flag}\` | ${s.label} | ${rangeText(k)} | ${formatSetting(k, s.default)}${unit} | ${demo} | ${s.help.replace(/\|/g, '\\|')} |`;
  });
  return ['| flag | setting | allowed | default (CLI) | page | what it does |', '| --- | --- | --- | --- | --- | --- |', ...rows].join('\n') + '\n';
}

export const settingsCommand: Command = {
  name: 'settings',
  summary: 'Print the table of run settings (flags, labels, ranges, defaults, the page\'s values, help) as Markdown or JSON.',
  usage: 'settings [--json]',
  options: { json: { type: 'boolean' } },
  async run(flags, _positionals, io) {
    io.out(flags.json ? JSON.stringify(SETTINGS, null, 2) + '\n' : settingsMarkdown());
    return 0;
  },
};
