// Question text → semantic sentences → quantity graph, by inverting the template set: each
// template becomes an anchored regex, and who is "new" vs "already introduced" decides between
// mirrored phrasings ("Ann has 5 more than Tom" vs "Tom has 5 more than Ann"). This lets the
// oracle and the judge's working see only text, never the generator's hidden state.

import { QuestionParseError } from '../errors.ts';
import type { Op, QuestionGraph } from './graph.ts';
import { buildGraph, type Sentence, type Story } from './story.ts';
import type { TemplateSet } from './templates.ts';

type Kind = Sentence['t'];

interface Compiled {
  kind: Kind;
  op?: Op;
  tpl: number;
  re: RegExp;
  slots: string[];
}

interface CompiledSet {
  body: Compiled[];
  finals: Compiled[];
}

const cache = new WeakMap<TemplateSet, CompiledSet>();

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function alt(words: string[]): string {
  return [...words].sort((a, b) => b.length - a.length).map(escapeRe).join('|');
}

function compileOne(t: TemplateSet, kind: Kind, tpl: number, text: string, anchorStart: boolean, op?: Op): Compiled {
  const slotRe: Record<string, string> = {
    P: alt(t.names),
    R: alt(t.names),
    R1: alt(t.names),
    R2: alt(t.names),
    n: '\\d+',
    thing: alt(t.things.map((x) => x.plural)),
    other: alt(t.things.map((x) => x.plural)),
    sing: alt(t.things.map((x) => x.sing)),
    verb: alt(t.verbs.map((x) => x.s)),
    verbBase: alt(t.verbs.map((x) => x.base)),
  };
  const slots: string[] = [];
  let src = '';
  let last = 0;
  for (const m of text.matchAll(/\{([A-Za-z0-9]+)\}/g)) {
    src += escapeRe(text.slice(last, m.index));
    const name = m[1];
    if (!(name in slotRe)) throw new QuestionParseError(`template "${text}" uses unknown slot {${name}}; use the documented slots`);
    src += `(${slotRe[name]})`;
    slots.push(name);
    last = m.index! + m[0].length;
  }
  src += escapeRe(text.slice(last));
  return { kind, op, tpl, re: new RegExp((anchorStart ? '^' : '(?:^| )') + src + '$'), slots };
}

function compile(t: TemplateSet): CompiledSet {
  const hit = cache.get(t);
  if (hit) return hit;
  const S = t.sentences;
  const body: Compiled[] = [];
  const finals: Compiled[] = [];
  S.given.forEach((x, i) => body.push(compileOne(t, 'given', i, x, true)));
  for (const op of Object.keys(S.rel) as Op[]) S.rel[op].forEach((x, i) => body.push(compileOne(t, 'rel', i, x, true, op)));
  for (const op of ['+', '-'] as const) S.pair[op].forEach((x, i) => body.push(compileOne(t, 'pair', i, x, true, op)));
  S.extra.forEach((x, i) => body.push(compileOne(t, 'extra', i, x, true)));
  S.ask.forEach((x, i) => finals.push(compileOne(t, 'ask', i, x, false)));
  for (const op of ['+', '-'] as const) S.askPair[op].forEach((x, i) => finals.push(compileOne(t, 'askPair', i, x, false, op)));
  for (const op of ['×', '÷'] as const) S.askRel[op].forEach((x, i) => finals.push(compileOne(t, 'askRel', i, x, false, op)));
  const out = { body, finals };
  cache.set(t, out);
  return out;
}

/** Slot values of a match; null when a slot repeated with different values. */
function slotsOf(c: Compiled, m: RegExpMatchArray): Record<string, string> | null {
  const out: Record<string, string> = {};
  for (let i = 0; i < c.slots.length; i++) {
    const k = c.slots[i];
    const v = m[i + 1];
    if (k in out && out[k] !== v) return null;
    out[k] = v;
  }
  return out;
}

function toSentence(c: Compiled, v: Record<string, string>): Sentence {
  const n = Number(v.n);
  switch (c.kind) {
    case 'given':
      return { t: 'given', tpl: c.tpl, P: v.P, n };
    case 'rel':
      return { t: 'rel', tpl: c.tpl, op: c.op!, P: v.P, R: v.R, n };
    case 'pair':
      return { t: 'pair', tpl: c.tpl, op: c.op as '+' | '-', P: v.P, R1: v.R1, R2: v.R2 };
    case 'extra':
      return { t: 'extra', tpl: c.tpl, R: v.R, n, other: v.other };
    case 'ask':
      return { t: 'ask', tpl: c.tpl, R: v.R };
    case 'askPair':
      return { t: 'askPair', tpl: c.tpl, op: c.op as '+' | '-', R1: v.R1, R2: v.R2 };
    case 'askRel':
      return { t: 'askRel', tpl: c.tpl, op: c.op as '×' | '÷', R: v.R, n };
  }
}

