// Seeded word-problem generator: samples a tree of quantities bottom-up within the level's
// number ranges, names the people, adds distractor facts, renders the question with the
// templates and writes the reference Step-n solution. Same seed → same problems everywhere.

import { ProblemGenerationError, WorldConfigError } from '../errors.ts';
import { levelOf, validateWorldConfig, type DifficultyConfig, type WorldConfig } from './config.ts';
import { answerOf, type Op, type QuestionGraph } from './graph.ts';
import { createRng, hash32, type Rng } from './rng.ts';
import { buildGraph, renderQuestion, templatesFor, type Sentence, type Story } from './story.ts';
import { referenceOrder, writeSolution } from './steps.ts';

export interface Problem {
  id: string;
  question: string;
  steps: string[];
  answer: number;
  difficulty: number;
}

/** A tree of quantities before names are given: a given amount, person op number, or person op person. */
type Tree =
  | { k: 'leaf'; value: number }
  | { k: 'rel'; op: Op; n: number; child: Tree; value: number }
  | { k: 'pair'; op: '+' | '-'; a: Tree; b: Tree; value: number };

type Final =
  | { k: 'ask'; root: Tree }
  | { k: 'askPair'; op: '+' | '-'; a: Tree; b: Tree }
  | { k: 'askRel'; op: '×' | '÷'; n: number; child: Tree };

class Retry extends Error {}

function divisorsIn(v: number, lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let d = lo; d <= Math.min(hi, v); d++) if (v % d === 0) out.push(d);
  return out;
}

/** Choose n so that `value op n` stays a whole number in [1, maxValue]; null when impossible. */
function chooseN(rng: Rng, L: DifficultyConfig, op: Op, v: number, range: [number, number]): number | null {
  const [lo, hi] = range;
  switch (op) {
    case '+': {
      const top = Math.min(hi, L.maxValue - v);
      return top < lo ? null : rng.int(lo, top);
    }
    case '-': {
      const top = Math.min(hi, v - 1);
      return top < lo ? null : rng.int(lo, top);
    }
    case '×': {
      const top = Math.min(hi, Math.floor(L.maxValue / v));
      return top < lo ? null : rng.int(lo, top);
    }
    case '÷': {
      const ds = divisorsIn(v, lo, hi).filter((d) => v / d >= 1);
      return ds.length === 0 ? null : rng.pick(ds);
    }
  }
}

function nRange(L: DifficultyConfig, op: Op): [number, number] {
  return op === '+' || op === '-' ? L.addend : L.factor;
}

/** For a leaf about to be divided, redraw it as a multiple of some divisor in range (else keep it). */
function divisibleLeaf(rng: Rng, L: DifficultyConfig, range: [number, number]): number | null {
  const ds = rng.shuffle(Array.from({ length: range[1] - range[0] + 1 }, (_, i) => range[0] + i));
  for (const d of ds) {
    const qlo = Math.max(1, Math.ceil(L.start[0] / d));
    const qhi = Math.floor(L.start[1] / d);
    if (qhi >= qlo) return d * rng.int(qlo, qhi);
  }
  return null;
}

function applyN(op: Op, v: number, n: number): number {
  return op === '+' ? v + n : op === '-' ? v - n : op === '×' ? v * n : v / n;
}

function genTree(rng: Rng, L: DifficultyConfig, k: number): Tree {
  if (k === 0) return { k: 'leaf', value: rng.int(L.start[0], L.start[1]) };
  const pairOps = L.ops.filter((op): op is '+' | '-' => op === '+' || op === '-');
  if (pairOps.length > 0 && rng.chance(L.pairChance)) {
    const k1 = rng.int(0, k - 1);
    const a = genTree(rng, L, k1);
    const b = genTree(rng, L, k - 1 - k1);
    for (const op of rng.shuffle(pairOps)) {
      if (op === '+' && a.value + b.value <= L.maxValue) return { k: 'pair', op, a, b, value: a.value + b.value };
      if (op === '-' && a.value !== b.value) {
        const [hi, lo] = a.value > b.value ? [a, b] : [b, a];
        return { k: 'pair', op, a: hi, b: lo, value: hi.value - lo.value };
      }
    }
    throw new Retry();
  }
  const child = genTree(rng, L, k - 1);
  for (const op of rng.shuffle(L.ops)) {
    const range = nRange(L, op);
    if (op === '÷' && child.k === 'leaf' && divisorsIn(child.value, range[0], range[1]).length === 0) {
      const v = divisibleLeaf(rng, L, range);
      if (v !== null) child.value = v;
    }
    const n = chooseN(rng, L, op, child.value, range);
    if (n !== null) return { k: 'rel', op, n, child, value: applyN(op, child.value, n) };
  }
  throw new Retry();
}

