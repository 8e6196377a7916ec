// A real chat model behind the search's StepModel interface, through WebLLM's OpenAI-style API
// (any MLCEngineInterface: the worker engine in the page, the scripted engine in tests), so the
// search, the win counts, the pairs and the rollbacks are the same code as for the tiny model.
//
// API choice (WebLLM 0.2.86's real limits, read in its engine): a chat completion cannot continue a
// partial assistant turn, a raw completion resets the KV cache, and the n choices of one request are
// generated one after another, each re-prefilling the prompt. So:
// - candidates: one raw completion with n = w on the model's own turn ("… Step k:"), stopping at the
//   next step marker — the w prefills are unavoidable in this release, one request keeps it to that;
// - verdicts: one chat completion per ordered pair (system = judge instruction), greedy.
// Prompt and completion tokens are counted per request from WebLLM's usage (see `usage`), and
// measurePrefill compares one request of w candidates with one of a single candidate on the same
// prompt, so what the shared prefix costs is measured on the visitor's machine, not assumed.
import type { ChatCompletion, Completion, MLCEngineInterface } from '@mlc-ai/web-llm';
import { ContextFullError } from '../errors.ts';
import type { UniformRng } from '../model/sampling.ts';
import type { JudgeItem, JudgeVerdict, SampledStep, SamplingSettings, StepModel } from '../psr/step-model.ts';
import { renderAssistantPrefix, templateStops, type ConvTemplateConfig } from './chat-template.ts';
import { classifyEngineError } from './engine-errors.ts';
import { hasBoxedAnswer, JUDGE_INSTRUCTION, judgeUserMessage, REASONING_INSTRUCTION, stepPrompt, stepStops, stepText } from './prompts.ts';
import { parseVerdict, verdictToPA } from './verdict.ts';

export interface WebLlmStepModelOptions {
  /** Longest candidate step in tokens. */
  maxStepTokens: number;
  /** Longest judge reply (explanation + verdict) in tokens; a reply cut here usually has no verdict. */
  judgeMaxTokens: number;
  /** Longest greedy completion of a solution (judge-quality rollouts). */
  rolloutMaxTokens: number;
}

export const DEFAULT_WEBLLM_STEP_OPTIONS: WebLlmStepModelOptions = { maxStepTokens: 256, judgeMaxTokens: 512, rolloutMaxTokens: 1024 };

/** Tokens and time the engine reported, per kind of request. */
export interface EngineUsage {
  requests: number;
  promptTokens: number;
  completionTokens: number;
  /** Seconds from request to reply, summed (WebLLM's e2e_latency_s). */
  seconds: number;
}

/** Prompt tokens the engine reported for the same step prompt: one request of `w` candidates, one of a single candidate. */
export interface PrefillProbe {
  w: number;
  oneRequest: number;
  oneCandidate: number;
}

export interface TierUsage {
  sample: EngineUsage;
  judge: EngineUsage;
  rollout: EngineUsage;
  /** The two requests of measurePrefill. */
  probe: EngineUsage;
  /** How many times one request of w candidates reads the shared prompt (oneRequest / oneCandidate); null until measured. */
  prefill: PrefillProbe | null;
}

const emptyUsage = (): EngineUsage => ({ requests: 0, promptTokens: 0, completionTokens: 0, seconds: 0 });

export class WebLlmStepModel implements StepModel {
  readonly usage: TierUsage = { sample: emptyUsage(), judge: emptyUsage(), rollout: emptyUsage(), probe: emptyUsage(), prefill: null };

  constructor(
    private readonly engine: MLCEngineInterface,
    readonly modelId: string,
    private readonly template: ConvTemplateConfig,
    readonly opts: WebLlmStepModelOptions = DEFAULT_WEBLLM_STEP_OPTIONS,
  ) {}