/** Split body text into sentences at ". " / "? " / "! " boundaries. */
function splitSentences(text: string): string[] {
  return text.length === 0 ? [] : text.split(/(?<=[.?!]) +/);
}

function parseWithFinal(t: TemplateSet, C: CompiledSet, bodyText: string, final: Sentence, thing: string, verbHint?: string): Story {
  const known = new Set<string>();
  const sentences: Sentence[] = [];
  let verb = verbHint;
  const parts = splitSentences(bodyText);
  parts.forEach((part, i) => {
    const options: Sentence[] = [];
    for (const c of C.body) {
      const m = part.match(c.re);
      if (!m) continue;
      const v = slotsOf(c, m);
      if (!v) continue;
      if (v.thing !== undefined && v.thing !== thing) continue;
      if (v.other !== undefined && v.other === thing) continue;
      if (v.verb !== undefined && verb !== undefined && v.verb !== verb) continue;
      // Roles: {P} must be new, {R}/{R1}/{R2} already introduced (with the main thing).
      if (v.P !== undefined && known.has(v.P)) continue;
      if ([v.R, v.R1, v.R2].some((r) => r !== undefined && !known.has(r))) continue;
      options.push(toSentence(c, v));
      if (v.verb !== undefined) verb ??= v.verb;
    }
    const distinct = new Set(options.map((o) => JSON.stringify(o)));
    if (options.length === 0) {
      throw new QuestionParseError(
        `sentence ${i + 1} ("${part}") does not match any template of the world given what came before; check the wording, names and order of the question`,
      );
    }
    if (distinct.size > 1) {
      throw new QuestionParseError(`sentence ${i + 1} ("${part}") can be read in ${distinct.size} ways; the template set is ambiguous, make its phrasings distinct`);
    }
    const s = options[0];
    if (s.t === 'given' || s.t === 'rel' || s.t === 'pair') known.add(s.P);
    sentences.push(s);
  });
  const asked = final.t === 'askPair' ? [final.R1, final.R2] : final.t === 'ask' || final.t === 'askRel' ? [final.R] : [];
  for (const r of asked) {
    if (!known.has(r)) throw new QuestionParseError(`the question asks about ${r}, who is never introduced; introduce ${r} before the question`);
  }
  sentences.push(final);
  return { sentences, thing, verb: verb ?? t.verbs[0].s };
}

/** Parse a question into its story (sentences, thing, verb). Throws QuestionParseError. */
export function parseStory(t: TemplateSet, question: string): Story {
  if (typeof question !== 'string' || question.trim() === '') {
    throw new QuestionParseError('the question is empty; pass the question text of a generated problem');
  }
  const text = question.trim().replace(/\s+/g, ' ');
  const C = compile(t);
  let lastError: unknown = null;
  for (const c of C.finals) {
    const m = text.match(c.re);
    if (!m) continue;
    const v = slotsOf(c, m);
    if (!v) continue;
    const finalText = m[0].trimStart();
    const bodyText = text.slice(0, text.length - finalText.length).trimEnd();
    const verbHint = v.verbBase !== undefined ? t.verbs.find((x) => x.base === v.verbBase)?.s : v.verb;
    const thing = v.thing ?? t.things.find((x) => x.sing === v.sing)?.plural;
    if (thing === undefined) continue;
    if (v.sing !== undefined && t.things.find((x) => x.plural === thing)?.sing !== v.sing) continue;
    try {
      return parseWithFinal(t, C, bodyText, toSentence(c, v), thing, verbHint);
    } catch (err) {
      if (!(err instanceof QuestionParseError)) throw err;
      lastError = err;
    }
  }
  if (lastError) throw lastError;
  throw new QuestionParseError(
    `the question does not end with a known question sentence (e.g. "How many apples does Tom have?"); only questions of this world's templates can be checked`,
  );
}

const graphCache = new Map<string, QuestionGraph>();
const GRAPH_CACHE_LIMIT = 4096;

/** The quantity graph of a question (cached by text; treat the result as read-only). */
export function parseQuestion(t: TemplateSet, question: string): QuestionGraph {
  const key = question;
  const hit = graphCache.get(key);
  if (hit && cacheOwner.get(hit) === t) return hit;
  const g = buildGraph(parseStory(t, question));
  if (graphCache.size >= GRAPH_CACHE_LIMIT) graphCache.clear();
  graphCache.set(key, g);
  cacheOwner.set(g, t);
  return g;
}

const cacheOwner = new WeakMap<QuestionGraph, TemplateSet>();
