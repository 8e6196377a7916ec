// The quantity graph of one word problem: given numbers (leaves) and derived quantities, each
// derived one = a op b of two earlier nodes. The generator builds it, the question parser
// rebuilds it from the question text alone, and the checker (oracle) grades steps against it.

export type Op = '+' | '-' | '×' | '÷';
export const OPS: readonly Op[] = ['+', '-', '×', '÷'];

/** What a node stands for, which decides how a step computing it is worded. */
export type NodeRole =
  | 'person' // a person's amount of the problem's thing (given or derived)
  | 'literal' // a bare number in a relation ("5 more", "3 times", "costs 4 dollars")
  | 'together' // final: two people's amounts added
  | 'more' // final: how many more one person has than another
  | 'cost' // final: amount × price
  | 'share'; // final: amount ÷ number of friends

export interface QNode {
  id: number;
  value: number;
  role: NodeRole;
  /** Derived nodes only: the operation and its operand node ids, in equation order (a op b). */
  op?: Op;
  args?: [number, number];
  /** Person name for person nodes; for together/more the two people; for cost/share the owner. */
  holder?: string;
  holders?: [string, string];
  /** Thing key (plural phrase, e.g. "apples" or "liters of juice"). */
  thing?: string;
  /** Index of the question sentence that introduced this node. */
  sentence: number;
  /** True for derived nodes the final answer depends on (ancestors of the final node, inclusive). */
  needed: boolean;
}

export interface QuestionGraph {
  nodes: QNode[];
  /** Id of the node whose value is the answer. */
  finalId: number;
  /** The problem's main thing (plural phrase) and its verb (third person, e.g. "has"). */
  thing: string;
  verb: string;
}

/** Exact integer result of a op b, or null when it is not an integer (division) or b is 0. */
export function applyOp(op: Op, a: number, b: number): number | null {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '×':
      return a * b;
    case '÷':
      return b !== 0 && a % b === 0 ? a / b : null;
  }
}

export function isCommutative(op: Op): boolean {
  return op === '+' || op === '×';
}

/** Derived nodes in id order (ids are assigned in a topological order). */
export function derivedNodes(g: QuestionGraph): QNode[] {
  return g.nodes.filter((n) => n.op !== undefined);
}

/** Mark `needed` on every derived ancestor of the final node (inclusive). Mutates and returns g. */
export function markNeeded(g: QuestionGraph): QuestionGraph {
  for (const n of g.nodes) n.needed = false;
  const stack = [g.finalId];
  while (stack.length > 0) {
    const n = g.nodes[stack.pop()!];
    if (n.op === undefined || n.needed) continue;
    n.needed = true;
    stack.push(n.args![0], n.args![1]);
  }
  return g;
}

/** The answer of the graph. */
export function answerOf(g: QuestionGraph): number {
  return g.nodes[g.finalId].value;
}
