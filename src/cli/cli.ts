// The CLI's dispatcher: parses flags strictly, runs the command, prints usage and returns 2 on
// unknown commands or flags, 1 on named errors. src/cli/main.ts calls it with the real process.
import { parseArgs } from 'node:util';
import { commands } from './commands/index.ts';
import type { CliIo, Command } from './command.ts';
import { PsrError, SettingsError, UsageError } from '../lib/errors.ts';
import { settingOptions, settingsHelp } from './settings-flags.ts';

export const processIo: CliIo = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
};

/** The list of commands, as `help` prints it. */
export function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `usage: npm run psr -- <command> [flags]\n\ncommands:\n${lines.join('\n')}\n\n` +
    `Run "npm run psr -- <command> --help" for the flags of one command.\n`;
}

function commandUsage(c: Command): string {
  const settings = c.settings?.length ? `\nsettings (one table with the app: src/lib/settings/table.ts):\n${settingsHelp(c.settings)}\n` : '';
  return `usage: npm run psr -- ${c.usage}\n\n${c.summary}\n${settings}`;
}

/** Run one command line (without the leading "node main.ts"); resolves to the exit code. */
export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    (name === undefined ? io.err : io.out)(usage());
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.err(`error: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...command.options, ...settingOptions(command.settings ?? []), help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: true,
    });
  } catch (e) {
    io.err(`error: ${(e as Error).message}\n\n${commandUsage(command)}`);
    return 2;
  }
  if (parsed.values.help) {
    io.out(commandUsage(command));
    return 0;
  }
  try {
    return await command.run(parsed.values as Record<string, string | boolean | undefined>, parsed.positionals, io);
  } catch (e) {
    if (e instanceof UsageError || e instanceof SettingsError) {
      io.err(`${e.name}: ${e.message}\n\n${commandUsage(command)}`);
      return 2;
    }
    if (e instanceof PsrError) {
      io.err(`${e.name}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
