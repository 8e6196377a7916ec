// Parser for model output: normalises messy text (unicode minus, thousands separators, `$`,
// odd spacing), splits it into steps (tolerating missing or doubled `Step n:` and line
// breaks), finds each step's equations and the final answer (`The answer is N.`,
// `\boxed{N}`, `#### N`). Output steps are canonical `Step n: ...` text.

import type { Op } from './graph.ts';

export interface Equation {
  a: number;
  op: Op;
  b: number;
  c: number;
  /** Character span of the equation within the (normalised) text it was found in. */
  start: number;
  end: number;
}

const NUM = String.raw`-?\d+(?:\.\d+)?`;
const OP_CHARS = String.raw`+\-×xX*·÷/`;
const EQ_RE = new RegExp(String.raw`(?<![\d.\w])(${NUM}) *([${OP_CHARS}]) *(${NUM}) *= *(${NUM})(?![\d])`, 'g');
/** After an equation: another operator or `=` means a chained equation like `1 + 2 = 3 + 4 = 7`. */
const CHAIN_RE = new RegExp(String.raw`^ *(?:[${OP_CHARS}=]) *\d`);

function toOp(ch: string): Op {
  if (ch === '+') return '+';
  if (ch === '-') return '-';
  if (ch === '÷' || ch === '/') return '÷';
  return '×';
}

/**
 * Normalise characters and numbers, keeping line breaks: unicode minus and dashes → `-`,
 * `x`-like and `/`-like operators stay (see findEquations), `$` removed, `1,234` → `1234`,
 * runs of spaces/tabs → one space.
 */
export function normalizeText(text: string): string {
  let s = text.replace(/\r\n?/g, '\n');
  s = s.replace(/[\u2212\u2012\u2013\u2014\uFE63\uFF0D]/g, '-');
  s = s.replace(/[\u00A0\u2007\u202F\t]/g, ' ');
  s = s.replace(/[\u2217\u22C5]/g, '×').replace(/[\u2215\u2044]/g, '÷');
  s = s.replace(/\\?\$ ?/g, '');
  // Thousands separators: a comma between digit groups of exactly three.
  s = s.replace(/(\d),(?=\d{3}(?!\d))/g, '$1');
  s = s.replace(/ {2,}/g, ' ');
  return s;
}

