// The one table of run settings: for every setting of the search, the judge, step-DPO, LoRA, the
// iteration pools, evaluation, seeds and the backend — its default (the paper-sized CLI run), the
// page's demo value where it differs, its range, unit, human label, CLI flag and one line of help.
// Plain data: the page's inputs, the CLI's flags and usage text, the lab and the loop all read it;
// validate.ts checks values against it once, where input enters (the lab and the CLI).
import { LORA_TARGETS } from '../model/lora-config.ts';
import { BACKEND_CHOICES } from '../backend/names.ts';

interface SettingBase {
  /** What a person reads: the page's input label and the name in every error message. */
  label: string;
  /** The CLI flag, without the leading dashes. */
  flag: string;
  /** One line of help (the page's tooltip, the CLI's usage notes). */
  help: string;
  unit?: string;
}

export interface IntSetting extends SettingBase {
  kind: 'int';
  default: number;
  /** The page's value where a live demo wants a smaller one. */
  demo?: number;
  min: number;
  max: number;
}

export interface NumberSetting extends SettingBase {
  kind: 'number';
  default: number;
  demo?: number;
  min: number;
  max: number;
  /** The lower bound itself is not allowed (e.g. a learning rate of 0). */
  minExclusive?: boolean;
  /** The page's input step. */
  step: number;
}

export interface ChoiceSetting<C extends string = string> extends SettingBase {
  kind: 'choice';
  choices: readonly C[];
  default: C;
  demo?: C;
}

/** A set of whole numbers (given as a list or a range such as 2-4); empty = all (written "all"). */
export interface IntListSetting extends SettingBase {
  kind: 'intList';
  default: readonly number[];
  demo?: readonly number[];
  min: number;
  max: number;
}

/** A non-empty subset of named choices (given as a comma list). */
export interface SubsetSetting<C extends string = string> extends SettingBase {
  kind: 'subset';
  choices: readonly C[];
  default: readonly C[];
  demo?: readonly C[];
}

export type Setting = IntSetting | NumberSetting | ChoiceSetting | IntListSetting | SubsetSetting;

const SEED_MAX = 4294967295;

