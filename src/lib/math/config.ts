// WorldConfig: every knob of the math world (number ranges, operations and steps per
// difficulty, distractors, templates, digit order seen by the model) with a validated default.
// validateWorldConfig throws WorldConfigError naming the bad field and a fix.

import { WorldConfigError } from '../errors.ts';
import { OPS, type Op } from './graph.ts';
import { DEFAULT_TEMPLATES, allTemplateStrings, type TemplateSet } from './templates.ts';

/** Order in which the tokenizer presents the digits of a number to the model. */
import type { DigitOrder } from '../tokenizer/tokenizer.ts';
export type { DigitOrder };

export type Range = [lo: number, hi: number];

export interface DifficultyConfig {
  /** Number of reasoning steps (derived quantities the answer needs). */
  steps: Range;
  /** Operations allowed at this level. */
  ops: Op[];
  /** A person's given amount. */
  start: Range;
  /** n in "n more" / "n fewer". */
  addend: Range;
  /** n in "n times", "divided by n", "among n friends". */
  factor: Range;
  /** Price per unit in cost questions. */
  price: Range;
  /** Every amount (given or derived) stays in [2, maxValue]; bare numbers in relations stay <= maxValue. */
  maxValue: number;
  /** Irrelevant facts added to the question. */
  distractors: Range;
  /** Probability that a derived amount combines two people instead of a person and a number. */
  pairChance: number;
}

export interface WorldConfig {
  /** difficulties[d - 1] configures difficulty d. */
  difficulties: DifficultyConfig[];
  templates: TemplateSet;
  digitOrder: DigitOrder;
}

const ALL: Op[] = ['+', '-', '×', '÷'];

export const DEFAULT_DIFFICULTIES: DifficultyConfig[] = [
  { steps: [1, 1], ops: ['+', '-'], start: [2, 20], addend: [2, 10], factor: [2, 5], price: [2, 5], maxValue: 50, distractors: [0, 0], pairChance: 0.2 },
  { steps: [2, 2], ops: ['+', '-', '×'], start: [2, 20], addend: [2, 10], factor: [2, 5], price: [2, 5], maxValue: 99, distractors: [0, 0], pairChance: 0.25 },
  { steps: [3, 3], ops: ALL, start: [2, 30], addend: [2, 20], factor: [2, 6], price: [2, 6], maxValue: 199, distractors: [0, 1], pairChance: 0.25 },
  { steps: [4, 4], ops: ALL, start: [2, 40], addend: [2, 20], factor: [2, 8], price: [2, 9], maxValue: 499, distractors: [1, 1], pairChance: 0.3 },
  { steps: [5, 5], ops: ALL, start: [2, 50], addend: [2, 30], factor: [2, 9], price: [2, 9], maxValue: 999, distractors: [1, 2], pairChance: 0.3 },
  { steps: [6, 6], ops: ALL, start: [2, 50], addend: [2, 30], factor: [2, 9], price: [2, 9], maxValue: 999, distractors: [1, 2], pairChance: 0.3 },
];

/** A fresh copy of the default world (difficulties 1..6, default templates, least-significant digit first). */
export function defaultWorldConfig(): WorldConfig {
  return {
    difficulties: DEFAULT_DIFFICULTIES.map((d) => ({ ...d, ops: [...d.ops] })),
    templates: DEFAULT_TEMPLATES,
    digitOrder: 'lsd',
  };
}

export const MAX_WORLD_STEPS = 12;
export const MAX_VALUE_LIMIT = 1_000_000;

function fail(field: string, problem: string, fix: string): never {
  throw new WorldConfigError(`world config ${field} ${problem}; ${fix}`);
}

