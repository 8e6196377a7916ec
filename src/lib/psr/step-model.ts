// The model as the step-wise search sees it (StepModel: sample w next steps, judge pairs), so the
// search runs on the tiny model, a real LLM engine or a scripted fake alike; and TinyStepModel,
// the project's own transformer behind that interface: one batched prefill + decode of the w
// candidates per step, and the lead's batched pairwise judge (judge.ts) for the verdicts.
import type { ModelParams } from '../model/params.ts';
import { Decoder } from '../model/decoder.ts';
import { generate, type UniformRng } from '../model/sampling.ts';
import type { Tokenizer } from '../tokenizer/tokenizer.ts';
import { EOS, STEP } from '../tokenizer/special.ts';
import { formatStepPrompt, parseStepContinuation } from '../math/formats.ts';
import { judgePromptText, type JudgeWorkingMode } from '../math/judge-prompt.ts';
import { DEFAULT_JUDGE_OPTIONS, judgePairs, type JudgeItem, type JudgeOptions } from './judge.ts';
import { ContextFullError } from '../errors.ts';

export type { JudgeItem } from './judge.ts';

/** One sampled candidate next step. */
export interface SampledStep {
  /** What the model wrote up to (not including) `<step>` or `<eos>`, trimmed. */
  text: string;
  /** The model ended the solution here (`<eos>`, or the text declares "The answer is"). */
  final: boolean;
  /** Generated token ids, including the stop marker when there was one. */
  tokens: number[];
  /** log P(token) at temperature 1, per entry of `tokens`. */
  tokenLogprobs: number[];
}

/** A judge's written verdict (real-model tier): A or B, or none / both written — counted as a tie, never guessed. */
export type VerdictLabel = 'A' | 'B' | 'none' | 'both';

/** One verdict: P(candidate A is the better next step), and the judge's working if it wrote any. */
export interface JudgeVerdict {
  pA: number;
  working?: string;
  /** The verdict as written, for judges that write one (the tiny model's judge reads logits instead). */
  verdict?: VerdictLabel;
}

export interface SamplingSettings {
  temperature: number;
  topP: number;
}

export interface StepModel {
  /** w candidate next steps for the question after `previousSteps` (throws ContextFullError when no room is left). */
  sampleSteps(question: string, previousSteps: readonly string[], w: number, sampling: SamplingSettings, rng: UniformRng): Promise<SampledStep[]>;
  /** One verdict per item, each in the order given (A = candidateA); all items in one batched pass. */
  judge(items: JudgeItem[]): Promise<JudgeVerdict[]>;
}

/** A step is final when the model closed the solution or declared its answer. */
export function isFinalStep(text: string, endedWithEos: boolean): boolean {
  return endedWithEos || /The answer is/.test(text);
}

export interface TinyStepModelOptions {
  /** Longest candidate step in tokens (a step of the world is ~15–25 tokens). */
  maxStepTokens: number;
  judge: JudgeOptions;
}

export const DEFAULT_TINY_STEP_OPTIONS: TinyStepModelOptions = { maxStepTokens: 48, judge: DEFAULT_JUDGE_OPTIONS };

/** The judge settings for a model taught to judge with `working` (its psr_model.json's judge_working). */
export function judgeOptionsFor(working: JudgeWorkingMode): JudgeOptions {
  return { ...DEFAULT_JUDGE_OPTIONS, working };
}

/** The step-model settings for a model taught to judge with `working`. */
export function tinyStepOptionsFor(working: JudgeWorkingMode): TinyStepModelOptions {
  return { ...DEFAULT_TINY_STEP_OPTIONS, judge: judgeOptionsFor(working) };
}

/** The project's tiny transformer as a StepModel (any backend: CPU, wasm, WebGPU). */
export class TinyStepModel implements StepModel {
  private readonly stopIds: number[];

  constructor(
    readonly params: ModelParams,
    readonly tok: Tokenizer,
    readonly opts: TinyStepModelOptions = DEFAULT_TINY_STEP_OPTIONS,
  ) {
    this.stopIds = [tok.id(STEP), tok.id(EOS)];
  }

  async sampleSteps(question: string, previousSteps: readonly string[], w: number, sampling: SamplingSettings, rng: UniformRng): Promise<SampledStep[]> {
    const prompt = Array.from(this.tok.encode(formatStepPrompt(question, previousSteps), { strict: true }).ids); // (T)
    const maxPos = this.params.config.maxPositionEmbeddings;
    if (prompt.length + 1 >= maxPos) {
      throw new ContextFullError(
        `the step prompt has ${prompt.length} tokens and leaves no room for a next step within ${maxPos} positions; ` +
          'the search ends this problem unfinished (lower maxSteps or use a model with a longer context).',
      );
    }
    // One prefill of the shared prompt (a 1-row forward pass), forked into the w rows.
    const dec = new Decoder(this.params, w, Math.min(maxPos, prompt.length + this.opts.maxStepTokens + 1));
    try {
      const first = await dec.prefillShared(prompt); // (w,V)
      const gens = await generate(dec, first, { ...sampling, maxNewTokens: this.opts.maxStepTokens, stopTokens: this.stopIds }, rng);
      return gens.map((g) => {
        const parsed = parseStepContinuation(this.tok.decode(g.tokens));
        const endedWithEos = g.finish === 'stop-token' && g.tokens[g.tokens.length - 1] === this.stopIds[1];
        return { text: parsed.step, final: isFinalStep(parsed.step, endedWithEos), tokens: g.tokens, tokenLogprobs: g.logprobs };
      });
    } finally {
      dec.free();
    }
  }

  async judge(items: JudgeItem[]): Promise<JudgeVerdict[]> {
    if (items.length === 0) return [];
    // The judge needs the prompt plus (with working) room to write; check before the decoder throws.
    const room = this.opts.judge.working === 'none' ? 1 : 3;
    const maxPos = this.params.config.maxPositionEmbeddings;
    for (const it of items) {
      // The 'none' prompt has the same length as the 'check' one (<verdict> instead of <work>) and needs no oracle working.
      const n = this.tok.encode(judgePromptText(it, 'none')).ids.length;
      if (n + room > maxPos) {
        throw new ContextFullError(
          `a judge prompt has ${n} tokens, too long for ${maxPos} positions; the search ends this problem unfinished ` +
            '(lower maxSteps or the candidate length, or use a model with a longer context).',
        );
      }
    }
    const out = await judgePairs(this.params, this.tok, items, this.opts.judge);
    return out.map((j) => ({ pA: j.pA, working: j.working }));
  }
}
