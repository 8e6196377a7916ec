// The pairwise step judge's input for the tiny model — a compact token form of the paper's
// prompt: question, previous steps, candidate A, candidate B, optionally the judge's own short
// working, then the verdict token A or B. The working is derived from text alone (question,
// previous steps, candidate), so the model can learn to write it at inference time:
//   `A: 12 + 5 = 17 ok, inputs known, needed.`   `B: 12 + 5 = 17 not 18.`   `B: 12 + 5 = 17 ok, inputs known, needed, Ann not Vic.`
// With working 'ground' the line also copies how the question relates the two numbers:
//   `A: 12 + 5 = 17 ok, inputs known, (12 + 5), needed.`   `A: 17 - 5 = 12 ok, inputs known, (no), not needed.`
// Also the inverse: parse a judge's output (working + verdict) back.

import { EOS, VERDICT } from '../tokenizer/special.ts';
import { judgeLinePromptText, judgePromptText } from './judge-prompt.ts';
import { judgeStep, stateAfter, type CheckVerdict } from './checker.ts';
import type { Span } from './formats.ts';
import { applyOp } from './graph.ts';
import { DEFAULT_TEMPLATES, type TemplateSet } from './templates.ts';

import type { JudgeWorkingMode, Verdict } from './judge-prompt.ts';

export type { JudgeWorkingMode, Verdict };
export { judgePromptText };

export interface JudgeExample {
  question: string;
  previousSteps: string[];
  candidateA: string;
  candidateB: string;
  /** Needed for training text; omitted at inference. */
  verdict?: Verdict;
}

export interface JudgeFormatOptions {
  working: JudgeWorkingMode;
  templates?: TemplateSet;
}

export interface JudgePrompt {
  /** Full text: prompt + working (if any) + verdict + <eos>; the prompt alone without a verdict. */
  text: string;
  /** Input given to the model at inference (ends with <work> or <verdict>). */
  prompt: string;
  promptEnd: number;
  /** Span of the verdict token (A or B) in `text`, when a verdict was given. */
  verdictSpan: Span | null;
  /** Spans of the working lines (one per candidate) in `text`. */
  workingSpans: Span[];
  /** The working lines (empty for working 'none'). */
  working: string[];
}

/** The judge's working line for one candidate (label 'A' or 'B'), from text only; `ground` adds the question's relation. */
export function candidateWorking(label: Verdict, verdict: CheckVerdict, ground = false): string {
  const head = `${label}:`;
  const e = verdict.equation;
  const ans = verdict.declared;
  if (verdict.kind === 'malformed') {
    const why = /exactly one equation/.test(verdict.detail) ? 'two equations' : /declared answer/.test(verdict.detail) ? 'no answer' : 'no equation';
    return `${head} ${why}.`;
  }
  if (!e) {
    if (ans === undefined) return `${head} not needed.`;
    const status = verdict.kind === 'correct_final_answer' ? 'ok' : verdict.kind === 'premature_answer' ? 'early' : 'wrong';
    return `${head} answer ${ans} ${status}.`;
  }
  const truth = applyOp(e.op, e.a, e.b);
  if (truth === null) return `${head} ${e.a} ${e.op} ${e.b} not whole.`;
  if (truth !== e.c) return `${head} ${e.a} ${e.op} ${e.b} = ${truth} not ${e.c}.`;
  let s = `${head} ${e.a} ${e.op} ${e.b} = ${truth} ok`;
  if (verdict.kind === 'unknown_quantity') return `${s}, ${verdict.unknownValue ?? e.a} unknown.`;
  s += ', inputs known';
  if (ground) {
    const r = verdict.relation;
    s += r ? `, (${r.a} ${r.op} ${r.b})` : ', (no)';
  }
  if (verdict.kind === 'no_progress' || verdict.kind === 'wrong_operation') return `${s}, ${verdict.repeat ? 'repeat' : 'not needed'}.`;
  s += ', needed';
  if (verdict.kind === 'wrong_person') return `${s}, ${(verdict.holders ?? []).join(' and ')} not ${(verdict.named ?? []).join(' and ')}.`;
  if (ans !== undefined) {
    const status = verdict.kind === 'correct_final_answer' ? 'ok' : verdict.kind === 'premature_answer' ? 'early' : 'wrong';
    s += `, answer ${ans} ${status}`;
  }
  return `${s}.`;
}

/** Working lines for both candidates and the verdict they imply (null when both or neither are good). */
export function judgeWorking(
  example: Omit<JudgeExample, 'verdict'>,
  templates: TemplateSet = DEFAULT_TEMPLATES,
  ground = false,
): { lines: [string, string]; good: [boolean, boolean]; verdict: Verdict | null } {
  const state = stateAfter(example.question, example.previousSteps, templates);
  const va = judgeStep(state, example.candidateA);
  const vb = judgeStep(state, example.candidateB);
  const lines: [string, string] = [candidateWorking('A', va, ground), candidateWorking('B', vb, ground)];
  const good: [boolean, boolean] = [workingLineGood(lines[0]), workingLineGood(lines[1])];
  return { lines, good, verdict: verdictFromGood(good) };
}

