// Realistic next steps, right and wrong, for a question and the valid steps so far. Each wrong
// step is built by construction to be of one checker kind (arithmetic slip, number from
// nowhere, wrong operation, wrong person, no progress, premature or wrong final answer, malformed), using
// only the quantity graph — the checker is an independent second opinion in tests/datasets.

import { applyOp, isCommutative, type Op, type QNode, type QuestionGraph } from './graph.ts';
import type { CheckState } from './checker.ts';
import type { Rng } from './rng.ts';
import { numberStep, stepBody, answerSentence } from './steps.ts';
import type { TemplateSet } from './templates.ts';

export type MistakeKind =
  | 'arithmetic_error'
  | 'unknown_quantity'
  | 'wrong_operation'
  | 'wrong_person'
  | 'no_progress'
  | 'premature_answer'
  | 'wrong_final_answer'
  | 'malformed';

export const MISTAKE_KINDS: readonly MistakeKind[] = [
  'arithmetic_error',
  'unknown_quantity',
  'wrong_operation',
  'wrong_person',
  'no_progress',
  'premature_answer',
  'wrong_final_answer',
  'malformed',
];

interface Ctx {
  t: TemplateSet;
  g: QuestionGraph;
  state: CheckState;
  rng: Rng;
  /** Number of the step being written (previous valid steps + 1). */
  n: number;
}

/** Open needed nodes whose operands are all available (given or computed): the valid next steps. */
export function readyNodes(g: QuestionGraph, state: CheckState): QNode[] {
  return g.nodes.filter(
    (x) => x.op !== undefined && x.needed && !state.computed.has(x.id) && x.args!.every((a) => g.nodes[a].op === undefined || state.computed.has(a)),
  );
}

function openNodes(g: QuestionGraph, state: CheckState): QNode[] {
  return g.nodes.filter((x) => x.op !== undefined && x.needed && !state.computed.has(x.id));
}

function vals(g: QuestionGraph, x: QNode): [number, number] {
  return [g.nodes[x.args![0]].value, g.nodes[x.args![1]].value];
}

/** Does any node in `nodes` use operands {a, b} (either order)? With `op`, only nodes of that op. */
function touches(g: QuestionGraph, nodes: QNode[], a: number, b: number, op?: Op): boolean {
  return nodes.some((x) => {
    if (op !== undefined && x.op !== op) return false;
    const [p, q] = vals(g, x);
    return (p === a && q === b) || (p === b && q === a);
  });
}

function write(c: Ctx, node: QNode, opts: Parameters<typeof stepBody>[3] = {}): string {
  return numberStep(c.n, stepBody(c.t, c.g, node, { variant: c.rng.int(0, 99), ...opts }));
}

/** A valid next step (any ready quantity, random phrasing and operand order), or null when none is left. */
export function validStep(t: TemplateSet, state: CheckState, rng: Rng, stepNumber: number): string | null {
  const g = state.graph;
  if (state.finished) return null;
  const c: Ctx = { t, g, state, rng, n: stepNumber };
  const final = g.nodes[g.finalId];
  if (state.computed.has(final.id)) return numberStep(stepNumber, answerSentence(t, final.value));
  const ready = readyNodes(g, state);
  if (ready.length === 0) return null;
  const node = rng.pick(ready);
  return write(c, node, { swap: rng.chance(0.3), answer: node.id === final.id ? node.value : undefined });
}

function slip(rng: Rng, c: number): number {
  const options = [c + 1, c - 1, c + 2, c - 2, c + 10, c - 10];
  const s = String(c);
  if (s.length >= 2) options.push(Number(s.slice(0, -2) + s[s.length - 1] + s[s.length - 2])); // swapped last digits
  const ok = options.filter((x) => x >= 0 && x !== c);
  return rng.pick(ok);
}

function arithmeticError(c: Ctx): string | null {
  const ready = readyNodes(c.g, c.state);
  if (ready.length === 0) return null;
  const node = c.rng.pick(ready);
  const final = node.id === c.g.finalId;
  const wrong = slip(c.rng, node.value);
  return write(c, node, { result: wrong, answer: final ? wrong : undefined });
}

