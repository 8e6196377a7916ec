// Evaluation of a model on held-out data: greedy accuracy per difficulty (Step-n format, or the
// base model's plain format), the oracle's breakdown of the first wrong step of each solution,
// mean steps and step length, and the pairwise judge on the held-out EFT pairs (accuracy with
// both orders averaged, single-order accuracy, swap consistency). The oracle appears here only
// to grade; nothing of it flows back into training.
import type { ModelParams } from '../model/params.ts';
import type { Tokenizer } from '../tokenizer/tokenizer.ts';
import type { Problem } from '../math/generator.ts';
import type { EftExample } from '../math/datasets.ts';
import { formatStepPrompt } from '../math/formats.ts';
import { judgeWorking, parseJudgeOutput } from '../math/judge-format.ts';
import { scoreSolution } from '../math/checker.ts';
import { extractAnswer, splitSteps } from '../math/parse-output.ts';
import { BOS, EOS, STEP } from '../tokenizer/special.ts';
import { createRng } from '../math/rng.ts';
import { generateMany } from './generation.ts';
import { judgeBothOrders, type JudgeOptions } from './judge.ts';

export type SolutionFormat = 'steps' | 'plain';

export interface SolvedProblem {
  problemId: string;
  difficulty: number;
  steps: string[];
  answer: number | null;
  correct: boolean;
  /** Every step valid and the right answer declared (the oracle's strict view). */
  perfect: boolean;
  /** Oracle kind of the first invalid step ('no_answer' when every step was valid but no answer came). */
  firstError: string | null;
  /** Tokens per step, as the model wrote them. */
  stepTokens: number[];
}

/** The model's greedy solutions to `problems`. */
export async function solveGreedy(
  params: ModelParams,
  tok: Tokenizer,
  problems: Problem[],
  opts: { format: SolutionFormat; rowsPerBatch: number; maxNewTokens: number },
  onProgress?: (done: number, total: number) => void,
): Promise<SolvedProblem[]> {
  const prompts = problems.map((p) => solutionPrompt(p, opts.format, tok));
  const gens = await generateMany(
    params,
    prompts,
    { temperature: 0, topP: 1, maxNewTokens: opts.maxNewTokens, stopTokens: [tok.eosId], rowsPerBatch: opts.rowsPerBatch },
    createRng(0),
    onProgress,
  );
  return problems.map((p, i) => gradeSolution(p, solutionSteps(gens[i].tokens, opts.format, tok), tok));
}

/** The prompt a solution of `p` is written after, in `format` (token ids). */
export function solutionPrompt(p: Problem, format: SolutionFormat, tok: Tokenizer): number[] {
  return Array.from(tok.encode(format === 'steps' ? formatStepPrompt(p.question, []) : `${BOS} ${p.question}`, { strict: true }).ids);
}

/** The steps of a generated solution (its token ids, `<eos>` dropped). */
export function solutionSteps(tokens: readonly number[], format: SolutionFormat, tok: Tokenizer): string[] {
  const text = tok.decode(tokens.filter((id) => id !== tok.eosId));
  return format === 'steps' ? text.split(STEP).map((s) => s.trim()).filter((s) => s !== '') : splitSteps(text.replace(EOS, ''));
}

/** The oracle's grading of one solution (steps as written) to problem `p`. */
export function gradeSolution(p: Problem, steps: string[], tok: Tokenizer): SolvedProblem {
  const score = scoreSolution(p.question, steps);
  const answer = extractAnswer(steps.at(-1) ?? '');
  const firstBad = score.verdicts.find((v) => !v.valid);
  return {
    problemId: p.id,
    difficulty: p.difficulty,
    steps,
    answer,
    correct: answer === p.answer,
    perfect: score.perfect,
    firstError: firstBad ? firstBad.kind : score.finalCorrect ? null : 'no_answer',
    stepTokens: steps.map((s) => tok.encode(s).ids.length),
  };
}

