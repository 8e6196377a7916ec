// A world file: the math world as JSON (`--world FILE`, and `world.json` in a model's folder, so
// every later command and the app use the world the model was trained on). A level may give only
// the fields it changes: each is laid over the default level of the same difficulty (the hardest
// default level for levels beyond six). The templates are the default ones (the vocabulary, the
// step checker and the question parser read them); a file may say "templates": "default".
import { WorldConfigError } from '../errors.ts';
import { DEFAULT_DIFFICULTIES, defaultWorldConfig, validateWorldConfig, type DifficultyConfig, type WorldConfig } from './config.ts';
import { DEFAULT_TEMPLATES } from './templates.ts';

export const WORLD_FILE = 'world.json';

const TOP_FIELDS = ['digitOrder', 'difficulties', 'templates', 'description'] as const;
const LEVEL_FIELDS = Object.keys(DEFAULT_DIFFICULTIES[0]) as (keyof DifficultyConfig)[];

/** Parse and validate a world file's JSON; WorldConfigError names the bad field and what to write. */
export function parseWorldFile(json: unknown): WorldConfig {
  const bad = (field: string, what: string): never => {
    throw new WorldConfigError(`world file ${field} ${what}`);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) bad('', 'must be one JSON object such as {"digitOrder": "lsd", "difficulties": [{"maxValue": 50}, …]}');
  const o = json as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!(TOP_FIELDS as readonly string[]).includes(k)) bad(k, `is not a world field; use ${TOP_FIELDS.join(', ')}`);
  if (o.templates !== undefined && o.templates !== 'default') {
    bad('templates', 'must be "default" (or left out): the step checker, the question parser and the vocabulary read the default templates');
  }
  const world = defaultWorldConfig();
  if (o.digitOrder !== undefined) world.digitOrder = o.digitOrder as WorldConfig['digitOrder'];
  if (o.difficulties !== undefined) {
    if (!Array.isArray(o.difficulties)) bad('difficulties', 'must be a list of levels (objects), easiest first');
    world.difficulties = (o.difficulties as unknown[]).map((level, i) => {
      if (typeof level !== 'object' || level === null || Array.isArray(level)) bad(`difficulties[${i}]`, 'must be an object of level fields');
      for (const k of Object.keys(level as object)) {
        if (!(LEVEL_FIELDS as string[]).includes(k)) bad(`difficulties[${i}].${k}`, `is not a level field; use ${LEVEL_FIELDS.join(', ')}`);
      }
      const base = DEFAULT_DIFFICULTIES[Math.min(i, DEFAULT_DIFFICULTIES.length - 1)];
      return { ...base, ops: [...base.ops], ...(level as Partial<DifficultyConfig>) };
    });
  }
  return validateWorldConfig(world);
}

/** The world as a complete world file (every level spelt out), for a model's folder. */
export function worldToJson(world: WorldConfig): Record<string, unknown> {
  if (world.templates !== DEFAULT_TEMPLATES) throw new WorldConfigError('this world has its own templates, which a world file cannot hold yet; use the default templates.');
  return { digitOrder: world.digitOrder, templates: 'default', difficulties: world.difficulties };
}

/** Whether two worlds make the same problems (same levels and digit order). */
export function sameWorld(a: WorldConfig, b: WorldConfig): boolean {
  return JSON.stringify(worldToJson(a)) === JSON.stringify(worldToJson(b));
}

/** A world file's text: one level per line, so a diff shows which level changed. */
export function worldFileText(world: WorldConfig): string {
  const j = worldToJson(world);
  const levels = (j.difficulties as DifficultyConfig[]).map((d) => `  ${JSON.stringify(d)}`).join(',\n');
  return `{\n "digitOrder": ${JSON.stringify(j.digitOrder)},\n "templates": "default",\n "difficulties": [\n${levels}\n ]\n}\n`;
}
