// A scripted stand-in for WebLLM's engine: it implements WebLLM's real MLCEngineInterface (checked by
// the compiler; chat / completions are WebLLM's own Chat and Completions classes calling back into
// it) and replays realistic model text from scripted-script.ts, with seeded randomness. It loads with
// the progress reports WebLLM writes, reuses a cache on the next load, and can fail the way a real load
// fails (storage full, network, missing shader-f16, too little GPU memory, device lost). It exists because no model can be
// downloaded here; the page offers it only on `?webllm=scripted`, labelled as a replay.
import {
  Chat,
  Completions,
  Embeddings,
  prebuiltAppConfig,
  type AppConfig,
  type ChatCompletion,
  type ChatCompletionChunk,
  type ChatCompletionRequest,
  type ChatCompletionRequestBase,
  type ChatCompletionRequestNonStreaming,
  type ChatCompletionRequestStreaming,
  type ChatCompletionTokenLogprob,
  type Completion,
  type CompletionCreateParams,
  type CompletionCreateParamsBase,
  type CompletionCreateParamsNonStreaming,
  type CompletionCreateParamsStreaming,
  type CompletionUsage,
  type InitProgressCallback,
  type MLCEngineInterface,
} from '@mlc-ai/web-llm';
import { createRng, type Rng } from '../math/rng.ts';
import { judgeExplanation, SCRIPTED_PROBLEMS, type ScriptedProblem } from './scripted-script.ts';

export type ScriptedFailure = 'quota' | 'network' | 'shader-f16' | 'memory' | 'device-lost';

/** Where "downloaded" models are remembered between loads (a Map in Node, the Cache API in a page). */
export interface ScriptedCache {
  has(modelId: string): Promise<boolean>;
  add(modelId: string): Promise<void>;
  remove(modelId: string): Promise<void>;
}

export function memoryCache(): ScriptedCache {
  const s = new Set<string>();
  return { has: async (id) => s.has(id), add: async (id) => void s.add(id), remove: async (id) => void s.delete(id) };
}

export interface ScriptedEngineOptions {
  seed: number;
  /** P(a sampled step is a right one). */
  rightRate: number;
  /** P(the judge prefers the right step when exactly one is right). */
  judgeAccuracy: number;
  /** P(a judge reply is cut off before its verdict). */
  noVerdictRate: number;
  cache: ScriptedCache;
  /** Milliseconds between progress reports while "downloading" (0 in unit tests). */
  progressDelayMs: number;
  /** Parameter files of the "download". */
  files: number;
  problems: ScriptedProblem[];
  appConfig: AppConfig;
}

export const DEFAULT_SCRIPTED_OPTIONS: ScriptedEngineOptions = {
  seed: 1,
  rightRate: 0.6,
  judgeAccuracy: 0.8,
  noVerdictRate: 0.1,
  cache: memoryCache(),
  progressDelayMs: 0,
  files: 8,
  problems: SCRIPTED_PROBLEMS,
  appConfig: prebuiltAppConfig,
};

const tokensOf = (text: string) => Math.max(1, Math.ceil(text.length / 4));

export class ScriptedEngine implements MLCEngineInterface {
  chat: Chat;
  completions: Completions;
  embeddings: Embeddings;
  readonly opts: ScriptedEngineOptions;
  private progress: InitProgressCallback | undefined;
  private loaded: string | null = null;
  private failure: { kind: ScriptedFailure; atFile: number } | null = null;
  private rng: Rng;
  /** Requests seen, for tests: kind and prompt tokens. */
  readonly log: { kind: 'completion' | 'chat'; n: number; promptTokens: number }[] = [];

  constructor(opts: Partial<ScriptedEngineOptions> = {}) {
    this.opts = { ...DEFAULT_SCRIPTED_OPTIONS, ...opts };
    this.rng = createRng(this.opts.seed);
    this.chat = new Chat(this);
    this.completions = new Completions(this);
    this.embeddings = new Embeddings(this);
  }

  /** Make the next load fail like a real one at file `atFile` (1-based) of the download. */
  failNextLoad(kind: ScriptedFailure, atFile = 2): void {
    this.failure = { kind, atFile };
  }

  setInitProgressCallback(cb: InitProgressCallback): void {
    this.progress = cb;
  }
  getInitProgressCallback(): InitProgressCallback | undefined {
    return this.progress;
  }
  setAppConfig(appConfig: AppConfig): void {
    this.opts.appConfig = appConfig;
  }