function genFinal(rng: Rng, L: DifficultyConfig, k: number): Final {
  const pairOps = L.ops.filter((op): op is '+' | '-' => op === '+' || op === '-');
  const relOps = L.ops.filter((op): op is '×' | '÷' => op === '×' || op === '÷');
  const forms: Final['k'][] = ['ask', 'ask'];
  if (pairOps.length > 0) forms.push('askPair');
  if (relOps.length > 0) forms.push('askRel');
  const form = rng.pick(forms);
  if (form === 'ask') return { k: 'ask', root: genTree(rng, L, k) };
  if (form === 'askPair') {
    const k1 = rng.int(0, k - 1);
    const a = genTree(rng, L, k1);
    const b = genTree(rng, L, k - 1 - k1);
    const op = rng.pick(pairOps);
    if (op === '+') {
      if (a.value + b.value > L.maxValue) throw new Retry();
      return { k: 'askPair', op, a, b };
    }
    if (a.value === b.value) throw new Retry();
    return a.value > b.value ? { k: 'askPair', op, a, b } : { k: 'askPair', op, a: b, b: a };
  }
  const child = genTree(rng, L, k - 1);
  const op = rng.pick(relOps);
  const range = op === '×' ? L.price : L.factor;
  if (op === '÷' && child.k === 'leaf' && divisorsIn(child.value, range[0], range[1]).length === 0) {
    const v = divisibleLeaf(rng, L, range);
    if (v !== null) child.value = v;
  }
  const n = chooseN(rng, L, op, child.value, range);
  if (n === null) throw new Retry();
  return { k: 'askRel', op, n, child };
}

interface Emit {
  rng: Rng;
  cfg: WorldConfig;
  names: string[];
  out: Sentence[];
}

function tplIndex(e: Emit, s: Sentence): number {
  return e.rng.int(0, templatesFor(e.cfg.templates, s).length - 1);
}

function push(e: Emit, s: Sentence): void {
  s.tpl = tplIndex(e, s);
  e.out.push(s);
}

/** Emit the sentences that introduce a tree (children first); returns the person's name. */
function emitTree(e: Emit, t: Tree): string {
  if (t.k === 'leaf') {
    const P = e.names.pop()!;
    push(e, { t: 'given', tpl: 0, P, n: t.value });
    return P;
  }
  if (t.k === 'rel') {
    const R = emitTree(e, t.child);
    const P = e.names.pop()!;
    push(e, { t: 'rel', tpl: 0, op: t.op, P, R, n: t.n });
    return P;
  }
  const [R1, R2] = emitBoth(e, t.a, t.b);
  const P = e.names.pop()!;
  push(e, { t: 'pair', tpl: 0, op: t.op, P, R1, R2 });
  return P;
}

/** Emit two subtrees in a random order; returns their names in argument order. */
function emitBoth(e: Emit, a: Tree, b: Tree): [string, string] {
  if (e.rng.chance(0.5)) {
    const na = emitTree(e, a);
    return [na, emitTree(e, b)];
  }
  const nb = emitTree(e, b);
  return [emitTree(e, a), nb];
}

/** Insert `count` distractor facts at random valid places (never after the final question). */
function addDistractors(e: Emit, L: DifficultyConfig, thing: string, count: number): void {
  const others = e.cfg.templates.things.map((x) => x.plural).filter((p) => p !== thing);
  const usedExtra = new Set<string>();
  for (let i = 0; i < count; i++) {
    const body = e.out.length - 1; // the final question stays last
    const people: { name: string; at: number; value: number }[] = [];
    let graph: QuestionGraph;
    try {
      graph = buildGraph({ sentences: e.out, thing, verb: 'has' });
    } catch {
      throw new Retry();
    }
    for (const n of graph.nodes) {
      if (n.role === 'person' && n.thing === thing && n.sentence < body) people.push({ name: n.holder!, at: n.sentence, value: n.value });
    }
    const kind = e.rng.pick(['extra', 'given', 'rel'] as const);
    if (kind === 'given' || people.length === 0) {
      const at = e.rng.int(0, body);
      const s: Sentence = { t: 'given', tpl: 0, P: e.names.pop()!, n: e.rng.int(L.start[0], L.start[1]) };
      s.tpl = tplIndex(e, s);
      e.out.splice(at, 0, s);
      continue;
    }
    const who = e.rng.pick(people);
    const at = e.rng.int(who.at + 1, body);
    if (kind === 'extra') {
      const other = e.rng.pick(others);
      if (usedExtra.has(`${who.name}|${other}`)) continue;
      usedExtra.add(`${who.name}|${other}`);
      const s: Sentence = { t: 'extra', tpl: 0, R: who.name, n: e.rng.int(L.start[0], L.start[1]), other };
      s.tpl = tplIndex(e, s);
      e.out.splice(at, 0, s);
      continue;
    }
    const ops = L.ops.filter((op) => op !== '÷');
    const op = e.rng.pick(ops.length > 0 ? ops : L.ops);
    const n = chooseN(e.rng, L, op, who.value, nRange(L, op));
    if (n === null) continue;
    const s: Sentence = { t: 'rel', tpl: 0, op, P: e.names.pop()!, R: who.name, n };
    s.tpl = tplIndex(e, s);
    e.out.splice(at, 0, s);
  }
}

