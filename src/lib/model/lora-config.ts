// LoRA adapter config in PEFT's format: adapter_config.json parsed and validated into a
// camelCase LoraConfig, and written back with the fields PEFT's LoraConfig accepts (PEFT ≥ 0.9).
// We implement plain LoRA on the attention and MLP projections (optionally rsLoRA scaling);
// DoRA, biases, per-module rank/alpha patterns, layer subsets and modules_to_save are refused.
import { LoraConfigError } from '../errors.ts';

/** Projections LoRA can adapt, in HF module names (the canonical order used everywhere). */
export const LORA_TARGETS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
export type LoraTarget = (typeof LORA_TARGETS)[number];

export interface LoraConfig {
  /** R */
  r: number;
  alpha: number;
  /** Subset of LORA_TARGETS, in canonical order. */
  targetModules: LoraTarget[];
  /** Training-time dropout on the LoRA input (0 = none). Inference ignores it. */
  dropout: number;
  /** rsLoRA: scale = alpha / sqrt(r) instead of alpha / r. */
  useRslora: boolean;
  baseModelNameOrPath: string | null;
}

/** scale applied to B·A: alpha / r (or alpha / sqrt(r) with rsLoRA). */
export function loraScale(c: LoraConfig): number {
  return c.useRslora ? c.alpha / Math.sqrt(c.r) : c.alpha / c.r;
}

const isTarget = (s: unknown): s is LoraTarget => typeof s === 'string' && (LORA_TARGETS as readonly string[]).includes(s);

/** Build a LoraConfig in code; validated. */
export function defineLoraConfig(init: Pick<LoraConfig, 'r' | 'alpha' | 'targetModules'> & Partial<LoraConfig>): LoraConfig {
  return validateLoraConfig({ dropout: 0, useRslora: false, baseModelNameOrPath: null, ...init });
}

/** Range checks; returns a copy with targetModules in canonical order. */
export function validateLoraConfig(c: LoraConfig): LoraConfig {
  if (!Number.isInteger(c.r) || c.r < 1 || c.r > 4096) {
    throw new LoraConfigError(`adapter_config.json: r = ${c.r} must be an integer in [1, 4096]; typical ranks are 4–64.`);
  }
  if (!(Number.isFinite(c.alpha) && c.alpha > 0)) {
    throw new LoraConfigError(`adapter_config.json: lora_alpha = ${c.alpha} must be a positive number (often r or 2·r).`);
  }
  if (!(c.dropout >= 0 && c.dropout < 1)) {
    throw new LoraConfigError(`adapter_config.json: lora_dropout = ${c.dropout} must be in [0, 1); use 0 for none.`);
  }
  if (!Array.isArray(c.targetModules) || c.targetModules.length === 0) {
    throw new LoraConfigError(
      `adapter_config.json: target_modules must be a non-empty list drawn from ${LORA_TARGETS.join(', ')}.`,
    );
  }
  const bad = c.targetModules.filter((t) => !isTarget(t));
  if (bad.length > 0) {
    throw new LoraConfigError(
      `adapter_config.json: target_modules ${JSON.stringify(bad)} are not supported; choose from ${LORA_TARGETS.join(', ')}.`,
    );
  }
  const set = new Set(c.targetModules);
  if (set.size !== c.targetModules.length) {
    throw new LoraConfigError('adapter_config.json: target_modules lists a module twice; list each module once.');
  }
  return { ...c, targetModules: LORA_TARGETS.filter((t) => set.has(t)) };
}

/** Parse PEFT's adapter_config.json (already JSON-decoded). Throws LoraConfigError naming the field. */
export function parseLoraConfig(json: unknown): LoraConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new LoraConfigError('adapter_config.json must hold a JSON object; check it is a PEFT LoRA adapter config.');
  }
  const j = json as Record<string, unknown>;
  const present = (k: string): boolean => j[k] !== undefined && j[k] !== null;
  const unsupported = (k: string, why: string): never => {
    throw new LoraConfigError(`adapter_config.json: ${k} = ${JSON.stringify(j[k])} is unsupported: ${why}.`);
  };
  if (j.peft_type !== 'LORA') {
    throw new LoraConfigError(
      `adapter_config.json: peft_type = ${JSON.stringify(j.peft_type)}; only "LORA" adapters can be loaded.`,
    );
  }
  if (present('task_type') && j.task_type !== 'CAUSAL_LM') {
    unsupported('task_type', 'PSR Lab adapts causal language models; expected "CAUSAL_LM"');
  }
  if (present('bias') && j.bias !== 'none') unsupported('bias', 'LoRA here trains no biases; set bias to "none"');
  if (j.fan_in_fan_out === true) unsupported('fan_in_fan_out', 'Llama/Qwen2 use nn.Linear, so it must be false');
  if (j.use_dora === true) unsupported('use_dora', 'DoRA is not implemented; use plain LoRA');
  if (present('layers_to_transform')) unsupported('layers_to_transform', 'adapters must cover every layer; set it to null');
  if (present('modules_to_save') && !(Array.isArray(j.modules_to_save) && j.modules_to_save.length === 0)) {
    unsupported('modules_to_save', 'only LoRA matrices are loaded; set it to null');
  }
  for (const k of ['rank_pattern', 'alpha_pattern']) {
    if (present(k) && !(typeof j[k] === 'object' && Object.keys(j[k] as object).length === 0)) {
      unsupported(k, 'every module must share r and lora_alpha; use {}');
    }
  }
  if (present('use_rslora') && typeof j.use_rslora !== 'boolean') {
    throw new LoraConfigError('adapter_config.json: use_rslora must be true or false.');
  }
  let targets = j.target_modules;
  if (typeof targets === 'string') {
    unsupported('target_modules', `patterns such as "all-linear" or regexes are not resolved here; list modules from ${LORA_TARGETS.join(', ')}`);
  }
  if (!Array.isArray(targets)) targets = [];
  const num = (k: string, dflt: number): number => {
    if (!present(k)) return dflt;
    if (typeof j[k] !== 'number') throw new LoraConfigError(`adapter_config.json: ${k} = ${JSON.stringify(j[k])} must be a number.`);
    return j[k] as number;
  };
  if (!present('r')) throw new LoraConfigError('adapter_config.json: required field r (the LoRA rank) is missing; add it.');
  const base = j.base_model_name_or_path;
  return validateLoraConfig({
    r: num('r', 8),
    alpha: num('lora_alpha', 8),
    targetModules: targets as LoraTarget[],
    dropout: num('lora_dropout', 0),
    useRslora: j.use_rslora === true,
    baseModelNameOrPath: typeof base === 'string' ? base : null,
  });
}

/** adapter_config.json as PEFT writes it (keys sorted). */
export function loraConfigToPeft(config: LoraConfig): Record<string, unknown> {
  const c = validateLoraConfig(config);
  return {
    alpha_pattern: {},
    auto_mapping: null,
    base_model_name_or_path: c.baseModelNameOrPath,
    bias: 'none',
    fan_in_fan_out: false,
    inference_mode: true,
    init_lora_weights: true,
    layers_pattern: null,
    layers_to_transform: null,
    lora_alpha: c.alpha,
    lora_dropout: c.dropout,
    modules_to_save: null,
    peft_type: 'LORA',
    r: c.r,
    rank_pattern: {},
    revision: null,
    target_modules: c.targetModules.slice(),
    task_type: 'CAUSAL_LM',
    use_dora: false,
    use_rslora: c.useRslora,
  };
}
