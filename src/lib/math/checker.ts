// The ground-truth step checker (oracle). Given the question, the accepted previous steps and
// one candidate next step, it says whether the candidate is a valid next step and why not.
// It rebuilds the quantity graph from the question text and accepts ANY valid order of the
// needed quantities (and either operand order for + and ×). Used only to build cold-start
// judge data, to compute evaluation metrics and for teaching displays — never inside the
// self-rewarding loop.

import { CheckInputError } from '../errors.ts';
import { applyOp, isCommutative, type Op, type QNode, type QuestionGraph } from './graph.ts';
import { findAnswers, findEquations, type Equation } from './parse-output.ts';
import { parseQuestion } from './question-parse.ts';
import { DEFAULT_TEMPLATES, type TemplateSet } from './templates.ts';

export type CheckKind =
  | 'correct' // computes a needed, not yet computed quantity from known values
  | 'correct_final_answer' // ... and that quantity is the answer, declared correctly (or declares it after it was computed)
  | 'arithmetic_error' // a op b ≠ c
  | 'unknown_quantity' // an operand is a number from nowhere (not in the question, not an earlier result)
  | 'wrong_operation' // the operands of a needed quantity combined with the wrong operation or order
  | 'wrong_person' // computes a needed quantity but attributes it to someone else (a name that is not its holder)
  | 'no_progress' // repeats an earlier step or computes something the answer does not need
  | 'wrong_final_answer' // declares an answer that differs from the computed final quantity
  | 'premature_answer' // declares an answer before the final quantity is computed
  | 'malformed'; // no equation and no answer, or more than one equation

export const CHECK_KINDS: readonly CheckKind[] = [
  'correct',
  'correct_final_answer',
  'arithmetic_error',
  'unknown_quantity',
  'wrong_operation',
  'wrong_person',
  'no_progress',
  'wrong_final_answer',
  'premature_answer',
  'malformed',
];

export interface CheckVerdict {
  valid: boolean;
  kind: CheckKind;
  /** One human-readable sentence saying what the step did. */
  detail: string;
  /** Id of the graph node the step computed (valid steps only). */
  node?: number;
  /** The step's single equation, when it has exactly one. */
  equation?: { a: number; op: Equation['op']; b: number; c: number };
  /** The final answer the step declares, when it declares one. */
  declared?: number;
  /** no_progress because the step repeats an earlier one. */
  repeat?: boolean;
  /** unknown_quantity: the operand that comes from nowhere. */
  unknownValue?: number;
  /** wrong_person: the people the step names, and the holders of the quantity it computes. */
  named?: string[];
  holders?: string[];
  /**
   * For a step a op b = c with right arithmetic and known inputs: how the question relates a and b
   * (the quantity whose operands they are, a still-needed one first), or null when no sentence does.
   */
  relation?: { a: number; op: Op; b: number } | null;
}

/** What the accepted steps so far have established. */
export interface CheckState {
  graph: QuestionGraph;
  /** Derived node ids computed by accepted steps. */
  computed: Set<number>;
  /** Values known so far: all numbers given in the question plus computed results. */
  known: Set<number>;
  /** A correct final answer was already declared. */
  finished: boolean;
  /** The world's person names: a step naming one of them must name the holder(s) of what it computes. */
  names: ReadonlySet<string>;
}

/** One set of names per template set: a state is made for every step checked. */
const nameSets = new WeakMap<readonly string[], ReadonlySet<string>>();
function nameSet(names: readonly string[]): ReadonlySet<string> {
  let set = nameSets.get(names);
  if (!set) nameSets.set(names, (set = new Set(names)));
  return set;
}

/** Start state for a question (throws QuestionParseError for text outside the world's templates). */
export function initialState(question: string, templates: TemplateSet = DEFAULT_TEMPLATES): CheckState {
  const graph = parseQuestion(templates, question);
  const known = new Set<number>();
  for (const n of graph.nodes) if (n.op === undefined) known.add(n.value);
  return { graph, computed: new Set(), known, finished: false, names: nameSet(templates.names) };
}

