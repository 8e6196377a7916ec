// Writing solution steps from the quantity graph: one step computes one derived node with one
// equation, `Step n: <words> a op b = c <words>`, the last one ending `The answer is N.`.
// Also the plain (no `Step n:`) solution text used to pretrain the base model.

import type { Rng } from './rng.ts';
import { isCommutative, type QNode, type QuestionGraph } from './graph.ts';
import { fill, type TemplateSet } from './templates.ts';

/** `a op b = c` with canonical spacing. */
export function equationText(a: number, op: string, b: number, c: number): string {
  return `${a} ${op} ${b} = ${c}`;
}

export interface StepOptions {
  /** Phrasing index within the role's step templates (taken modulo the list length). */
  variant?: number;
  /** Write b op a for commutative ops. */
  swap?: boolean;
  /** Override the result written after `=` (for wrong steps). */
  result?: number;
  /** Override the operation (for wrong steps); default the node's op. */
  op?: string;
  /** Override the operands (for wrong steps); default the values of the node's args. */
  operands?: [number, number];
  /** Append `The answer is N.` with this N. */
  answer?: number;
  /** Override the people named (for wrong steps): [P] for a person's amount, [R1, R2] for a pair. */
  people?: string[];
}

/** The step body (no `Step n:` prefix) that computes `node`. */
export function stepBody(t: TemplateSet, g: QuestionGraph, node: QNode, opts: StepOptions = {}): string {
  if (node.op === undefined || node.args === undefined) throw new RangeError(`node ${node.id} is given, not derived; only derived nodes have steps`);
  let [a, b] = opts.operands ?? [g.nodes[node.args[0]].value, g.nodes[node.args[1]].value];
  if (opts.swap && isCommutative(node.op)) [a, b] = [b, a];
  const op = opts.op ?? node.op;
  const c = opts.result ?? node.value;
  const list = t.steps[node.role as 'person' | 'together' | 'more' | 'cost' | 'share'];
  const tpl = list[(opts.variant ?? 0) % list.length];
  const verb = g.verb;
  const base = t.verbs.find((v) => v.s === verb)?.base ?? verb;
  const who = opts.people;
  const slots: Record<string, string | number> = {
    P: who?.[0] ?? node.holder ?? '',
    R: who?.[0] ?? node.holder ?? '',
    R1: who?.[0] ?? node.holders?.[0] ?? '',
    R2: who?.[1] ?? node.holders?.[1] ?? '',
    verb,
    verbBase: base,
    thing: g.thing,
    eq: equationText(a, op, b, c),
  };
  let text = fill(tpl, slots);
  if (opts.answer !== undefined) text += ' ' + answerSentence(t, opts.answer);
  return text;
}

export function answerSentence(t: TemplateSet, n: number): string {
  return fill(t.steps.answer, { c: n });
}

/** Prefix a body with `Step n: `. */
export function numberStep(n: number, body: string): string {
  return `Step ${n}: ${body}`;
}

/** Remove a leading `Step n:` (any spacing) from a step. */
export function stripStepPrefix(step: string): string {
  return step.replace(/^\s*Step\s*\d+\s*[:.]\s*/i, '');
}

/** Needed derived nodes in id order: a valid (the reference) solution order. */
export function referenceOrder(g: QuestionGraph): QNode[] {
  return g.nodes.filter((n) => n.op !== undefined && n.needed);
}

/** A uniformly chosen valid order of the needed nodes (random topological order). */
export function randomOrder(g: QuestionGraph, rng: Rng): QNode[] {
  const needed = referenceOrder(g);
  const done = new Set<number>();
  const out: QNode[] = [];
  const ready = (n: QNode) => n.args!.every((a) => g.nodes[a].op === undefined || done.has(a));
  while (out.length < needed.length) {
    // The final node is always last: it is the only one nothing depends on.
    const avail = needed.filter((n) => !done.has(n.id) && ready(n));
    const pick = rng.pick(avail);
    done.add(pick.id);
    out.push(pick);
  }
  return out;
}

/** Write a full solution in `order`, numbering steps and ending with the answer. */
export function writeSolution(t: TemplateSet, g: QuestionGraph, order: QNode[], rng?: Rng): string[] {
  return order.map((node, i) => {
    const last = i === order.length - 1;
    const opts: StepOptions = {
      variant: rng ? rng.int(0, 99) : 0,
      swap: rng ? rng.chance(0.25) : false,
      answer: last ? node.value : undefined,
    };
    return numberStep(i + 1, stepBody(t, g, node, opts));
  });
}