function checkRange(field: string, r: unknown, min: number, max: number): void {
  if (!Array.isArray(r) || r.length !== 2 || !r.every((x) => Number.isInteger(x))) {
    fail(field, `must be [lo, hi] integers, got ${JSON.stringify(r)}`, `write e.g. [${min}, ${Math.min(max, min + 9)}]`);
  }
  const [lo, hi] = r as number[];
  if (lo > hi) fail(field, `has lo ${lo} above hi ${hi}`, 'swap the bounds');
  if (lo < min || hi > max) fail(field, `must lie within [${min}, ${max}], got [${lo}, ${hi}]`, 'shrink the range');
}

function checkTemplates(t: TemplateSet, needNames: number): void {
  if (!t || typeof t !== 'object') fail('templates', 'is missing', 'use DEFAULT_TEMPLATES or a TemplateSet of the same shape');
  const names = t.names;
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string' || !/^[A-Z][a-z]+$/.test(n))) {
    fail('templates.names', 'must be capitalised single words like "Tom"', 'fix the names list');
  }
  if (new Set(names).size !== names.length) fail('templates.names', 'has duplicates', 'remove repeated names');
  if (names.length < needNames) {
    fail('templates.names', `has ${names.length} names but the hardest level may need ${needNames} people`, 'add names or lower steps/distractors');
  }
  const words = /^[a-z]+( [a-z]+)*$/;
  if (!Array.isArray(t.things) || t.things.length < 2) fail('templates.things', 'needs at least 2 things (one for distractors)', 'add things');
  for (const th of t.things) {
    if (!words.test(th.plural) || !/^[a-z]+$/.test(th.sing)) {
      fail('templates.things', `entry ${JSON.stringify(th)} must be lowercase words (sing one word)`, 'fix that entry');
    }
  }
  if (new Set(t.things.map((x) => x.plural)).size !== t.things.length) fail('templates.things', 'has duplicate plurals', 'remove repeats');
  if (!Array.isArray(t.verbs) || t.verbs.length < 1) fail('templates.verbs', 'needs at least one verb', 'add e.g. { s: "has", base: "have" }');
  for (const v of t.verbs) {
    if (!/^[a-z]+$/.test(v.s) || !/^[a-z]+$/.test(v.base)) fail('templates.verbs', `entry ${JSON.stringify(v)} must be lowercase words`, 'fix that entry');
  }
  const s = t.sentences;
  const lists: [string, string[] | undefined, string[]][] = [
    ['sentences.given', s?.given, ['{P}', '{n}', '{thing}']],
    ['sentences.extra', s?.extra, ['{R}', '{n}', '{other}']],
    ['sentences.ask', s?.ask, ['{R}', '{thing}']],
    ...OPS.map((op): [string, string[] | undefined, string[]] => [`sentences.rel[${op}]`, s?.rel?.[op], ['{P}', '{R}', '{n}', '{thing}']]),
    ...(['+', '-'] as const).map((op): [string, string[] | undefined, string[]] => [`sentences.pair[${op}]`, s?.pair?.[op], ['{P}', '{R1}', '{R2}', '{thing}']]),
    ...(['+', '-'] as const).map((op): [string, string[] | undefined, string[]] => [`sentences.askPair[${op}]`, s?.askPair?.[op], ['{R1}', '{R2}']]),
    ...(['×', '÷'] as const).map((op): [string, string[] | undefined, string[]] => [`sentences.askRel[${op}]`, s?.askRel?.[op], ['{R}', '{n}']]),
    // A step may name no one (the checker's rule); the nameless-steps set does so.
    ['steps.person', t.steps?.person, ['{eq}']],
    ['steps.together', t.steps?.together, ['{eq}']],
    ['steps.more', t.steps?.more, ['{eq}']],
    ['steps.cost', t.steps?.cost, ['{eq}']],
    ['steps.share', t.steps?.share, ['{eq}']],
  ];
  for (const [field, list, slots] of lists) {
    if (!Array.isArray(list) || list.length === 0) fail(`templates.${field}`, 'needs at least one template', 'add one');
    for (const tpl of list) {
      for (const slot of slots) {
        if (!tpl.includes(slot)) fail(`templates.${field}`, `template "${tpl}" lacks the slot ${slot}`, 'add the slot');
      }
      if (/\d/.test(tpl.replace(/\{[A-Za-z0-9]+\}/g, ''))) fail(`templates.${field}`, `template "${tpl}" contains a digit`, 'numbers come only from slots');
    }
  }
  if (typeof t.steps?.answer !== 'string' || !t.steps.answer.includes('{c}')) {
    fail('templates.steps.answer', 'must be a string with the slot {c}', 'use "The answer is {c}."');
  }
  for (const tpl of allTemplateStrings(t)) {
    if (/ {2}|^ | $/.test(tpl)) fail('templates', `template "${tpl}" has doubled or edge spaces`, 'use single spaces (canonical text)');
  }
}

