// Majority vote of k sampled solutions (self-consistency): each problem is solved k times at the
// sampling settings, and the answer most of the k solutions reach is the vote (an equal count goes
// to the answer reached first). Graded by the oracle after the fact, against greedy on the same
// problems: how much the model's own agreement adds over its greedy solution, the outcome-level
// counterpart of the step judge's gap (`eval --vote K`).
import type { Problem } from '../math/generator.ts';
import { extractAnswer } from '../math/parse-output.ts';
import { createRng } from '../math/rng.ts';
import type { ModelParams } from '../model/params.ts';
import type { Tokenizer } from '../tokenizer/tokenizer.ts';
import { SettingsError } from '../errors.ts';
import { solutionPrompt, solutionSteps, type SolutionFormat } from './evaluate.ts';
import { generateMany } from './generation.ts';

export interface VotedProblem {
  problemId: string;
  difficulty: number;
  /** The k solutions' answers (null: none declared), in sampling order. */
  answers: (number | null)[];
  vote: number | null;
  correct: boolean;
  /** At least one of the k solutions reached the right answer. */
  anyCorrect: boolean;
  /** Share of the k solutions that reached it. */
  sampleAccuracy: number;
}

/** The most frequent non-null answer; an equal count goes to the one reached first; null when none answered. */
export function majorityAnswer(answers: readonly (number | null)[]): number | null {
  const counts = new Map<number, number>();
  for (const a of answers) if (a !== null) counts.set(a, (counts.get(a) ?? 0) + 1);
  let best: number | null = null;
  for (const [a, c] of counts) if (best === null || c > (counts.get(best) as number)) best = a; // Map keeps first-reached order
  return best;
}

export async function solveByVote(
  params: ModelParams,
  tok: Tokenizer,
  problems: readonly Problem[],
  k: number,
  opts: { format: SolutionFormat; temperature: number; topP: number; rowsPerBatch: number; maxNewTokens: number; seed: number | string },
  onProgress?: (done: number, total: number) => void,
): Promise<VotedProblem[]> {
  if (!Number.isInteger(k) || k < 1) throw new SettingsError(`the vote needs a whole number of solutions per problem ≥ 1 (got ${k}).`, 'vote');
  if (!(opts.temperature > 0)) throw new SettingsError(`a vote over greedy solutions is the greedy solution k times: use a sampling temperature above 0 (got ${opts.temperature}).`, 'temperature');
  const prompts = problems.flatMap((p) => Array.from({ length: k }, () => solutionPrompt(p, opts.format, tok)));
  const gens = await generateMany(
    params,
    prompts,
    { temperature: opts.temperature, topP: opts.topP, maxNewTokens: opts.maxNewTokens, stopTokens: [tok.eosId], rowsPerBatch: opts.rowsPerBatch },
    createRng(`${opts.seed}:vote`),
    onProgress,
  );
  return problems.map((p, i) => {
    const answers = gens.slice(i * k, (i + 1) * k).map((g) => extractAnswer(solutionSteps(g.tokens, opts.format, tok).at(-1) ?? ''));
    const vote = majorityAnswer(answers);
    return {
      problemId: p.id,
      difficulty: p.difficulty,
      answers,
      vote,
      correct: vote === p.answer,
      anyCorrect: answers.includes(p.answer),
      sampleAccuracy: answers.filter((a) => a === p.answer).length / k,
    };
  });
}