  async reload(modelId: string | string[]): Promise<void> {
    const id = Array.isArray(modelId) ? modelId[0] : modelId;
    const record = this.opts.appConfig.model_list.find((r) => r.model_id === id);
    if (!record) throw Object.assign(new Error(`Cannot find model record in appConfig for ${id}. Please check if the model ID is correct and included in the model_list configuration.`), { name: 'ModelNotFoundError' });
    this.loaded = null;
    const cached = await this.opts.cache.has(id);
    const totalMB = Math.round((record.vram_required_MB ?? 1000) * 0.55);
    const t0 = Date.now();
    for (let i = 1; i <= this.opts.files; i++) {
      const f = this.failure;
      if (f && i === f.atFile) {
        this.failure = null;
        throw failureError(f.kind);
      }
      if (this.opts.progressDelayMs > 0) await new Promise((r) => setTimeout(r, this.opts.progressDelayMs));
      const mb = Math.ceil((totalMB * i) / this.opts.files);
      const pct = Math.floor((100 * i) / this.opts.files);
      const secs = Math.round((Date.now() - t0) / 1000);
      const text = cached
        ? `Loading model from cache[${i}/${this.opts.files}]: ${mb}MB loaded. ${pct}% completed, ${secs} secs elapsed.`
        : `Fetching param cache[${i}/${this.opts.files}]: ${mb}MB fetched. ${pct}% completed, ${secs} secs elapsed. It can take a while when we first visit this page to populate the cache. Later refreshes will become faster.`;
      this.progress?.({ progress: (0.95 * i) / this.opts.files, timeElapsed: secs, text });
    }
    await this.opts.cache.add(id);
    this.loaded = id;
    this.progress?.({ progress: 1, timeElapsed: Math.round((Date.now() - t0) / 1000), text: `Finish loading on WebGPU - scripted replay of ${id}` });
  }