/** A working line says the candidate is good when every check passed. */
export function workingLineGood(line: string): boolean {
  return /^[AB]: (?:\d+ [-+×÷] \d+ = \d+ ok, inputs known(?:, \(\d+ [-+×÷] \d+\))?, needed(?:, answer \d+ ok)?|answer \d+ ok)\.$/.test(line.trim());
}

function verdictFromGood(good: [boolean, boolean]): Verdict | null {
  if (good[0] === good[1]) return null;
  return good[0] ? 'A' : 'B';
}

/** Format a judge example as training text for the tiny model (the working comes from the checker). */
export function formatJudgePrompt(example: JudgeExample, opts: JudgeFormatOptions): JudgePrompt {
  const prompt = judgePromptText(example, opts.working);
  let text = prompt;
  const workingSpans: Span[] = [];
  let working: string[] = [];
  if (opts.working !== 'none') {
    const w = judgeWorking(example, opts.templates, opts.working === 'ground');
    working = w.lines;
    for (const line of w.lines) {
      const start = text.length + 1;
      text += ` ${line}`;
      workingSpans.push([start, text.length]);
    }
    if (example.verdict !== undefined) text += ` ${VERDICT}`;
  }
  let verdictSpan: Span | null = null;
  if (example.verdict !== undefined) {
    const start = text.length + 1;
    text += ` ${example.verdict}`;
    verdictSpan = [start, text.length];
    text += ` ${EOS}`;
  }
  return { text, prompt, promptEnd: prompt.length, verdictSpan, workingSpans, working };
}

export interface JudgeLineText {
  /** Prompt + " A: line" + " <eos>". */
  text: string;
  /** The input at inference: the line prompt, ending with `<work>`. */
  prompt: string;
  /** Span of the working line and its `<eos>` in `text` (the training target). */
  lineSpan: Span;
  line: string;
}

/**
 * Training text of a 'separate' (or, with `ground`, a 'ground') judge's working line for one candidate (shown as A), from the checker:
 * the line depends on this candidate alone, never on another candidate or its line.
 */
export function formatJudgeLine(
  example: { question: string; previousSteps: string[]; candidate: string },
  templates: TemplateSet = DEFAULT_TEMPLATES,
  ground = false,
): JudgeLineText {
  const prompt = judgeLinePromptText(example);
  const line = candidateWorking('A', judgeStep(stateAfter(example.question, example.previousSteps, templates), example.candidate), ground);
  const start = prompt.length + 1;
  const text = `${prompt} ${line} ${EOS}`;
  return { text, prompt, lineSpan: [start, text.length], line };
}

export interface ParsedJudgeOutput {
  verdict: Verdict | null;
  /** Working lines found, by candidate. */
  working: { A?: string; B?: string };
  /** Verdict implied by the working lines (null when missing or a tie). */
  workingVerdict: Verdict | null;
  /** The written verdict agrees with the working (true when there is no working). */
  consistent: boolean;
}

/** Parse what a judge model wrote after the prompt: optional working lines, `<verdict>`, A or B. */
export function parseJudgeOutput(generated: string): ParsedJudgeOutput {
  const text = generated.replace(/\s+/g, ' ');
  const vi = text.indexOf(VERDICT);
  const workPart = vi >= 0 ? text.slice(0, vi) : text;
  let verdict: Verdict | null = null;
  if (vi >= 0) {
    const m = text.slice(vi + VERDICT.length).match(/^ ?(?:\[\[)?([AB])\b/);
    if (m) verdict = m[1] as Verdict;
  } else {
    // The verdict-only form: the model's first token is the verdict (prompt ended with <verdict>).
    const m = text.match(/^ ?(?:\[\[)?([AB])(?:\]\])?(?: |$|<)/);
    if (m && !/^ ?[AB]:/.test(text)) verdict = m[1] as Verdict;
  }
  const working: { A?: string; B?: string } = {};
  for (const m of workPart.matchAll(/([AB]): [^.]*\./g)) {
    const label = m[1] as Verdict;
    working[label] ??= m[0].trim();
  }
  const workingVerdict =
    working.A !== undefined && working.B !== undefined ? verdictFromGood([workingLineGood(working.A), workingLineGood(working.B)]) : null;
  const hasWorking = working.A !== undefined || working.B !== undefined;
  return { verdict, working, workingVerdict, consistent: !hasWorking || (workingVerdict !== null && workingVerdict === verdict) };
}
