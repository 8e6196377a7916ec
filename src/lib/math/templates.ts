// The word-problem template set: people, things, verbs, sentence phrasings per operation and
// step phrasings. The generator fills the slots, the question parser inverts them, the
// tokenizer's vocabulary is derived from them. A world can swap in its own TemplateSet.
//
// Slots: {P} new person, {R} {R1} {R2} people already introduced, {n} a number, {thing} the
// problem's thing (plural phrase), {other} another thing, {sing} one unit of the thing,
// {verb} / {verbBase} the problem's verb ("has" / "have"), {eq} an equation "a op b = c".

import type { Op } from './graph.ts';

export interface Thing {
  /** Plural phrase used after numbers, e.g. "apples", "liters of juice". */
  plural: string;
  /** One unit, e.g. "apple", "liter" (used in "Each apple costs 3 dollars."). */
  sing: string;
}

export interface Verb {
  /** Third person singular, e.g. "has". */
  s: string;
  /** Base form, e.g. "have". */
  base: string;
}

export interface SentenceTemplates {
  /** {P} gets a given amount {n}. */
  given: string[];
  /** {P} = {R} op {n}. */
  rel: Record<Op, string[]>;
  /** {P} = {R1} op {R2}. */
  pair: { '+': string[]; '-': string[] };
  /** Distractor: {R} also holds {n} of {other}. */
  extra: string[];
  /** Final question: the amount of {R}. */
  ask: string[];
  /** Final question: {R1} op {R2}. */
  askPair: { '+': string[]; '-': string[] };
  /** Final question: {R} × {n} (cost, in dollars) or {R} ÷ {n} (share among friends). */
  askRel: { '×': string[]; '÷': string[] };
}

export interface StepTemplates {
  person: string[];
  together: string[];
  more: string[];
  cost: string[];
  share: string[];
  /** Appended to the last step; {c} is the answer. */
  answer: string;
}

export interface TemplateSet {
  names: string[];
  things: Thing[];
  verbs: Verb[];
  sentences: SentenceTemplates;
  steps: StepTemplates;
}

export const DEFAULT_TEMPLATES: TemplateSet = {
  names: [
    'Tom', 'Ann', 'Ben', 'Cara', 'Dan', 'Eva', 'Finn', 'Gina', 'Hugo', 'Ida', 'Jack', 'Kim',
    'Leo', 'Mia', 'Ned', 'Olga', 'Paul', 'Rosa', 'Sam', 'Tina', 'Uma', 'Vic', 'Wes', 'Zoe',
  ],
  things: [
    { plural: 'apples', sing: 'apple' },
    { plural: 'marbles', sing: 'marble' },
    { plural: 'stickers', sing: 'sticker' },
    { plural: 'books', sing: 'book' },
    { plural: 'pencils', sing: 'pencil' },
    { plural: 'cookies', sing: 'cookie' },
    { plural: 'shells', sing: 'shell' },
    { plural: 'stamps', sing: 'stamp' },
    { plural: 'cards', sing: 'card' },
    { plural: 'flowers', sing: 'flower' },
    { plural: 'eggs', sing: 'egg' },
    { plural: 'balloons', sing: 'balloon' },
    { plural: 'liters of juice', sing: 'liter' },
    { plural: 'kilograms of rice', sing: 'kilogram' },
    { plural: 'meters of rope', sing: 'meter' },
    { plural: 'cups of flour', sing: 'cup' },
  ],
  verbs: [
    { s: 'has', base: 'have' },
    { s: 'owns', base: 'own' },
    { s: 'collects', base: 'collect' },
    { s: 'keeps', base: 'keep' },
    { s: 'buys', base: 'buy' },
  ],
  sentences: {
    given: ['{P} {verb} {n} {thing}.', '{P} {verb} exactly {n} {thing}.'],
    rel: {
      '+': [
        '{P} {verb} {n} more {thing} than {R}.',
        '{P} {verb} {n} {thing} more than {R}.',
        '{R} {verb} {n} fewer {thing} than {P}.',
      ],
      '-': [
        '{P} {verb} {n} fewer {thing} than {R}.',
        '{P} {verb} {n} {thing} fewer than {R}.',
        '{R} {verb} {n} more {thing} than {P}.',
      ],
      '×': ['{P} {verb} {n} times as many {thing} as {R}.', '{P} {verb} {n} times the {thing} that {R} {verb}.'],
      '÷': ['{R} {verb} {n} times as many {thing} as {P}.', '{P} {verb} as many {thing} as {R} {verb} divided by {n}.'],
    },
    pair: {
      '+': ['{P} {verb} as many {thing} as {R1} and {R2} together.', '{P} {verb} as many {thing} as {R1} and {R2} combined.'],
      '-': ['{P} {verb} as many {thing} as {R1} {verb} more than {R2}.', '{P} {verb} as many {thing} as the gap between {R1} and {R2}.'],
    },
    extra: ['{R} also {verb} {n} {other}.'],
    ask: ['How many {thing} does {R} {verbBase}?', 'Find how many {thing} {R} {verb}.'],
    askPair: {
      '+': ['How many {thing} do {R1} and {R2} {verbBase} together?', 'How many {thing} do {R1} and {R2} {verbBase} in all?'],
      '-': ['How many more {thing} does {R1} {verbBase} than {R2}?', 'How many {thing} more than {R2} does {R1} {verbBase}?'],
    },
    askRel: {
      '×': [
        'Each {sing} costs {n} dollars. How many dollars are the {thing} of {R} worth?',
        '{R} sells the {thing} for {n} dollars each. How many dollars are they worth?',
      ],
      '÷': [
        '{R} shares the {thing} equally among {n} friends. How many {thing} does each friend get?',
        '{R} gives the {thing} to {n} friends in equal parts. How many {thing} does each friend get?',
      ],
    },
  },
  steps: {
    person: ['{P} {verb} {eq} {thing}.', 'So {P} {verb} {eq} {thing}.', 'Then {P} {verb} {eq} {thing}.'],
    together: ['Together {R1} and {R2} {verbBase} {eq} {thing}.', '{R1} and {R2} {verbBase} {eq} {thing} together.'],
    more: ['{R1} {verb} {eq} more {thing} than {R2}.', 'The gap is {eq} {thing}.'],
    cost: ['The {thing} are worth {eq} dollars.', 'So they are worth {eq} dollars.'],
    share: ['Each friend gets {eq} {thing}.'],
    answer: 'The answer is {c}.',
  },
};