  async sampleSteps(question: string, previousSteps: readonly string[], w: number, sampling: SamplingSettings, rng: UniformRng): Promise<SampledStep[]> {
    const k = previousSteps.length + 1;
    const reply = await this.request('sample', () =>
      this.engine.completions.create({
        prompt: stepPrompt(this.template, question, previousSteps),
        n: w,
        temperature: sampling.temperature,
        top_p: sampling.topP,
        max_tokens: this.opts.maxStepTokens,
        stop: [...stepStops(k), ...templateStops(this.template)],
        logprobs: true,
        seed: Math.floor(rng.nextFloat() * 2 ** 31),
        stream: false,
      }),
    );
    return reply.choices.map((c) => {
      const text = stepText(k, c.text);
      const lp = c.logprobs?.content ?? [];
      // Ended with no step written (the model closed its turn), or declared the answer.
      const final = hasBoxedAnswer(text) || (c.finish_reason === 'stop' && c.text.trim() === '');
      return { text, final, tokens: [], tokenLogprobs: lp.map((t) => t.logprob) };
    });
  }

  async judge(items: JudgeItem[]): Promise<JudgeVerdict[]> {
    const out: JudgeVerdict[] = [];
    for (const it of items) {
      const reply = await this.request('judge', () =>
        this.engine.chat.completions.create({
          messages: [
            { role: 'system', content: JUDGE_INSTRUCTION },
            { role: 'user', content: judgeUserMessage(it.question, it.previousSteps, it.candidateA, it.candidateB) },
          ],
          temperature: 0,
          max_tokens: this.opts.judgeMaxTokens,
          stream: false,
        }),
      );
      const content = reply.choices[0]?.message?.content ?? '';
      const parsed = parseVerdict(content);
      // No verdict or both verdicts: a tie (half a win each), shown as such — never guessed.
      out.push({ pA: verdictToPA(parsed.verdict) ?? 0.5, working: parsed.explanation, verdict: parsed.verdict });
    }
    return out;
  }

  /**
   * Measure what the shared step prompt costs: the prompt tokens WebLLM reports for one request of `w`
   * candidates against one of a single candidate, on the first step prompt of `question` (one token each).
   */
  async measurePrefill(question: string, w: number): Promise<PrefillProbe> {
    const prompt = stepPrompt(this.template, question, []);
    const ask = (n: number) =>
      this.request('probe', () => this.engine.completions.create({ prompt, n, temperature: 0, max_tokens: 1, stream: false })).then((r) => r.usage?.prompt_tokens ?? 0);
    const oneRequest = await ask(w);
    const oneCandidate = await ask(1);
    this.usage.prefill = { w, oneRequest, oneCandidate };
    return this.usage.prefill;
  }

  /** The model's greedy completion of a solution after `steps` (for judge-quality rollouts). */
  async completeSolution(question: string, steps: readonly string[]): Promise<string> {
    const prompt = renderAssistantPrefix(this.template, REASONING_INSTRUCTION, question.trim()) + steps.map((s) => `${s}\n`).join('');
    const reply = await this.request('rollout', () =>
      this.engine.completions.create({ prompt, temperature: 0, max_tokens: this.opts.rolloutMaxTokens, stop: templateStops(this.template), stream: false }),
    );
    return reply.choices[0]?.text ?? '';
  }

  private async request<T extends Completion | ChatCompletion>(kind: 'sample' | 'judge' | 'rollout' | 'probe', call: () => Promise<T>): Promise<T> {
    let reply: T;
    try {
      reply = await call();
    } catch (e) {
      const name = (e as { name?: string } | null)?.name;
      if (name === 'ContextWindowSizeExceededError') {
        throw new ContextFullError(`the prompt no longer fits ${this.modelId}'s context window; the search ends this problem unfinished (lower the most steps per solution).`, {
          cause: e,
        });
      }
      throw classifyEngineError(e, this.modelId);
    }
    const u = this.usage[kind];
    u.requests++;
    u.promptTokens += reply.usage?.prompt_tokens ?? 0;
    u.completionTokens += reply.usage?.completion_tokens ?? 0;
    u.seconds += reply.usage?.extra?.e2e_latency_s ?? 0;
    return reply;
  }
}
