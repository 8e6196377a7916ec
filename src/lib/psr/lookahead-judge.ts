// The lookahead judge: the model judges a pair of candidate steps by where they lead. Each distinct
// candidate at a prefix is continued by the model itself, `rollouts` times, to an answer; the
// answer most of those continuations reach (over all candidates of the prefix, each candidate
// weighing the same) is the model's own consensus, and a candidate's consistency is the share of
// its continuations that reach it. P(A beats B) = ½ + ½ (consistency A − consistency B); where the
// two are equal the pairwise judge's verdict decides (tieBreak 'judge') or it stays a tie.
//
// Why: the pairwise judge recomputes the step with the same skill that wrote it and cannot tell a
// step that computes a quantity the question does not need from one that does (README, "Why the
// judge has no edge"); a majority of the model's own solutions is right more often than its
// greedy one, and a step that leads there is more often valid. No ground truth: the model
// writes the continuations and their answers; the oracle only grades afterwards, elsewhere.
import { createRng } from '../math/rng.ts';
import { extractAnswer } from '../math/parse-output.ts';
import { formatStepPrompt } from '../math/formats.ts';
import type { ModelParams } from '../model/params.ts';
import type { Tokenizer } from '../tokenizer/tokenizer.ts';
import { SettingsError } from '../errors.ts';
import { generateMany } from './generation.ts';
import { solutionSteps } from './evaluate.ts';
import type { JudgeItem, JudgeVerdict, SampledStep, SamplingSettings, StepModel } from './step-model.ts';
import type { UniformRng } from '../model/sampling.ts';

export interface LookaheadOptions {
  /** Continuations per distinct candidate (1–64). */
  rollouts: number;
  /** Sampling of the continuations. */
  temperature: number;
  topP: number;
  /** Longest continuation in tokens. */
  maxNewTokens: number;
  /** Equal consistency: the pairwise judge decides ('judge') or the pair is a tie ('none'). */
  tieBreak: 'judge' | 'none';
  /** Seeds the continuations (each prefix and candidate draws from its own fork). */
  seed: number | string;
  rowsPerBatch: number;
  /** Weigh each candidate's continuations by how often it was sampled (as a vote over whole solutions does). */
  weighBySamples: boolean;
}

export const DEFAULT_LOOKAHEAD: LookaheadOptions = { rollouts: 4, temperature: 0.5, topP: 0.95, maxNewTokens: 256, tieBreak: 'judge', seed: 1, rowsPerBatch: 32, weighBySamples: true };

/** What the lookahead found for one candidate: its continuations' answers and its consistency. */
export interface CandidateLookahead {
  answers: (number | null)[];
  consistency: number;
}

/** The consensus answer (most frequent non-null; ties to the smallest, so it is deterministic) and each candidate's consistency. */
export function consensus(answersByCandidate: readonly (readonly (number | null)[])[], weights?: readonly number[]): { answer: number | null; consistency: number[] } {
  const votes = new Map<number, number>();
  answersByCandidate.forEach((answers, i) => {
    const n = Math.max(1, answers.length);
    for (const a of answers) if (a !== null) votes.set(a, (votes.get(a) ?? 0) + (weights?.[i] ?? 1) / n);
  });
  let answer: number | null = null;
  let best = 0;
  for (const [a, v] of votes) if (v > best + 1e-12 || (Math.abs(v - best) <= 1e-12 && answer !== null && a < answer)) [answer, best] = [a, v];
  const consistency = answersByCandidate.map((answers) => (answer === null || answers.length === 0 ? 0 : answers.filter((a) => a === answer).length / answers.length));
  return { answer, consistency };
}

/** A StepModel whose judge looks ahead: sampling is the inner model's; verdicts come from continuations. */
export class LookaheadStepModel implements StepModel {
  /** The last prefix's lookahead, per candidate text (continuations' answers and consistency, for inspection). */
  lastLookahead = new Map<string, CandidateLookahead>();

  constructor(
    readonly inner: StepModel,
    readonly params: ModelParams,
    readonly tok: Tokenizer,
    readonly opts: LookaheadOptions = DEFAULT_LOOKAHEAD,
  ) {
    if (!Number.isInteger(opts.rollouts) || opts.rollouts < 1 || opts.rollouts > 64) {
      throw new SettingsError(`lookahead rollouts must be an integer from 1 to 64 (got ${opts.rollouts}).`, 'lookaheadRollouts');
    }
  }

  /** How often each text was sampled at the last prefix sampled (the consensus weighs candidates by it). */
  private sampled = { key: '', counts: new Map<string, number>() };