function argValues(g: QuestionGraph, n: QNode): [number, number] {
  return [g.nodes[n.args![0]].value, g.nodes[n.args![1]].value];
}

function sameOperands(g: QuestionGraph, n: QNode, e: Pick<Equation, 'a' | 'b'>, allowSwap: boolean): boolean {
  const [x, y] = argValues(g, n);
  return (x === e.a && y === e.b) || (allowSwap && x === e.b && y === e.a);
}

function describeNode(g: QuestionGraph, n: QNode): string {
  const [x, y] = argValues(g, n);
  const who = n.holder ?? n.holders?.join(' and ') ?? 'the problem';
  return `${who} (${n.role}): ${x} ${n.op} ${y} = ${n.value}`;
}

/** The people a step names, in order of first mention (words of the world's name list). */
export function namedPeople(names: ReadonlySet<string>, step: string): string[] {
  const out: string[] = [];
  for (const w of step.match(/[A-Z][a-z]+/g) ?? []) if (names.has(w) && !out.includes(w)) out.push(w);
  return out;
}

/** Who a quantity belongs to: its holder, both holders of a pair, or no one. */
function holdersOf(n: QNode): string[] {
  return n.holders ? [...new Set(n.holders)] : n.holder ? [n.holder] : [];
}

/**
 * The attribution rule: a step may name no one, but when it names people they must be exactly the
 * holders of the quantity it computes ("So Vic has 35 + 20 = 55" is wrong when the 55 is Ann's).
 */
function attributedRightly(n: QNode, named: string[]): boolean {
  if (named.length === 0) return true;
  const h = holdersOf(n);
  return named.length === h.length && named.every((x) => h.includes(x));
}

/** Judge one candidate step against a state; pure (does not mutate the state). */
export function judgeStep(state: CheckState, candidate: string): CheckVerdict {
  const v = judgeCore(state, candidate);
  const { equations, chained } = findEquations(candidate);
  if (equations.length === 1 && !chained) {
    const e = equations[0];
    v.equation = { a: e.a, op: e.op, b: e.b, c: e.c };
  }
  const answers = findAnswers(candidate);
  const last = answers.length > 0 ? answers[answers.length - 1].value : null;
  if (last !== null) v.declared = last;
  if (v.equation && v.kind !== 'arithmetic_error' && v.kind !== 'unknown_quantity' && v.kind !== 'malformed') v.relation = relationOf(state, v.equation);
  return v;
}

/** How the question relates the step's two numbers (either order), a still-needed quantity first; null when it does not. */
function relationOf(state: CheckState, e: { a: number; op: Op; b: number; c: number }): { a: number; op: Op; b: number } | null {
  const g = state.graph;
  const derived = g.nodes.filter((n) => n.op !== undefined);
  const open = derived.filter((n) => n.needed && !state.computed.has(n.id));
  const n = open.find((x) => sameOperands(g, x, e, true)) ?? derived.find((x) => sameOperands(g, x, e, true));
  if (!n) return null;
  const [a, b] = argValues(g, n);
  return { a, op: n.op as Op, b };
}