function unknownQuantity(c: Ctx): string | null {
  const ready = readyNodes(c.g, c.state);
  if (ready.length === 0) return null;
  const node = c.rng.pick(ready);
  const [a, b] = vals(c.g, node);
  const op = node.op!;
  for (const which of c.rng.shuffle([0, 1])) {
    const deltas = c.rng.shuffle([1, -1, 2, -2, 3, -3, 5, -5, 7, -7, 9, -9]);
    for (const d of deltas) {
      let x = which === 0 ? a + d : a;
      let y = which === 1 ? b + d : b;
      if (op === '÷') {
        // keep the division whole: change the divisor's multiple, or the divisor itself
        if (which === 0) x = b * Math.max(2, Math.round(a / b) + d);
        else if (y < 2 || x % y !== 0) continue;
      }
      const changed = which === 0 ? x : y;
      if (changed < 1 || c.state.known.has(changed)) continue;
      const r = applyOp(op, x, y);
      if (r === null || r < 0) continue;
      return write(c, node, { operands: [x, y], result: r });
    }
  }
  return null;
}

function wrongOperation(c: Ctx): string | null {
  const open = openNodes(c.g, c.state);
  const computed = c.g.nodes.filter((x) => c.state.computed.has(x.id));
  for (const node of c.rng.shuffle(readyNodes(c.g, c.state))) {
    const [a, b] = vals(c.g, node);
    for (const op of c.rng.shuffle((['+', '-', '×', '÷'] as Op[]).filter((o) => o !== node.op))) {
      const r = applyOp(op, a, b);
      if (r === null || r < 0) continue;
      if (touches(c.g, open, a, b, op) || touches(c.g, computed, a, b, op)) continue;
      return write(c, node, { op, result: r, operands: [a, b] });
    }
  }
  return null;
}

/** The people of the question (holders of its quantities), in order of appearance. */
function questionPeople(g: QuestionGraph): string[] {
  const out: string[] = [];
  for (const n of g.nodes) for (const h of n.holders ?? (n.holder ? [n.holder] : [])) if (!out.includes(h)) out.push(h);
  return out;
}

/** A needed quantity computed right but attributed to someone else: mostly another person of the question. */
function wrongPerson(c: Ctx): string | null {
  const people = questionPeople(c.g);
  const strangers = c.t.names.filter((x) => !people.includes(x));
  for (const node of c.rng.shuffle(readyNodes(c.g, c.state))) {
    const role = node.role as 'person' | 'together' | 'more';
    if (role !== 'person' && role !== 'together' && role !== 'more') continue;
    // Only phrasings that name someone can name the wrong one.
    const variants = c.t.steps[role].map((tpl, i) => (/\{(P|R1)\}/.test(tpl) ? i : -1)).filter((i) => i >= 0);
    if (variants.length === 0) continue;
    const right = node.holders ? [...node.holders] : [node.holder!];
    const slot = c.rng.int(0, right.length - 1);
    // A person whose own open quantity has the same equation would make the step right for that quantity.
    const [a, b] = vals(c.g, node);
    const twins = openNodes(c.g, c.state).filter((x) => x.id !== node.id && touches(c.g, [x], a, b, node.op));
    const taken = new Set(twins.flatMap((x) => x.holders ?? (x.holder ? [x.holder] : [])));
    const others = people.filter((x) => !right.includes(x) && !taken.has(x));
    const pool = others.length > 0 && (strangers.length === 0 || c.rng.chance(0.8)) ? others : strangers;
    if (pool.length === 0) continue;
    const named = [...right];
    named[slot] = c.rng.pick(pool);
    const final = node.id === c.g.finalId;
    return numberStep(c.n, stepBody(c.t, c.g, node, { variant: c.rng.pick(variants), swap: c.rng.chance(0.3), people: named, answer: final ? node.value : undefined }));
  }
  return null;
}