export interface JudgeEvaluation {
  /** Verdict from both orders averaged picks the valid step. */
  judge_accuracy: number;
  /** Each single-order judgment picks the valid step. */
  judge_accuracy_one_order: number;
  /** The same candidate wins in both orders. */
  swap_consistency: number;
  /** Mean P(valid step wins), both orders averaged. */
  mean_p_correct: number;
  /** The judge's own working lines equal the oracle's working (both lines), forward order. */
  working_exact: number;
  /** The verdict (P(A) > 0.5) agrees with the verdict the judge's own working implies, forward order. */
  verdict_follows_working: number;
  pairs: number;
}

export async function evaluateJudge(params: ModelParams, tok: Tokenizer, pairs: EftExample[], opts: JudgeOptions): Promise<JudgeEvaluation> {
  const judged = await judgeBothOrders(params, tok, pairs, opts);
  let acc = 0;
  let one = 0;
  let consistent = 0;
  let pSum = 0;
  let exact = 0;
  let follows = 0;
  judged.forEach((j, i) => {
    // Diagnostics of the written working (evaluation may consult the oracle; training never does).
    const oracle = judgeWorking(pairs[i]).lines.join(' ');
    if (j.forward.working.trim() === oracle) exact++;
    const own = parseJudgeOutput(j.forward.working);
    if (own.workingVerdict !== null && (own.workingVerdict === 'A') === j.forward.pA > 0.5) follows++;
    const aIsValid = pairs[i].verdict === 'A';
    const pCorrect = aIsValid ? j.pA : 1 - j.pA;
    pSum += pCorrect;
    if (pCorrect > 0.5) acc++;
    const fwdPicksA = j.forward.pA > 0.5;
    const swpPicksOrigA = j.swapped.pA < 0.5; // in the swapped prompt the original A is shown as B
    if (fwdPicksA === aIsValid) one++;
    if (swpPicksOrigA === aIsValid) one++;
    if (fwdPicksA === swpPicksOrigA) consistent++;
  });
  const n = Math.max(1, pairs.length);
  return {
    judge_accuracy: acc / n,
    judge_accuracy_one_order: one / (2 * n),
    swap_consistency: consistent / n,
    mean_p_correct: pSum / n,
    working_exact: exact / n,
    verdict_follows_working: follows / n,
    pairs: pairs.length,
  };
}

export interface SolveEvaluation {
  accuracy: number;
  accuracy_by_difficulty: Record<string, number>;
  perfect_rate: number;
  mean_steps: number;
  mean_step_tokens: number;
  first_error_kinds: Record<string, number>;
  problems: number;
  /** Per problem, in evaluation order, "1" solved or "0" not: for paired intervals between models. */
  correct: string;
}

export function summariseSolutions(solved: SolvedProblem[]): SolveEvaluation {
  const byD = new Map<number, { n: number; ok: number }>();
  const kinds: Record<string, number> = {};
  let steps = 0;
  let stepTokens = 0;
  for (const s of solved) {
    const d = byD.get(s.difficulty) ?? { n: 0, ok: 0 };
    d.n++;
    if (s.correct) d.ok++;
    byD.set(s.difficulty, d);
    if (s.firstError) kinds[s.firstError] = (kinds[s.firstError] ?? 0) + 1;
    steps += s.steps.length;
    stepTokens += s.stepTokens.reduce((a, b) => a + b, 0);
  }
  const n = Math.max(1, solved.length);
  return {
    accuracy: solved.filter((s) => s.correct).length / n,
    accuracy_by_difficulty: Object.fromEntries([...byD.entries()].sort((a, b) => a[0] - b[0]).map(([d, v]) => [String(d), v.ok / v.n])),
    perfect_rate: solved.filter((s) => s.perfect).length / n,
    mean_steps: steps / n,
    mean_step_tokens: stepTokens / Math.max(1, steps),
    first_error_kinds: kinds,
    problems: solved.length,
    correct: solved.map((s) => (s.correct ? '1' : '0')).join(''),
  };
}