  chatCompletion(request: ChatCompletionRequestNonStreaming): Promise<ChatCompletion>;
  chatCompletion(request: ChatCompletionRequestStreaming): Promise<AsyncIterable<ChatCompletionChunk>>;
  chatCompletion(request: ChatCompletionRequestBase): Promise<AsyncIterable<ChatCompletionChunk> | ChatCompletion>;
  chatCompletion(request: ChatCompletionRequest): Promise<AsyncIterable<ChatCompletionChunk> | ChatCompletion>;
  async chatCompletion(request: ChatCompletionRequest): Promise<AsyncIterable<ChatCompletionChunk> | ChatCompletion> {
    this.requireLoaded('ChatCompletionRequest');
    if (request.stream) throw new Error('the scripted engine replays non-streaming requests only');
    const user = request.messages.filter((m) => m.role === 'user').pop();
    const text = typeof user?.content === 'string' ? user.content : '';
    const promptTokens = tokensOf(request.messages.map((m) => (typeof m.content === 'string' ? m.content : '')).join('\n'));
    this.log.push({ kind: 'chat', n: 1, promptTokens });
    const { reply, finish } = this.judgeReply(text);
    return {
      id: `scripted-${this.log.length}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: this.loaded!,
      choices: [{ index: 0, finish_reason: finish, logprobs: null, message: { role: 'assistant', content: reply } }],
      usage: usage(promptTokens, tokensOf(reply)),
    };
  }

  completion(request: CompletionCreateParamsNonStreaming): Promise<Completion>;
  completion(request: CompletionCreateParamsStreaming): Promise<AsyncIterable<Completion>>;
  completion(request: CompletionCreateParamsBase): Promise<AsyncIterable<Completion> | Completion>;
  completion(request: CompletionCreateParams): Promise<AsyncIterable<Completion> | Completion>;
  async completion(request: CompletionCreateParams): Promise<AsyncIterable<Completion> | Completion> {
    this.requireLoaded('CompletionCreateParams');
    if (request.stream) throw new Error('the scripted engine replays non-streaming requests only');
    const n = request.n ?? 1;
    const promptTokens = tokensOf(request.prompt);
    this.log.push({ kind: 'completion', n, promptTokens: promptTokens * n });
    const rng = createRng(`${this.opts.seed}:${request.seed ?? this.rng.int(0, 1e9)}`);
    const choices = Array.from({ length: n }, (_, index) => {
      const { text, finish } = this.continueText(request.prompt, (request.temperature ?? 1) === 0, rng);
      return { index, text, finish_reason: finish, logprobs: request.logprobs ? { content: pseudoLogprobs(text) } : null };
    });
    const completionTokens = choices.reduce((s, c) => s + tokensOf(c.text), 0);
    return { id: `scripted-${this.log.length}`, object: 'text_completion', created: Math.floor(Date.now() / 1000), model: this.loaded!, choices, usage: usage(promptTokens * n, completionTokens) };
  }

  async embedding(): Promise<never> {
    throw new Error('the scripted engine has no embedding model');
  }
  async listResumableSessions(): Promise<never[]> {
    return [];
  }
  async resumeChatCompletion(): Promise<never> {
    throw new Error('the scripted engine keeps no resumable sessions');
  }
  async deleteResumableSession(): Promise<void> {}
  async runtimeStatsText(): Promise<string> {
    return 'scripted replay: no GPU work';
  }
  interruptGenerate(): void {}
  async unload(): Promise<void> {
    this.loaded = null;
  }
  async resetChat(): Promise<void> {}
  async getMessage(): Promise<string> {
    return '';
  }
  async getMaxStorageBufferBindingSize(): Promise<number> {
    return 1 << 30;
  }
  async getGPUVendor(): Promise<string> {
    return 'scripted';
  }
  async forwardTokensAndSample(): Promise<number> {
    throw new Error('the scripted engine has no tokenizer-level API');
  }
  setLogLevel(): void {}

  private requireLoaded(what: string): void {
    if (!this.loaded) throw Object.assign(new Error(`Model not loaded before trying to complete ${what}.`), { name: 'ModelNotLoadedError' });
  }

  private problemOf(text: string): ScriptedProblem | undefined {
    return this.opts.problems.find((p) => text.includes(p.question));
  }

  /** A step continuation for a prompt ending "Step k:", or a greedy completion of the solution. */
  private continueText(prompt: string, greedy: boolean, rng: Rng): { text: string; finish: 'stop' | 'length' } {
    const p = this.problemOf(prompt);
    if (!p) return { text: ' I cannot tell what the problem asks.', finish: 'stop' };
    const turn = prompt.slice(prompt.lastIndexOf(p.question) + p.question.length); // the model's own turn
    const written = [...turn.matchAll(/Step (\d+): ([^\n]*)\n/g)].map((m) => m[2]);
    const openStep = /Step (\d+):$/.exec(turn);
    const onTrack = written.every((s, i) => p.right[i]?.includes(s));
    if (openStep) {
      const k = Number(openStep[1]);
      if (k > p.right.length) return { text: '', finish: 'stop' };
      const right = greedy ? onTrack : rng.chance(this.opts.rightRate);
      const pool = right ? p.right[k - 1] : p.wrong[k - 1];
      return { text: ` ${rng.pick(pool)}`, finish: 'stop' };
    }
    // A whole-solution completion after the written steps: right to the end only if on track.
    const rest: string[] = [];
    for (let k = written.length + 1; k <= p.right.length; k++) rest.push(`Step ${k}: ${(onTrack ? p.right : p.wrong)[k - 1][0]}`);
    return { text: rest.join('\n'), finish: 'stop' };
  }

  /** A judge reply for the user message of prompts.ts's judgeUserMessage. */
  private judgeReply(message: string): { reply: string; finish: 'stop' | 'length' } {
    const p = this.problemOf(message);
    const a = /Candidate next step A:\n(.*)\n\nCandidate next step B:/s.exec(message)?.[1] ?? '';
    const b = /Candidate next step B:\n(.*)$/s.exec(message)?.[1] ?? '';
    const isRight = (t: string) => !!p && p.right.some((v) => v.some((x) => t.endsWith(x)));
    const [ra, rb] = [isRight(a), isRight(b)];
    let pickA: boolean;
    if (ra !== rb) pickA = this.rng.chance(this.opts.judgeAccuracy) ? ra : rb;
    else pickA = this.rng.chance(0.6); // no edge: a mild position bias, as small models have
    const text = pickA ? judgeExplanation(a, b, 'A') : judgeExplanation(b, a, 'B');
    if (this.rng.chance(this.opts.noVerdictRate)) return { reply: text.slice(0, Math.floor(text.length * 0.7)), finish: 'length' };
    return { reply: `${text}\n\n[[${pickA ? 'A' : 'B'}]]`, finish: 'stop' };
  }
}

function failureError(kind: ScriptedFailure): Error {
  switch (kind) {
    case 'quota':
      return new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    case 'network':
      return new TypeError('Failed to fetch');
    case 'shader-f16':
      return Object.assign(new Error('This model requires WebGPU extension shader-f16, which is not enabled in this browser.'), { name: 'ShaderF16SupportError' });
    case 'memory':
      return new Error(
        'Cannot initialize runtime because of requested maxStorageBufferBindingSize exceeds limit. requested=1024MB, limit=128MB. Consider trying a model with a smaller context window.',
      );
    case 'device-lost':
      return Object.assign(new Error('The WebGPU device was lost while loading the model. This issue often occurs due to running out of memory (OOM).'), { name: 'DeviceLostError' });
  }
}

function usage(prompt: number, completion: number): CompletionUsage {
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    extra: { e2e_latency_s: 0, prefill_tokens_per_s: 0, decode_tokens_per_s: 0, time_to_first_token_s: 0, time_per_output_token_s: 0 },
  };
}

/** Word-level stand-ins for token log-probs (WebLLM reports one entry per token). */
function pseudoLogprobs(text: string): ChatCompletionTokenLogprob[] {
  return (text.match(/\s*\S+/g) ?? []).map((token) => ({ token, bytes: null, logprob: -0.1, top_logprobs: [] }));
}