function judgeCore(state: CheckState, candidate: string): CheckVerdict {
  const g = state.graph;
  const final = g.nodes[g.finalId];
  const { equations, chained } = findEquations(candidate);
  const answers = findAnswers(candidate);
  const declared = answers.length > 0 ? answers[answers.length - 1].value : undefined;

  if (state.finished) return { valid: false, kind: 'no_progress', detail: 'the answer was already given; nothing is left to do' };
  if (equations.length > 1 || chained) {
    return { valid: false, kind: 'malformed', detail: `a step must hold exactly one equation, found ${chained ? 'a chained equation' : equations.length}` };
  }
  if (answers.length > 0 && declared === null) {
    return { valid: false, kind: 'malformed', detail: `the declared answer "${answers[answers.length - 1].raw}" is not a number` };
  }

  if (equations.length === 0) {
    if (declared === undefined) return { valid: false, kind: 'malformed', detail: 'the step has no equation a op b = c and no final answer' };
    if (!state.computed.has(final.id)) {
      return { valid: false, kind: 'premature_answer', detail: `declares ${declared} before the final quantity is computed` };
    }
    return declared === final.value
      ? { valid: true, kind: 'correct_final_answer', detail: `declares the computed answer ${final.value}`, node: final.id }
      : { valid: false, kind: 'wrong_final_answer', detail: `declares ${declared} but the computed answer is ${final.value}` };
  }

  const e = equations[0];
  const truth = applyOp(e.op, e.a, e.b);
  if (truth === null || truth !== e.c) {
    const what = truth === null ? `${e.a} ${e.op} ${e.b} is not a whole number` : `${e.a} ${e.op} ${e.b} = ${truth}, not ${e.c}`;
    return { valid: false, kind: 'arithmetic_error', detail: what };
  }
  for (const v of [e.a, e.b]) {
    if (!state.known.has(v)) {
      return { valid: false, kind: 'unknown_quantity', detail: `${v} is neither a number of the question nor an earlier result`, unknownValue: v };
    }
  }
  const open = g.nodes.filter((n) => n.op !== undefined && n.needed && !state.computed.has(n.id));
  // Two quantities can share an equation (e.g. Ann = Tom + 5 and Ben = Tom + 5): a declared
  // answer picks the final one among them, otherwise the earliest non-final one is taken.
  const all = open.filter((n) => n.op === e.op && sameOperands(g, n, e, isCommutative(e.op)));
  // The names a step gives pick among quantities that share its equation.
  const named = namedPeople(state.names, candidate);
  const hits = all.some((n) => attributedRightly(n, named)) ? all.filter((n) => attributedRightly(n, named)) : all;
  const hit =
    declared !== undefined && hits.some((n) => n.id === final.id)
      ? final
      : (hits.find((n) => n.id !== final.id) ?? hits[0]);
  if (!hit) {
    const repeat = g.nodes.find((n) => state.computed.has(n.id) && n.op === e.op && sameOperands(g, n, e, isCommutative(e.op)));
    if (repeat) return { valid: false, kind: 'no_progress', detail: `repeats an earlier step (${describeNode(g, repeat)})`, repeat: true };
    const near = open.find((n) => sameOperands(g, n, e, true));
    if (near) {
      return { valid: false, kind: 'wrong_operation', detail: `uses the right numbers with the wrong operation or order; needed ${describeNode(g, near)}` };
    }
    return { valid: false, kind: 'no_progress', detail: `${e.a} ${e.op} ${e.b} = ${e.c} is not a quantity the answer still needs` };
  }
  if (!attributedRightly(hit, named)) {
    const who = holdersOf(hit);
    return {
      valid: false,
      kind: 'wrong_person',
      detail: `computes ${describeNode(g, hit)} but attributes it to ${named.join(' and ')}`,
      named,
      holders: who,
    };
  }
  const isFinal = hit.id === final.id;
  if (declared !== undefined) {
    if (!isFinal) return { valid: false, kind: 'premature_answer', detail: `computes ${describeNode(g, hit)} but declares ${declared} as the answer too early` };
    if (declared !== final.value) return { valid: false, kind: 'wrong_final_answer', detail: `computes ${final.value} but declares ${declared}` };
    return { valid: true, kind: 'correct_final_answer', detail: `computes the answer ${describeNode(g, hit)} and declares it`, node: hit.id };
  }
  return { valid: true, kind: 'correct', detail: `computes ${describeNode(g, hit)}`, node: hit.id };
}

/** The state after accepting a step; invalid steps leave the state as it was. */
export function advance(state: CheckState, verdict: CheckVerdict): CheckState {
  if (!verdict.valid || verdict.node === undefined) return state;
  const node = state.graph.nodes[verdict.node];
  const computed = new Set(state.computed).add(node.id);
  const known = new Set(state.known).add(node.value);
  return { graph: state.graph, computed, known, finished: verdict.kind === 'correct_final_answer', names: state.names };
}

