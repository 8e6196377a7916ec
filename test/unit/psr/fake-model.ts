// A scripted StepModel for the search tests: candidate texts per (question, step, call) from a
// script, verdicts from a judge function over the two candidate texts (e.g. by rank labels, with
// or without position bias). Records every call so tests can check batching.
import type { JudgeItem, SampledStep, SamplingSettings, StepModel, JudgeVerdict } from '../../../src/lib/psr/step-model.ts';
import type { UniformRng } from '../../../src/lib/model/sampling.ts';

/** Texts of the w candidates for (question, 1-based step, 0-based call index of that step). */
export type CandidateScript = (question: string, step: number, call: number, previousSteps: readonly string[]) => string[];
/** P(A wins) for one item. */
export type JudgeFn = (a: string, b: string, item: JudgeItem) => number;

export class ScriptedModel implements StepModel {
  readonly sampleCalls: { question: string; previousSteps: string[]; w: number; sampling: SamplingSettings }[] = [];
  readonly judgeCalls: JudgeItem[][] = [];
  private readonly calls = new Map<string, number>();

  constructor(
    private readonly script: CandidateScript,
    private readonly judgeFn: JudgeFn,
    /** Uses the sampling rng so tests can see that the seed reaches the model. */
    private readonly useRng = false,
  ) {}

  async sampleSteps(question: string, previousSteps: readonly string[], w: number, sampling: SamplingSettings, rng: UniformRng): Promise<SampledStep[]> {
    const step = previousSteps.length + 1;
    const key = `${question}|${step}`;
    const call = this.calls.get(key) ?? 0;
    this.calls.set(key, call + 1);
    this.sampleCalls.push({ question, previousSteps: [...previousSteps], w, sampling });
    let texts = this.script(question, step, call, previousSteps);
    if (this.useRng) texts = texts.map((t) => `${t} r${Math.floor(rng.nextFloat() * 3)}`);
    if (texts.length !== w) throw new Error(`script gave ${texts.length} candidates for w = ${w} (${key}, call ${call})`);
    return texts.map((text) => ({ text, final: /The answer is/.test(text), tokens: [1, 2], tokenLogprobs: [-0.5, -0.25] }));
  }

  async judge(items: JudgeItem[]): Promise<JudgeVerdict[]> {
    this.judgeCalls.push(items);
    return items.map((it) => ({ pA: this.judgeFn(it.candidateA, it.candidateB, it), working: `${it.candidateA} vs ${it.candidateB}` }));
  }
}

/** Rank = the number after "#" in the text (no "#" → 0); higher wins with P 0.9, equal ranks tie at 0.5. */
export function rankOf(text: string): number {
  const m = text.match(/#(\d+)/);
  return m ? Number(m[1]) : 0;
}

export const rankJudge: JudgeFn = (a, b) => {
  const d = rankOf(a) - rankOf(b);
  return d > 0 ? 0.9 : d < 0 ? 0.1 : 0.5;
};

/** A judge that ignores content: P(A) = p whatever the order (pure position bias). */
export const positionJudge = (p: number): JudgeFn => () => p;
