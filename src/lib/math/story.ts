// A question as a list of semantic sentences (who has what, who relates to whom by which op),
// rendered with the template set, and turned into the quantity graph. Both the generator
// (sentences → text) and the question parser (text → sentences) go through buildGraph, so
// the graph of a generated question and of its parsed text are built by the same code.

import { QuestionParseError } from '../errors.ts';
import { applyOp, markNeeded, type Op, type QNode, type QuestionGraph } from './graph.ts';
import { fill, type TemplateSet } from './templates.ts';

/** One sentence of a question; `tpl` is the index of the phrasing within its template list. */
export type Sentence =
  | { t: 'given'; tpl: number; P: string; n: number }
  | { t: 'rel'; tpl: number; op: Op; P: string; R: string; n: number }
  | { t: 'pair'; tpl: number; op: '+' | '-'; P: string; R1: string; R2: string }
  | { t: 'extra'; tpl: number; R: string; n: number; other: string }
  | { t: 'ask'; tpl: number; R: string }
  | { t: 'askPair'; tpl: number; op: '+' | '-'; R1: string; R2: string }
  | { t: 'askRel'; tpl: number; op: '×' | '÷'; R: string; n: number };

export interface Story {
  sentences: Sentence[];
  /** Main thing (plural phrase) and verb (third person) of the problem. */
  thing: string;
  verb: string;
}

/** The template list a sentence is phrased from. */
export function templatesFor(t: TemplateSet, s: Sentence): string[] {
  const S = t.sentences;
  switch (s.t) {
    case 'given':
      return S.given;
    case 'rel':
      return S.rel[s.op];
    case 'pair':
      return S.pair[s.op];
    case 'extra':
      return S.extra;
    case 'ask':
      return S.ask;
    case 'askPair':
      return S.askPair[s.op];
    case 'askRel':
      return S.askRel[s.op];
  }
}

function verbBase(t: TemplateSet, verb: string): string {
  const v = t.verbs.find((x) => x.s === verb);
  if (!v) throw new QuestionParseError(`verb "${verb}" is not in the template set; use one of ${t.verbs.map((x) => x.s).join(', ')}`);
  return v.base;
}

function singOf(t: TemplateSet, thing: string): string {
  const th = t.things.find((x) => x.plural === thing);
  if (!th) throw new QuestionParseError(`thing "${thing}" is not in the template set; use one of the template things`);
  return th.sing;
}

export function renderSentence(t: TemplateSet, story: Story, s: Sentence): string {
  const slots: Record<string, string | number> = {
    thing: story.thing,
    verb: story.verb,
    verbBase: verbBase(t, story.verb),
    sing: singOf(t, story.thing),
  };
  for (const [k, v] of Object.entries(s)) if (k !== 't' && k !== 'tpl' && k !== 'op') slots[k] = v as string | number;
  return fill(templatesFor(t, s)[s.tpl], slots);
}

/** The question text: sentences joined by single spaces (canonical text). */
export function renderQuestion(t: TemplateSet, story: Story): string {
  return story.sentences.map((s) => renderSentence(t, story, s)).join(' ');
}

/**
 * Build the quantity graph of a story. Node ids follow sentence order; inside a sentence a
 * literal number gets its id before the quantity it helps define. Throws QuestionParseError
 * when a sentence refers to an unknown person, redefines one, or breaks the arithmetic.
 */
export function buildGraph(story: Story): QuestionGraph {
  const nodes: QNode[] = [];
  const byKey = new Map<string, number>();
  let finalId = -1;
  const key = (name: string, thing: string) => `${name}|${thing}`;
  const ref = (name: string, i: number): number => {
    const id = byKey.get(key(name, story.thing));
    if (id === undefined) {
      throw new QuestionParseError(`sentence ${i + 1} refers to ${name}'s ${story.thing} before they are given; introduce ${name} earlier`);
    }
    return id;
  };
  const add = (n: Omit<QNode, 'id' | 'needed'>): number => {
    const id = nodes.length;
    nodes.push({ ...n, id, needed: false });
    return id;
  };
  const define = (name: string, thing: string, i: number, id: number) => {
    const k = key(name, thing);
    if (byKey.has(k)) throw new QuestionParseError(`sentence ${i + 1} gives ${name}'s ${thing} a second time; each amount is stated once`);
    byKey.set(k, id);
  };
  const derive = (op: Op, a: number, b: number, i: number, rest: Omit<QNode, 'id' | 'needed' | 'value' | 'op' | 'args' | 'sentence'>): number => {
    const value = applyOp(op, nodes[a].value, nodes[b].value);
    if (value === null || value < 0) {
      throw new QuestionParseError(`sentence ${i + 1} computes ${nodes[a].value} ${op} ${nodes[b].value}, which is not a whole non-negative number; fix the numbers`);
    }
    return add({ ...rest, value, op, args: [a, b], sentence: i });
  };
  story.sentences.forEach((s, i) => {
    if (finalId >= 0) throw new QuestionParseError(`sentence ${i + 1} comes after the question; the question must be last`);
    switch (s.t) {
      case 'given':
        define(s.P, story.thing, i, add({ role: 'person', holder: s.P, thing: story.thing, value: s.n, sentence: i }));
        break;
      case 'extra':
        ref(s.R, i);
        define(s.R, s.other, i, add({ role: 'person', holder: s.R, thing: s.other, value: s.n, sentence: i }));
        break;
      case 'rel': {
        const r = ref(s.R, i);
        const lit = add({ role: 'literal', value: s.n, sentence: i });
        define(s.P, story.thing, i, derive(s.op, r, lit, i, { role: 'person', holder: s.P, thing: story.thing }));
        break;
      }
      case 'pair': {
        const a = ref(s.R1, i);
        const b = ref(s.R2, i);
        define(s.P, story.thing, i, derive(s.op, a, b, i, { role: 'person', holder: s.P, thing: story.thing }));
        break;
      }
      case 'ask': {
        finalId = ref(s.R, i);
        if (nodes[finalId].op === undefined) {
          throw new QuestionParseError(`the question asks for ${s.R}'s ${story.thing}, which is given; ask for a derived amount`);
        }
        break;
      }
      case 'askPair': {
        const a = ref(s.R1, i);
        const b = ref(s.R2, i);
        finalId = derive(s.op, a, b, i, { role: s.op === '+' ? 'together' : 'more', holders: [s.R1, s.R2], thing: story.thing });
        break;
      }
      case 'askRel': {
        const r = ref(s.R, i);
        const lit = add({ role: 'literal', value: s.n, sentence: i });
        finalId = derive(s.op, r, lit, i, { role: s.op === '×' ? 'cost' : 'share', holder: s.R, thing: story.thing });
        break;
      }
    }
  });
  if (finalId < 0) throw new QuestionParseError('the question has no final question sentence; end it with e.g. "How many apples does Tom have?"');
  return markNeeded({ nodes, finalId, thing: story.thing, verb: story.verb });
}
