// The shape of one CLI command: its flags (node:util parseArgs options), usage text and run().
// Commands print JSON (or text) to stdout and never call process.exit themselves.
import type { ParseArgsConfig } from 'node:util';
import type { SettingKey } from '../lib/settings/table.ts';

export type FlagValues = Record<string, string | boolean | undefined>;

export interface CliIo {
  /** Write to stdout (a newline is not added). */
  out(text: string): void;
  /** Write to stderr (a newline is not added). */
  err(text: string): void;
  /** Read all of stdin as text (for commands that take JSON input). */
  readStdin(): Promise<string>;
}

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Full usage, e.g. "gpu-info [--json]". */
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** The run settings (src/lib/settings) this command takes as flags: listed with ranges and defaults in its --help. */
  settings?: readonly SettingKey[];
  /** Resolve to the process exit code. Throw PsrError subclasses for bad input. */
  run(flags: FlagValues, positionals: string[], io: CliIo): Promise<number>;
}
