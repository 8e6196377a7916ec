// psr_model.json: which model of the self-rewarding chain a folder holds (M_t's t) and where its
// LoRA adapter lives (a sub-folder, or null for none), with a display name and description.
// Read and validated by the model loader (app and CLI alike); a bad file is a ModelMetaError that
// names the field.
import { ModelMetaError } from '../errors.ts';
import { JUDGE_WORKING_MODES, type JudgeWorkingMode } from '../math/judge-prompt.ts';

export const MODEL_META_FILE = 'psr_model.json';

export interface ModelMeta {
  /** Display name (default: the folder's). */
  name: string | null;
  /** t of the model M_t this folder holds with its adapter (0: a base model, 1: the cold-start M1). */
  generation: number;
  /** The adapter's folder, relative to the model folder ("adapter/"), or null for none. */
  adapter: string | null;
  description: string | null;
  /** The world file (world.json) in the model folder, or null: the default world. */
  world: string | null;
  /**
   * The difficulties [lo, hi] where the model's greedy accuracy is 30–70 % (measured on validation
   * data): the iteration pools are drawn around it by default. Null: not measured (pools use every level).
   */
  frontier: [number, number] | null;
  /** How the model was taught to judge (judge-prompt.ts); inference must use the same. Default 'check'. */
  judgeWorking: JudgeWorkingMode;
}

const FIELDS = ['name', 'generation', 'adapter', 'description', 'world', 'frontier', 'judge_working'] as const;

/** Validate a parsed psr_model.json; ModelMetaError names the first bad field. */
export function parseModelMeta(json: unknown): ModelMeta {
  const bad = (what: string): never => {
    throw new ModelMetaError(`${MODEL_META_FILE}: ${what}; fix the file (fields: ${FIELDS.join(', ')}) or delete it to load the folder as it is.`);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) bad('it must hold one JSON object');
  const o = json as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!(FIELDS as readonly string[]).includes(k)) bad(`unknown field ${JSON.stringify(k)}`);
  const text = (k: 'name' | 'description'): string | null => {
    const v = o[k];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string') bad(`"${k}" must be a string, got ${JSON.stringify(v)}`);
    return v as string;
  };
  const g = o.generation;
  if (typeof g !== 'number' || !Number.isInteger(g) || g < 0 || g > 1000) bad(`"generation" must be a whole number from 0 to 1000 (t of M_t), got ${JSON.stringify(g)}`);
  const a = o.adapter;
  if (a !== null && a !== undefined) {
    if (typeof a !== 'string' || a === '' || a.startsWith('/') || a.split('/').some((p) => p === '..') || /[\\\x00-\x1f]/.test(a)) {
      bad(`"adapter" must be null or a sub-folder of the model folder such as "adapter/", got ${JSON.stringify(a)}`);
    }
  }
  const adapter = typeof a === 'string' ? (a.endsWith('/') ? a : `${a}/`) : null;
  const w = o.world;
  if (w !== undefined && w !== null && (typeof w !== 'string' || !/^[\w.-]+\.json$/.test(w))) bad(`"world" must be null or a JSON file name in the model folder such as "world.json", got ${JSON.stringify(w)}`);
  const f = o.frontier;
  if (f !== undefined && f !== null && !(Array.isArray(f) && f.length === 2 && f.every((x) => Number.isInteger(x) && x >= 1 && x <= 12) && f[0] <= f[1])) {
    bad(`"frontier" must be null or [lo, hi], two difficulty levels with lo ≤ hi, got ${JSON.stringify(f)}`);
  }
  const j = o.judge_working;
  if (j !== undefined && !(JUDGE_WORKING_MODES as readonly unknown[]).includes(j)) bad(`"judge_working" must be one of ${JUDGE_WORKING_MODES.join(', ')}, got ${JSON.stringify(j)}`);
  return {
    name: text('name'),
    generation: g as number,
    adapter,
    description: text('description'),
    world: (w as string | undefined) ?? null,
    frontier: (f as [number, number] | undefined) ?? null,
    judgeWorking: (j as JudgeWorkingMode | undefined) ?? 'check',
  };
}

/** What a folder without psr_model.json is taken to be: M1 when an adapter/ folder is present, else M0; its world.json when present. */
export function defaultModelMeta(hasAdapterFolder: boolean, hasWorldFile: boolean): ModelMeta {
  return { name: null, generation: hasAdapterFolder ? 1 : 0, adapter: hasAdapterFolder ? 'adapter/' : null, description: null, world: hasWorldFile ? 'world.json' : null, frontier: null, judgeWorking: 'check' };
}