export const SETTINGS = {
  // ---- the step-wise search -------------------------------------------------------------------
  w: {
    kind: 'int', label: 'Candidates per step (w)', flag: 'w', default: 6, demo: 4, min: 2, max: 32,
    help: 'Next steps sampled at every step; the best and worst by pairwise wins form a pair (the paper: 6).',
  },
  temperature: {
    kind: 'number', label: 'Sampling temperature', flag: 'temperature', default: 0.5, min: 0, max: 2, step: 0.1,
    help: 'Temperature of the candidate steps (the paper: 0.5); 0 makes every candidate the greedy one.',
  },
  topP: {
    kind: 'number', label: 'Top-p', flag: 'top-p', default: 0.95, min: 0, max: 1, minExclusive: true, step: 0.05,
    help: 'Nucleus sampling mass of the candidates (the paper: 0.95; 1 keeps the whole distribution).',
  },
  maxSteps: {
    kind: 'int', label: 'Most steps per solution', flag: 'max-steps', default: 20, demo: 10, min: 1, max: 64, unit: 'steps',
    help: 'A solution stops unfinished after this many accepted steps (the paper: 20).',
  },
  judgeOrder: {
    kind: 'choice', label: 'Judge orders', flag: 'judge-order', choices: ['both', 'random'], default: 'both',
    help: 'both: every pair is judged as (A, B) and (B, A) and the verdicts averaged (no position bias); random: one seeded order (half the cost).',
  },
  tieThreshold: {
    kind: 'number', label: 'Tie threshold', flag: 'tie-threshold', default: 1e-9, min: 0, max: 0.5, step: 0.01,
    help: 'A pairwise verdict P(A wins) within this distance of 0.5 counts as a tie: half a win each.',
  },
  pairMargin: {
    kind: 'number', label: 'Pair filter margin', flag: 'pair-margin', default: 0, min: 0, max: 0.49, step: 0.05,
    help: 'Keep a (best, worst) pair only when the judge put best over worst in both orders and |P − 0.5| exceeds this; 0 keeps every pair (the best step is appended either way).',
  },
  maxRollbacks: {
    kind: 'int', label: 'Rollbacks per problem', flag: 'max-rollbacks', default: 5, min: 0, max: 100,
    help: 'When all candidates tie the search drops the previous step; after this many it accepts a tied candidate.',
  },
  // ---- the outcome-level baseline (SRLM) --------------------------------------------------------
  srlmSamples: {
    kind: 'int', label: 'Solutions per problem (SRLM)', flag: 'srlm-n', default: 4, min: 2, max: 16,
    help: 'Whole solutions sampled and scored per problem by the outcome-level baseline (Yuan et al.: 4).',
  },
  // ---- step-DPO -----------------------------------------------------------------------------------
  objective: {
    kind: 'choice', label: 'Training objective', flag: 'objective', choices: ['dpo', 'sft'], default: 'dpo',
    help: 'dpo: step-DPO on the (chosen, rejected) pairs, plus α × the chosen step\'s NLL (the method); sft: the chosen steps\' NLL alone, the rejected ones unused — a control that shows what the preference adds.',
  },
  beta: {
    kind: 'number', label: 'DPO β', flag: 'beta', default: 0.1, min: 0, max: 10, minExclusive: true, step: 0.05,
    help: 'How far the policy may move from the iteration\'s starting model (Step-DPO: 0.4–0.5; Self-Rewarding: 0.1).',
  },
  nllWeight: {
    kind: 'number', label: 'NLL weight (α)', flag: 'nll', default: 0, min: 0, max: 100, step: 0.1,
    help: 'Weight of the chosen step\'s per-token NLL added to the DPO loss (iterative RPO); 0 = plain step-DPO.',
  },
  lr: {
    kind: 'number', label: 'Learning rate', flag: 'lr', default: 5e-4, min: 0, max: 0.1, minExclusive: true, step: 0.0001,
    help: 'Peak AdamW learning rate of the LoRA adapter (warmup, then cosine to a tenth).',
  },
  epochs: {
    kind: 'int', label: 'Epochs', flag: 'epochs', default: 2, min: 1, max: 50,
    help: 'Passes over the iteration\'s preference pairs.',
  },
  pairsPerStep: {
    kind: 'int', label: 'Pairs per optimizer step', flag: 'pairs-per-step', default: 8, min: 1, max: 64, unit: 'pairs',
    help: 'Preference pairs averaged into one AdamW step.',
  },
  trainMaxStep: {
    kind: 'int', label: 'Train on pairs up to step', flag: 'train-max-step', default: 0, min: 0, max: 64,
    help: 'Train only on the pairs of the first N steps of a solution (later prefixes are more often already wrong); 0 trains on every pair. All pairs are still exported.',
  },
  trainMinCount: {
    kind: 'int', label: 'Chosen step written at least', flag: 'train-min-count', default: 1, min: 1, max: 32, unit: 'times',
    help: 'Train only on pairs whose chosen step was written by at least this many of the w samples (the model\'s own agreement, no ground truth); 1 trains on every pair.',
  },
  // ---- the LoRA adapter a fresh loop starts from ----------------------------------------------------
  loraRank: {
    kind: 'int', label: 'LoRA rank', flag: 'rank', default: 16, min: 1, max: 256,
    help: 'Rank r of a fresh adapter (used when the model ships without one).',
  },
  loraAlpha: {
    kind: 'number', label: 'LoRA alpha', flag: 'alpha', default: 16, min: 0, max: 4096, minExclusive: true, step: 1,
    help: 'Scale numerator of a fresh adapter: the update is (alpha / r)·B·A.',
  },
  loraTargets: {
    kind: 'subset', label: 'LoRA targets', flag: 'targets', choices: LORA_TARGETS, default: LORA_TARGETS,
    help: 'Projections a fresh adapter trains.',
  },
  // ---- the iterations -------------------------------------------------------------------------------
  method: {
    kind: 'choice', label: 'Method', flag: 'method', choices: ['psr', 'srlm'], default: 'psr',
    help: 'psr: step-wise search with pairwise self-judging (the paper); srlm: outcome-level self-rewarding (the baseline).',
  },
  judge: {
    kind: 'choice', label: 'Judge', flag: 'judge', choices: ['self', 'oracle', 'random'], default: 'self',
    help: 'self: the model judges its own candidates (the method). Control experiments, never part of the loop: oracle — the step checker judges them; random — a seeded coin does (what sampling and the pair filters give without a judge).',
  },
  iterations: {
    kind: 'int', label: 'Iterations', flag: 'iterations', default: 3, demo: 1, min: 1, max: 10,
    help: 'Self-rewarding iterations M1 → M2 → … (the paper: 3).',
  },
  problems: {
    kind: 'int', label: 'Problems per iteration', flag: 'problems', default: 64, demo: 8, min: 1, max: 10000, unit: 'problems',
    help: 'Fresh problems searched in the first iteration (never in an evaluation set).',
  },
  poolGrowth: {
    kind: 'choice', label: 'Pool growth', flag: 'pool-growth', choices: ['linear', 'constant'], default: 'linear', demo: 'constant',
    help: 'linear: iteration k searches k × the problems (like the paper\'s 400 / 800 / 1,200); constant: every iteration the same number.',
  },
  difficulties: {
    kind: 'intList', label: 'Pool difficulties', flag: 'difficulties', default: [], min: 1, max: 12,
    help: 'Difficulty levels of the iteration problems, spread evenly (a repeated level weighs more): by default a quarter below, half at and a quarter above the model\'s frontier (psr_model.json), or every level when it has none.',
  },
  // ---- evaluation -------------------------------------------------------------------------------------
  evalProblems: {
    kind: 'int', label: 'Evaluation problems', flag: 'eval-problems', default: 500, demo: 24, min: 1, max: 500, unit: 'problems',
    help: 'Held-out problems solved greedily before and after (an even spread of the 500 held-out ones).',
  },
  evalDifficulties: {
    kind: 'intList', label: 'Evaluation difficulties', flag: 'eval-difficulties', default: [], min: 1, max: 12,
    help: 'Difficulty levels of the held-out problems a run evaluates (all of them by default); e.g. the frontier mix, to measure where the loop trains. Judge pairs stay all levels.',
  },
  evalPairs: {
    kind: 'int', label: 'Evaluation judge pairs', flag: 'eval-pairs', default: 500, demo: 24, min: 1, max: 500, unit: 'pairs',
    help: 'Held-out step pairs the judge is tested on before and after (an even spread of the 500 held-out ones).',
  },
  // ---- seeds and the machine ----------------------------------------------------------------------------
  seed: {
    kind: 'int', label: 'Seed', flag: 'seed', default: 1, min: 0, max: SEED_MAX,
    help: 'Seeds the sampling, tie-breaks and the order of DPO batches (the problems come from the dataset seed).',
  },
  datasetSeed: {
    kind: 'int', label: 'Dataset seed', flag: 'dataset-seed', default: 1, min: 0, max: SEED_MAX,
    help: 'Seeds the held-out sets and the iteration pools: 1 = held-out (report), 2 = validation (choose settings).',
  },
  backend: {
    kind: 'choice', label: 'Backend', flag: 'backend', choices: BACKEND_CHOICES, default: 'auto',
    help: 'auto: WebGPU on a hardware GPU, else WebAssembly SIMD on the CPU; webgpu, wasm or cpu (the TypeScript reference) force one.',
  },
  threads: {
    kind: 'int', label: 'CPU threads', flag: 'threads', default: 0, min: 0, max: 64,
    help: 'Threads the WebAssembly backend splits its matmuls, attention and cross-entropy across; 0 = one per core. Results are the same for every count.',
  },
} as const satisfies Record<string, Setting>;