/** Throws WorldConfigError on the first bad field; returns the config unchanged when valid. */
export function validateWorldConfig(cfg: WorldConfig): WorldConfig {
  if (!cfg || typeof cfg !== 'object') fail('', 'is missing', 'start from defaultWorldConfig()');
  if (cfg.digitOrder !== 'msd' && cfg.digitOrder !== 'lsd') {
    fail('digitOrder', `must be "msd" or "lsd", got ${JSON.stringify(cfg.digitOrder)}`, 'pick one');
  }
  if (!Array.isArray(cfg.difficulties) || cfg.difficulties.length < 1 || cfg.difficulties.length > 12) {
    fail('difficulties', 'must list 1 to 12 levels', 'start from DEFAULT_DIFFICULTIES');
  }
  let needNames = 0;
  cfg.difficulties.forEach((d, i) => {
    const f = `difficulties[${i}]`;
    if (!d || typeof d !== 'object') fail(f, 'is missing', 'copy a level from DEFAULT_DIFFICULTIES');
    checkRange(`${f}.steps`, d.steps, 1, MAX_WORLD_STEPS);
    if (!Array.isArray(d.ops) || d.ops.length === 0 || d.ops.some((op) => !OPS.includes(op)) || new Set(d.ops).size !== d.ops.length) {
      fail(`${f}.ops`, `must be a non-empty list of distinct ops from ${OPS.join(' ')}, got ${JSON.stringify(d.ops)}`, 'fix the list');
    }
    if (!Number.isInteger(d.maxValue) || d.maxValue < 10 || d.maxValue > MAX_VALUE_LIMIT) {
      fail(`${f}.maxValue`, `must be an integer in [10, ${MAX_VALUE_LIMIT}], got ${d.maxValue}`, 'pick e.g. 999');
    }
    checkRange(`${f}.start`, d.start, 2, d.maxValue);
    checkRange(`${f}.addend`, d.addend, 1, d.maxValue);
    checkRange(`${f}.factor`, d.factor, 2, d.maxValue);
    checkRange(`${f}.price`, d.price, 1, d.maxValue);
    checkRange(`${f}.distractors`, d.distractors, 0, 6);
    if (typeof d.pairChance !== 'number' || !(d.pairChance >= 0 && d.pairChance <= 1)) {
      fail(`${f}.pairChance`, `must be a probability in [0, 1], got ${d.pairChance}`, 'pick e.g. 0.25');
    }
    // Worst case: every step combines two people (steps + 1 leaves + steps derived) plus distractor people.
    needNames = Math.max(needNames, 2 * d.steps[1] + 1 + d.distractors[1]);
  });
  checkTemplates(cfg.templates, needNames);
  return cfg;
}

/** The level config for difficulty d (1-based); throws WorldConfigError for levels the world lacks. */
export function levelOf(cfg: WorldConfig, difficulty: number): DifficultyConfig {
  if (!Number.isInteger(difficulty) || difficulty < 1 || difficulty > cfg.difficulties.length) {
    throw new WorldConfigError(`difficulty ${difficulty} does not exist; use an integer from 1 to ${cfg.difficulties.length}`);
  }
  return cfg.difficulties[difficulty - 1];
}