  async sampleSteps(question: string, previousSteps: readonly string[], w: number, sampling: SamplingSettings, rng: UniformRng): Promise<SampledStep[]> {
    const samples = await this.inner.sampleSteps(question, previousSteps, w, sampling, rng);
    const counts = new Map<string, number>();
    for (const s of samples) counts.set(s.text, (counts.get(s.text) ?? 0) + 1);
    this.sampled = { key: JSON.stringify([question, previousSteps]), counts };
    return samples;
  }

  async judge(items: JudgeItem[]): Promise<JudgeVerdict[]> {
    if (items.length === 0) return [];
    // Group by prefix: the consensus is taken over the candidates of one prefix.
    const groups = new Map<string, JudgeItem[]>();
    for (const it of items) {
      const key = JSON.stringify([it.question, it.previousSteps]);
      const group = groups.get(key);
      if (group) group.push(it);
      else groups.set(key, [it]);
    }
    const consistencyOf = new Map<string, number>(); // key + candidate → consistency
    for (const [key, group] of groups) {
      const texts = [...new Set(group.flatMap((it) => [it.candidateA, it.candidateB]))];
      const found = await this.lookahead(group[0].question, group[0].previousSteps, texts, key);
      this.lastLookahead = new Map(texts.map((t, i) => [t, found[i]]));
      texts.forEach((t, i) => consistencyOf.set(key + '\u0000' + t, found[i].consistency));
    }
    const verdicts: JudgeVerdict[] = items.map((it) => {
      const key = JSON.stringify([it.question, it.previousSteps]);
      const a = consistencyOf.get(key + '\u0000' + it.candidateA) as number;
      const b = consistencyOf.get(key + '\u0000' + it.candidateB) as number;
      return { pA: 0.5 + 0.5 * (a - b), working: `leads to the consensus: A ${fmt(a)}, B ${fmt(b)}` };
    });
    const tied = verdicts.flatMap((v, i) => (v.pA === 0.5 ? [i] : []));
    if (this.opts.tieBreak === 'judge' && tied.length > 0) {
      const inner = await this.inner.judge(tied.map((i) => items[i]));
      tied.forEach((i, k) => (verdicts[i] = { pA: inner[k].pA, working: `${verdicts[i].working}; equal, so the pairwise judge: ${inner[k].working ?? ''}`.trim() }));
    }
    return verdicts;
  }

  /** Continue each candidate `rollouts` times (a final candidate is its own answer) and score consistency. */
  private async lookahead(question: string, previousSteps: readonly string[], texts: string[], key: string): Promise<CandidateLookahead[]> {
    const r = this.opts.rollouts;
    const finalAnswer = texts.map((t) => (/The answer is/.test(t) ? extractAnswer(t) : undefined));
    const open = texts.flatMap((t, i) => (finalAnswer[i] === undefined ? [i] : []));
    const prompts = open.flatMap((i) => {
      const ids = Array.from(this.tok.encode(formatStepPrompt(question, [...previousSteps, texts[i]]), { strict: true }).ids);
      return Array.from({ length: r }, () => ids);
    });
    const maxPos = this.params.config.maxPositionEmbeddings;
    const longest = Math.max(0, ...prompts.map((p) => p.length));
    const room = Math.max(1, Math.min(this.opts.maxNewTokens, maxPos - longest - 1));
    const gens = prompts.length === 0 || longest + 1 >= maxPos
      ? []
      : await generateMany(
          this.params,
          prompts,
          { temperature: this.opts.temperature, topP: this.opts.topP, maxNewTokens: room, stopTokens: [this.tok.eosId], rowsPerBatch: this.opts.rowsPerBatch },
          createRng(`${this.opts.seed}:lookahead:${key}`),
        );
    const answers: (number | null)[][] = texts.map((_, i) => (finalAnswer[i] === undefined ? [] : Array.from({ length: r }, () => finalAnswer[i] as number | null)));
    open.forEach((i, k) => {
      for (let j = 0; j < r; j++) {
        const g = gens[k * r + j];
        if (!g) {
          answers[i].push(null);
          continue;
        }
        answers[i].push(extractAnswer(solutionSteps(g.tokens, 'steps', this.tok).at(-1) ?? ''));
      }
    });
    const weights = this.opts.weighBySamples && this.sampled.key === key ? texts.map((t) => this.sampled.counts.get(t) ?? 1) : undefined;
    const { consistency } = consensus(answers, weights);
    return texts.map((_, i) => ({ answers: answers[i], consistency: consistency[i] }));
  }
}

function fmt(x: number): string {
  return x.toFixed(2);
}