export type SettingKey = keyof typeof SETTINGS;

type ValueOf<S> = S extends { kind: 'int' | 'number' }
  ? number
  : S extends { kind: 'intList' }
    ? number[]
    : S extends { kind: 'subset'; choices: readonly (infer C)[] }
      ? C[]
      : S extends { kind: 'choice'; choices: readonly (infer C)[] }
        ? C
        : never;

/** Every run setting with its value type: what validate.ts returns and the loop plan consumes. */
export type RunSettings = { -readonly [K in SettingKey]: ValueOf<(typeof SETTINGS)[K]> };

export type Preset = 'default' | 'demo';

/** One setting's value under a preset (a fresh copy for list values). */
export function presetValue<K extends SettingKey>(key: K, preset: Preset): RunSettings[K] {
  const s: Setting = SETTINGS[key];
  const v = preset === 'demo' && s.demo !== undefined ? s.demo : s.default;
  return (Array.isArray(v) ? [...v] : v) as RunSettings[K];
}

/** Every setting under a preset: 'default' (the paper-sized CLI run) or 'demo' (the page). */
export function presetSettings(preset: Preset = 'default'): RunSettings {
  const out: Partial<Record<SettingKey, unknown>> = {};
  for (const key of Object.keys(SETTINGS) as SettingKey[]) out[key] = presetValue(key, preset);
  return out as RunSettings;
}

/** The settings of one watched search (the page's "Watch the search" and EngineApi.searchOneProblem). */
export const SEARCH_KEYS = ['w', 'temperature', 'topP', 'maxSteps', 'tieThreshold', 'pairMargin', 'judgeOrder', 'maxRollbacks', 'seed'] as const satisfies readonly SettingKey[];

/**
 * The settings one app iteration takes (EngineApi.runIteration). Not here: the CLI's own (method,
 * judge, iterations, SRLM samples) and those fixed when the model loads (backend; the LoRA shape of a
 * fresh adapter, made with the defaults when a model ships without one).
 */
export const ITERATION_KEYS = [
  'w', 'temperature', 'topP', 'maxSteps', 'tieThreshold', 'pairMargin', 'judgeOrder', 'maxRollbacks',
  'objective', 'beta', 'nllWeight', 'lr', 'epochs', 'pairsPerStep', 'trainMaxStep', 'trainMinCount',
  'problems', 'poolGrowth', 'difficulties', 'evalProblems', 'evalPairs', 'seed', 'datasetSeed',
] as const satisfies readonly SettingKey[];

/** The inputs of the page's "Run an iteration" panel, in the order shown. */
export const PAGE_ITERATION_INPUTS = ['problems', 'w', 'temperature', 'maxSteps', 'beta', 'nllWeight', 'lr', 'epochs', 'evalProblems', 'evalPairs', 'seed'] as const satisfies readonly SettingKey[];

/** The inputs of the page's "Watch the search" panel. */
export const PAGE_SEARCH_INPUTS = ['w', 'temperature', 'maxSteps'] as const satisfies readonly SettingKey[];

export type SearchRequestSettings = Pick<RunSettings, (typeof SEARCH_KEYS)[number]>;
export type IterationSettings = Pick<RunSettings, (typeof ITERATION_KEYS)[number]>;

/** The settings whose values are single numbers (what a number input can hold). */
export type NumericSettingKey = { [K in SettingKey]: (typeof SETTINGS)[K]['kind'] extends 'int' | 'number' ? K : never }[SettingKey];