/** Replay accepted previous steps (invalid ones are skipped, as if not written). */
export function stateAfter(question: string, previousSteps: string[], templates: TemplateSet = DEFAULT_TEMPLATES): CheckState {
  let state = initialState(question, templates);
  for (const s of previousSteps) state = advance(state, judgeStep(state, s));
  return state;
}

export interface CheckInput {
  question: string;
  steps: string[];
  candidate: string;
}

/** Validate an untrusted {question, steps, candidate} object (e.g. CLI JSON). */
export function validateCheckInput(input: unknown): CheckInput {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new CheckInputError('check input must be a JSON object {"question": string, "steps": string[], "candidate": string}; wrap your fields in an object');
  }
  const o = input as Record<string, unknown>;
  if (typeof o.question !== 'string' || o.question.trim() === '') {
    throw new CheckInputError('check input field "question" must be a non-empty string; pass the problem text');
  }
  const steps = o.steps ?? [];
  if (!Array.isArray(steps) || steps.some((s) => typeof s !== 'string')) {
    throw new CheckInputError('check input field "steps" must be an array of strings (the accepted previous steps, [] at the start)');
  }
  if (steps.length > 64) throw new CheckInputError(`check input has ${steps.length} previous steps; at most 64 are accepted, pass fewer`);
  if (typeof o.candidate !== 'string') {
    throw new CheckInputError('check input field "candidate" must be a string (the proposed next step)');
  }
  return { question: o.question, steps: steps as string[], candidate: o.candidate };
}

/** The oracle: is `candidate` a valid next step after `steps` for `question`? */
export function checkStep(question: string, steps: string[], candidate: string, templates: TemplateSet = DEFAULT_TEMPLATES): CheckVerdict {
  const input = validateCheckInput({ question, steps, candidate });
  return judgeStep(stateAfter(input.question, input.steps, templates), input.candidate);
}

export interface SolutionScore {
  /** Verdict of each step in order, each judged after the valid steps before it. */
  verdicts: CheckVerdict[];
  validSteps: number;
  totalSteps: number;
  /** The last step declared the correct answer after computing it. */
  finalCorrect: boolean;
  /** Every step valid and the answer correct. */
  perfect: boolean;
  /** The declared final answer (null when none). */
  answer: number | null;
  /** Additive 0..5 points in the style of the outcome-level baseline's rubric. */
  points: number;
}

/**
 * Oracle score of a whole solution, for the outcome-level (whole-solution) judge's cold start
 * and for evaluation. Points: +1 a step with an equation, +1 all arithmetic right, +1 every
 * step valid, +1 the final quantity computed, +1 the correct answer declared.
 */
export function scoreSolution(question: string, steps: string[], templates: TemplateSet = DEFAULT_TEMPLATES): SolutionScore {
  let state = initialState(question, templates);
  const verdicts: CheckVerdict[] = [];
  let answer: number | null = null;
  for (const s of steps) {
    const v = judgeStep(state, s);
    verdicts.push(v);
    const a = findAnswers(s);
    if (a.length > 0) answer = a[a.length - 1].value;
    state = advance(state, v);
  }
  const validSteps = verdicts.filter((v) => v.valid).length;
  const finalCorrect = state.finished;
  const anyEquation = steps.some((s) => findEquations(s).equations.length > 0);
  const arithmeticOk = anyEquation && !verdicts.some((v) => v.kind === 'arithmetic_error');
  const points =
    (anyEquation ? 1 : 0) +
    (arithmeticOk ? 1 : 0) +
    (steps.length > 0 && validSteps === steps.length ? 1 : 0) +
    (state.computed.has(state.graph.finalId) ? 1 : 0) +
    (finalCorrect ? 1 : 0);
  return { verdicts, validSteps, totalSteps: steps.length, finalCorrect, perfect: finalCorrect && validSteps === steps.length, answer, points };
}
