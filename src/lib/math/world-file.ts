// A world file: the math world as JSON (`--world FILE`, and `world.json` in a model's folder, so
// every later command and the app use the world the model was trained on). A level may give only
// the fields it changes: each is laid over the default level of the same difficulty (the hardest
// default level for levels beyond six). The templates are a named set: "default" (steps name the
// person whose amount they compute) or "nameless-steps" (the same questions, steps that name no
// one); both share the question sentences the checker and the parser read, and the vocabulary.
import { WorldConfigError } from '../errors.ts';
import { DEFAULT_DIFFICULTIES, defaultWorldConfig, validateWorldConfig, type DifficultyConfig, type WorldConfig } from './config.ts';
import { TEMPLATE_SETS, templateSetName } from './templates.ts';

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
  const names = Object.keys(TEMPLATE_SETS);
  if (o.templates !== undefined && (typeof o.templates !== 'string' || !names.includes(o.templates))) {
    bad('templates', `must be one of ${names.map((n) => JSON.stringify(n)).join(', ')} (or left out for "default"), got ${JSON.stringify(o.templates)}`);
  }
  const world = defaultWorldConfig();
  if (typeof o.templates === 'string') world.templates = TEMPLATE_SETS[o.templates];
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
  const templates = templateSetName(world.templates);
  if (templates === null) {
    throw new WorldConfigError(`this world has its own templates, which a world file cannot hold yet; use one of the named sets (${Object.keys(TEMPLATE_SETS).join(', ')}).`);
  }
  return { digitOrder: world.digitOrder, templates, difficulties: world.difficulties };
}

/** Whether two worlds make the same problems (same levels and digit order). */
export function sameWorld(a: WorldConfig, b: WorldConfig): boolean {
  return JSON.stringify(worldToJson(a)) === JSON.stringify(worldToJson(b));
}

/** A world file's text: one level per line, so a diff shows which level changed. */
export function worldFileText(world: WorldConfig): string {
  const j = worldToJson(world);
  const levels = (j.difficulties as DifficultyConfig[]).map((d) => `  ${JSON.stringify(d)}`).join(',\n');
  return `{\n "digitOrder": ${JSON.stringify(j.digitOrder)},\n "templates": ${JSON.stringify(j.templates)},\n "difficulties": [\n${levels}\n ]\n}\n`;
}