/**
 * The same world with steps that name no one ("Step 1: So 12 + 13 = 25 apples."): the checker
 * allows a step without names and finds its quantity by the numbers and the operation. The tiny
 * models never learned to copy the right name into a step (M0 writes one fixed name, M1 a random
 * one), so with named steps nearly every first wrong step is a wrong name and the arithmetic the
 * loop should teach is hidden behind it. Only words of the default templates are used, so a model
 * pretrained on the default world keeps its tokenizer.
 */
export const NAMELESS_STEP_TEMPLATES: TemplateSet = {
  ...DEFAULT_TEMPLATES,
  steps: {
    person: ['{eq} {thing}.', 'So {eq} {thing}.', 'Then {eq} {thing}.'],
    together: ['Together {eq} {thing}.', 'So together {eq} {thing}.'],
    more: ['The gap is {eq} {thing}.', 'So the gap is {eq} {thing}.'],
    cost: DEFAULT_TEMPLATES.steps.cost,
    share: DEFAULT_TEMPLATES.steps.share,
    answer: DEFAULT_TEMPLATES.steps.answer,
  },
};

/** The template sets a world file may name ("templates": "default" or "nameless-steps"). */
export const TEMPLATE_SETS: Readonly<Record<string, TemplateSet>> = {
  default: DEFAULT_TEMPLATES,
  'nameless-steps': NAMELESS_STEP_TEMPLATES,
};

/** The name of a registered template set, or null for a set of one's own. */
export function templateSetName(t: TemplateSet): string | null {
  return Object.entries(TEMPLATE_SETS).find(([, v]) => v === t)?.[0] ?? null;
}

/** Replace `{slot}` markers in a template; unknown slots are left untouched. */
export function fill(template: string, slots: Record<string, string | number>): string {
  return template.replace(/\{([A-Za-z0-9]+)\}/g, (m, key: string) => (key in slots ? String(slots[key]) : m));
}

/** Every template string of a set (for vocabulary building and validation). */
export function allTemplateStrings(t: TemplateSet): string[] {
  const s = t.sentences;
  return [
    ...s.given,
    ...Object.values(s.rel).flat(),
    ...Object.values(s.pair).flat(),
    ...s.extra,
    ...s.ask,
    ...Object.values(s.askPair).flat(),
    ...Object.values(s.askRel).flat(),
    ...t.steps.person,
    ...t.steps.together,
    ...t.steps.more,
    ...t.steps.cost,
    ...t.steps.share,
    t.steps.answer,
  ];
}
