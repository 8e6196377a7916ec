// `--world FILE`: the math world from a JSON world file (src/lib/math/world-file.ts). Commands
// with a model use the model's world (its world.json) unless --world names another one, which must
// write numbers in the same digit order as the model's tokenizer.
import { readFile } from 'node:fs/promises';
import { defaultWorldConfig, type WorldConfig } from '../lib/math/config.ts';
import { parseWorldFile, sameWorld } from '../lib/math/world-file.ts';
import { WorldConfigError } from '../lib/errors.ts';
import type { CliIo, FlagValues } from './command.ts';

export const WORLD_OPTION = { world: { type: 'string' as const } };
export const WORLD_USAGE = '[--world FILE]';

/** The world of --world FILE, or null without the flag. */
export async function worldFromFlag(flags: FlagValues): Promise<WorldConfig | null> {
  if (typeof flags.world !== 'string') return null;
  let text: string;
  try {
    text = await readFile(flags.world, 'utf8');
  } catch (e) {
    throw new WorldConfigError(`--world ${flags.world} cannot be read (${(e as { code?: string }).code ?? String(e)}); pass a JSON world file.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new WorldConfigError(`--world ${flags.world} is not valid JSON (${(e as Error).message}); fix the file.`);
  }
  return parseWorldFile(json);
}

/** --world, else the default world (commands without a model). */
export async function worldOrDefault(flags: FlagValues): Promise<WorldConfig> {
  return (await worldFromFlag(flags)) ?? defaultWorldConfig();
}

/** The model's world, or --world when given (same digit order as the model; a note when it differs). */
export async function worldForModel(flags: FlagValues, model: { world: WorldConfig }, io: CliIo): Promise<WorldConfig> {
  const given = await worldFromFlag(flags);
  if (!given) return model.world;
  if (given.digitOrder !== model.world.digitOrder) {
    throw new WorldConfigError(`--world writes numbers ${given.digitOrder} first but the model reads them ${model.world.digitOrder} first; use a world with "digitOrder": "${model.world.digitOrder}".`);
  }
  if (!sameWorld(given, model.world)) io.err('note: --world differs from the world the model was trained on (its world.json)\n');
  return given;
}