/** 64-bit content hash as 16 hex digits (two FNV-1a passes with different bases). */
export function contentHash(text: string): string {
  return hash32(text).toString(16).padStart(8, '0') + hash32(text, 0x01000193 ^ 0xdeadbeef).toString(16).padStart(8, '0');
}

export interface GeneratedProblem extends Problem {
  /** The semantic sentences and the quantity graph (for datasets and teaching displays). */
  story: Story;
  graph: QuestionGraph;
}

/** One problem at `difficulty`, drawn from `rng`. */
export function generateProblem(cfg: WorldConfig, rng: Rng, difficulty: number): GeneratedProblem {
  const L = levelOf(cfg, difficulty);
  const t = cfg.templates;
  for (let attempt = 0; attempt < 500; attempt++) {
    try {
      const k = rng.int(L.steps[0], L.steps[1]);
      const final = genFinal(rng, L, k);
      const thingObj = rng.pick(t.things);
      const verb = rng.pick(t.verbs).s;
      const e: Emit = { rng, cfg, names: rng.shuffle(t.names), out: [] };
      if (final.k === 'ask') {
        const R = emitTree(e, final.root);
        push(e, { t: 'ask', tpl: 0, R });
      } else if (final.k === 'askPair') {
        const [R1, R2] = emitBoth(e, final.a, final.b);
        push(e, { t: 'askPair', tpl: 0, op: final.op, R1, R2 });
      } else {
        const R = emitTree(e, final.child);
        push(e, { t: 'askRel', tpl: 0, op: final.op, R, n: final.n });
      }
      addDistractors(e, L, thingObj.plural, rng.int(L.distractors[0], L.distractors[1]));
      const story: Story = { sentences: e.out, thing: thingObj.plural, verb };
      const graph = buildGraph(story);
      // Amounts of 1 read badly ("1 apples"); literals may be 1 only when the config allows it.
      if (graph.nodes.some((n) => n.value > L.maxValue || (n.role !== 'literal' && n.value < 2))) continue;
      const question = renderQuestion(t, story);
      const steps = writeSolution(t, graph, referenceOrder(graph), rng);
      return { id: `d${difficulty}-${contentHash(question)}`, question, steps, answer: answerOf(graph), difficulty, story, graph };
    } catch (err) {
      if (!(err instanceof Retry)) throw err;
    }
  }
  throw new ProblemGenerationError(
    `could not generate a difficulty-${difficulty} problem in 500 attempts; widen start/addend/factor ranges or raise maxValue for that level`,
  );
}

export interface ProblemBatchOptions {
  seed: number | string;
  count: number;
  /** Fixed difficulty, or undefined to draw each problem's difficulty uniformly. */
  difficulty?: number;
}

export const MAX_PROBLEMS_PER_CALL = 1_000_000;

/** `count` problems from `seed`; deterministic. Strips the internal story/graph fields. */
export function generateProblems(cfg: WorldConfig, opts: ProblemBatchOptions): Problem[] {
  validateWorldConfig(cfg);
  if (!Number.isInteger(opts.count) || opts.count < 0 || opts.count > MAX_PROBLEMS_PER_CALL) {
    throw new WorldConfigError(`count must be an integer in [0, ${MAX_PROBLEMS_PER_CALL}], got ${opts.count}; ask for fewer problems`);
  }
  if (opts.difficulty !== undefined) levelOf(cfg, opts.difficulty);
  const rng = createRng(opts.seed);
  const out: Problem[] = [];
  for (let i = 0; i < opts.count; i++) {
    const d = opts.difficulty ?? rng.int(1, cfg.difficulties.length);
    out.push(toProblem(generateProblem(cfg, rng.fork(`problem-${i}`), d)));
  }
  return out;
}

/** The public {id, question, steps, answer, difficulty} shape. */
export function toProblem(p: GeneratedProblem): Problem {
  return { id: p.id, question: p.question, steps: p.steps, answer: p.answer, difficulty: p.difficulty };
}