function noProgress(c: Ctx): string | null {
  const g = c.g;
  const open = openNodes(g, c.state);
  const options: (() => string | null)[] = [];
  // (a) repeat an earlier step
  for (const id of c.state.computed) {
    const node = g.nodes[id];
    const [a, b] = vals(g, node);
    if (touches(g, open, a, b, node.op) || (!isCommutative(node.op!) && touches(g, open, b, a, node.op))) continue;
    options.push(() => write(c, node, { swap: c.rng.chance(0.3) }));
  }
  // (b) compute a distractor quantity, or (c) combine a needed operand with a wrong known number
  const available = (x: QNode) => x.args!.every((a) => g.nodes[a].op === undefined || c.state.computed.has(a));
  for (const node of g.nodes) {
    if (node.op === undefined || node.needed || !available(node)) continue;
    const [a, b] = vals(g, node);
    if (touches(g, open, a, b)) continue;
    options.push(() => write(c, node));
  }
  const knownList = [...c.state.known];
  for (const node of readyNodes(g, c.state)) {
    options.push(() => {
      const [a, b] = vals(g, node);
      for (const x of c.rng.shuffle(knownList)) {
        const which = c.rng.int(0, 1);
        const ops: [number, number] = which === 0 ? [x, b] : [a, x];
        if (ops[0] === a && ops[1] === b) continue;
        const r = applyOp(node.op!, ops[0], ops[1]);
        if (r === null || r < 0) continue;
        if (touches(g, open, ops[0], ops[1])) continue;
        return write(c, node, { operands: ops, result: r });
      }
      return null;
    });
  }
  for (const f of c.rng.shuffle(options)) {
    const s = f();
    if (s !== null) return s;
  }
  return null;
}

function prematureAnswer(c: Ctx): string | null {
  const final = c.g.nodes[c.g.finalId];
  const [fa, fb] = vals(c.g, final);
  // A quantity with the same equation as the final one would read as computing the answer.
  const ready = readyNodes(c.g, c.state).filter((x) => x.id !== final.id && !touches(c.g, [x], fa, fb, final.op));
  if (ready.length === 0) return null;
  const node = c.rng.pick(ready);
  return write(c, node, { answer: node.value });
}

function wrongFinalAnswer(c: Ctx): string | null {
  const final = c.g.nodes[c.g.finalId];
  if (c.state.computed.has(final.id)) return numberStep(c.n, answerSentence(c.t, slip(c.rng, final.value)));
  if (!readyNodes(c.g, c.state).some((x) => x.id === final.id)) return null;
  const [a, b] = vals(c.g, final);
  const wrong = c.rng.pick([slip(c.rng, final.value), a, b].filter((x) => x !== final.value));
  return write(c, final, { answer: wrong });
}

function malformed(c: Ctx): string | null {
  const ready = readyNodes(c.g, c.state);
  if (ready.length === 0) return null;
  const node = c.rng.pick(ready);
  if (c.rng.chance(0.5)) {
    // words only, no equation
    const who = node.holder ?? node.holders?.[0] ?? c.t.names[0];
    return numberStep(c.n, `${who} ${c.g.verb} more ${c.g.thing}.`);
  }
  const [a, b] = vals(c.g, node);
  return write(c, node, { operands: [a, b] }) + ` ${a} ${node.op} ${b} = ${node.value}.`;
}

const MAKERS: Record<MistakeKind, (c: Ctx) => string | null> = {
  arithmetic_error: arithmeticError,
  unknown_quantity: unknownQuantity,
  wrong_operation: wrongOperation,
  wrong_person: wrongPerson,
  no_progress: noProgress,
  premature_answer: prematureAnswer,
  wrong_final_answer: wrongFinalAnswer,
  malformed,
};

/** A wrong next step of `kind`, or null when this state admits none of that kind. */
export function wrongStep(t: TemplateSet, state: CheckState, rng: Rng, stepNumber: number, kind: MistakeKind): string | null {
  if (state.finished) return null;
  return MAKERS[kind]({ t, g: state.graph, state, rng, n: stepNumber });
}