/** Parse one number as written by people or models: "$1,234", "−5", "17.", "17.0", "12 ". */
export function normalizeNumber(text: string): number | null {
  // LaTeX leftovers from \boxed{}: \$, thin spaces (\, \! \;), {,} separators, \text{...} units.
  let s = String(text).replace(/\\text\{[^}]*\}/g, '').replace(/\{,\}/g, ',').replace(/\\[,!;: ]/g, '').replace(/\\\$/g, '$');
  s = normalizeText(s).replace(/[\s%]/g, '').replace(/\.$/, '');
  if (!/^-?\d+(?:\.\d+)?$/.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

/** All equations `a op b = c` in text (after normalisation); `chained` flags `a op b = c op d = e`. */
export function findEquations(text: string): { equations: Equation[]; chained: boolean } {
  const s = normalizeText(text);
  const equations: Equation[] = [];
  let chained = false;
  for (const m of s.matchAll(EQ_RE)) {
    const opChar = m[2];
    // A lone `x` is only an operator between numbers separated by spaces or digits; both hold here.
    const eq: Equation = { a: Number(m[1]), op: toOp(opChar), b: Number(m[3]), c: Number(m[4]), start: m.index!, end: m.index! + m[0].length };
    if (CHAIN_RE.test(s.slice(eq.end))) chained = true;
    equations.push(eq);
  }
  return { equations, chained };
}

/** Canonical form `a op b = c` of every equation in a line (`12+5=17` → `12 + 5 = 17`). */
function canonicalEquations(s: string): string {
  return s.replace(EQ_RE, (_m, a: string, op: string, b: string, c: string) => `${a} ${toOp(op)} ${b} = ${c}`);
}

export interface AnswerMatch {
  value: number | null;
  /** Which convention wrote it. */
  form: 'answer-is' | 'boxed' | 'hashes';
  raw: string;
  start: number;
}

const ANSWER_RES: [AnswerMatch['form'], RegExp][] = [
  ['answer-is', /the (?:final )?answer is:? *(-?[\d.,]+(?:\.\d+)?)/gi],
  ['hashes', /#### *(-?[\d.,]+)/g],
];

/** Every final-answer declaration in text, in order of position. */
export function findAnswers(text: string): AnswerMatch[] {
  const s = normalizeText(text);
  const out: AnswerMatch[] = [];
  for (const [form, re] of ANSWER_RES) {
    for (const m of s.matchAll(re)) out.push({ value: normalizeNumber(m[1]), form, raw: m[1], start: m.index! });
  }
  // \boxed{...} with balanced braces (contents may hold {,} or \text{...}).
  for (let at = s.indexOf('\\boxed{'); at >= 0; at = s.indexOf('\\boxed{', at + 1)) {
    let depth = 0;
    let end = -1;
    for (let i = at + 6; i < s.length; i++) {
      if (s[i] === '{') depth++;
      else if (s[i] === '}' && --depth === 0) {
        end = i;
        break;
      }
    }
    if (end < 0) continue;
    const raw = s.slice(at + 7, end);
    out.push({ value: normalizeNumber(raw), form: 'boxed', raw, start: at });
  }
  return out.sort((x, y) => x.start - y.start);
}

/** The final answer (the last declaration in the text), or null when none parses. */
export function extractAnswer(text: string): number | null {
  const all = findAnswers(text);
  return all.length === 0 ? null : all[all.length - 1].value;
}

const MARKER_RE = /Step *(\d+) *[:.)]/gi;

function hasEquation(s: string): boolean {
  return findEquations(s).equations.length > 0;
}

/** Group pieces so that a new chunk starts whenever a piece with an equation follows one that has one. */
function regroup(pieces: string[]): string[] {
  const out: string[] = [];
  let cur: string[] = [];
  let curEq = false;
  for (const p of pieces) {
    const eq = hasEquation(p);
    if (eq && curEq) {
      out.push(cur.join(' '));
      cur = [];
      curEq = false;
    }
    cur.push(p);
    curEq ||= eq;
  }
  if (cur.length > 0) out.push(cur.join(' '));
  return out;
}

function clean(s: string): string {
  return canonicalEquations(s.replace(/\s+/g, ' ').trim());
}

/**
 * Split model output into step bodies (no `Step n:` prefix). With `Step n:` markers, each
 * marker starts a step (empty segments from doubled markers are dropped, lines that each hold
 * an equation inside one segment become separate steps). Without markers, lines — or, on a
 * single line, sentences — are grouped so that each step holds one equation.
 */
export function splitStepBodies(text: string): string[] {
  const s = normalizeText(text);
  const marks = [...s.matchAll(MARKER_RE)];
  let segments: string[];
  if (marks.length > 0) {
    segments = [];
    const pre = s.slice(0, marks[0].index);
    if (hasEquation(pre)) segments.push(pre);
    marks.forEach((m, i) => {
      const from = m.index! + m[0].length;
      const to = i + 1 < marks.length ? marks[i + 1].index! : s.length;
      segments.push(s.slice(from, to));
    });
    segments = segments.flatMap((seg) => regroup(seg.split('\n').map((l) => l.trim()).filter((l) => l !== '')));
  } else {
    const lines = s.split('\n').map((l) => l.trim()).filter((l) => l !== '');
    const pieces = lines.length > 1 ? lines : lines.flatMap((l) => l.split(/(?<=[.!?]) +(?=[A-Z])/));
    segments = regroup(pieces);
  }
  return segments.map(clean).filter((b) => b !== '');
}

/** Split model output into canonical steps `Step 1: ...`, `Step 2: ...`. */
export function splitSteps(text: string): string[] {
  return splitStepBodies(text).map((b, i) => `Step ${i + 1}: ${b}`);
}

export interface ParsedSolution {
  steps: string[];
  answer: number | null;
}

export function parseSolution(text: string): ParsedSolution {
  return { steps: splitSteps(text), answer: extractAnswer(text) };
}
