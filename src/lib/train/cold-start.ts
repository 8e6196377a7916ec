// The cold start M0 → M1: supervised fine-tuning on a mix of IFT (Step-n solutions; loss on the
// solution), EFT (pairwise step judgments; loss on the judge's working and its verdict, the
// verdict token up-weighted) and whole-solution scoring (the outcome-level baseline's judge,
// trained on the same footing), as a LoRA adapter on the frozen base — or full fine-tuning.
// Examples are shuffled from the seed and grouped by length so batches carry little padding.
import type { Backend } from '../backend/backend.ts';
import type { ModelConfig } from '../model/config.ts';
import type { ModelWeights } from '../model/weights.ts';
import { ModelParams, type TrainMode } from '../model/params.ts';
import { initLora, type LoraAdapter } from '../model/lora.ts';
import { defineLoraConfig, LORA_TARGETS } from '../model/lora-config.ts';
import type { Problem } from '../math/generator.ts';
import type { EftExample } from '../math/datasets.ts';
import { formatIftExample, formatSolutionScoreExample } from '../math/formats.ts';
import { simulateSolution, type ScoredSolution } from '../math/scored-solutions.ts';
import { formatJudgeLine, formatJudgePrompt, type JudgeWorkingMode } from '../math/judge-format.ts';
import { writesLinesAlone } from '../math/judge-prompt.ts';
import { createRng } from '../math/rng.ts';
import type { Tokenizer } from '../tokenizer/tokenizer.ts';
import { encodeWeighted, toSftExample, type WeightedTokens } from './data.ts';
import { trainSft, type TrainHooks, type TrainLogEntry } from './trainer.ts';
import { DEFAULT_ADAMW } from './optimizer.ts';
import type { SftExample } from './objectives.ts';
import { InvalidInputError } from '../errors.ts';
import type { QuantizedModelWeights } from '../model/quant-checkpoint.ts';

export interface ColdStartOptions {
  seed: number;
  mode: Extract<TrainMode, 'lora' | 'full'>;
  loraRank: number;
  loraAlpha: number;
  epochs: number;
  batchRows: number;
  maxLr: number;
  minLr: number;
  warmupSteps: number;
  weightDecay: number;
  /** Loss weight of the judge's working tokens and of its verdict token. */
  workingWeight: number;
  verdictWeight: number;
  judgeWorking: JudgeWorkingMode;
}

/**
 * Full fine-tuning by default: the cold start introduces tokens M0 never saw (`<q>`, `<sol>`,
 * `<step>`, `<judge>`, `<work>`, `<verdict>`, the verdict letters), whose embeddings — tied to the
 * output head — must be learned; LoRA on the linear layers cannot move them. M1 is therefore a full
 * checkpoint, and the self-rewarding iterations train LoRA adapters on top of it (quantized).
 */
export const DEFAULT_COLD_START: Omit<ColdStartOptions, 'seed'> = {
  mode: 'full',
  loraRank: 32,
  loraAlpha: 32,
  epochs: 1,
  batchRows: 8,
  maxLr: 1e-3,
  minLr: 1e-4,
  warmupSteps: 50,
  weightDecay: 0.01,
  workingWeight: 1,
  verdictWeight: 5,
  judgeWorking: 'check',
};

/** IFT example: the prompt is context, the whole Step-n solution is the target. */
export function iftTokens(tok: Tokenizer, p: Problem): WeightedTokens {
  const ft = formatIftExample(p.question, p.steps);
  return encodeWeighted(tok, ft.text, ft.targetSpans.map(([start, end]) => ({ start, end, weight: 1 })));
}

/**
 * EFT example as one pairwise sequence: with working 'check' the working lines and `<verdict>` are
 * targets; with 'separate' or 'ground' the lines are given (the judge wrote them in line prompts) and only the
 * verdict is; the verdict token weighs `verdictWeight`.
 */
export function eftTokens(tok: Tokenizer, e: EftExample, opts: Pick<ColdStartOptions, 'workingWeight' | 'verdictWeight' | 'judgeWorking'>): WeightedTokens {
  const jp = formatJudgePrompt(e, { working: opts.judgeWorking });
  const spans = opts.judgeWorking === 'check' ? jp.workingSpans.map(([start, end]) => ({ start, end, weight: opts.workingWeight })) : [];
  const [vs, ve] = jp.verdictSpan!;
  // The `<verdict>` marker after the working is a target too: it is how the judge stops writing.
  if (opts.judgeWorking === 'check') spans.push({ start: jp.workingSpans.at(-1)![1], end: vs - 1, weight: opts.workingWeight });
  spans.push({ start: vs, end: ve, weight: opts.verdictWeight });
  return encodeWeighted(tok, jp.text, spans);
}

/**
 * All training sequences of one EFT example: the pairwise one, and with working 'separate' or 'ground' one line
 * sequence per candidate (its working line and `<eos>` the target), so each line is learnt from its
 * own candidate alone.
 */
export function eftSequences(tok: Tokenizer, e: EftExample, opts: Pick<ColdStartOptions, 'workingWeight' | 'verdictWeight' | 'judgeWorking'>): WeightedTokens[] {
  const pair = eftTokens(tok, e, opts);
  if (!writesLinesAlone(opts.judgeWorking)) return [pair];
  const lines = [e.candidateA, e.candidateB].map((candidate) => {
    const jl = formatJudgeLine({ question: e.question, previousSteps: e.previousSteps, candidate }, undefined, opts.judgeWorking === 'ground');
    return encodeWeighted(tok, jl.text, [{ start: jl.lineSpan[0], end: jl.lineSpan[1], weight: opts.workingWeight }]);
  });
  return [pair, ...lines];
}

/** Whole-solution scoring example (the outcome-level baseline's judge): the score digit is the target. */
export function scoreTokens(tok: Tokenizer, s: ScoredSolution, verdictWeight: number): WeightedTokens {
  const ft = formatSolutionScoreExample(s.question, s.steps, s.points);
  const [start, end] = ft.targetSpans[0];
  // The digit carries the verdict weight; the <eos> after it is not scored (like the step judge).
  return encodeWeighted(tok, ft.text, [{ start, end: start + 1, weight: verdictWeight }]);
}

/** Solutions of mixed quality (error rates 0, 0.15, 0.35, 0.6 in turn) with oracle points, one per problem. */
export function scoredSolutions(problems: Problem[], seed: number): ScoredSolution[] {
  const rng = createRng(seed).fork('scored-solutions');
  const rates = [0, 0.15, 0.35, 0.6];
  return problems.map((p, i) => simulateSolution(p, rng, rates[i % rates.length]));
}

/** Shuffle, then form batches of `rows` examples of similar length (T rounded up to 32: few shapes). */
export function lengthBatches(examples: WeightedTokens[], rows: number, padId: number, seed: number): SftExample[] {
  const rng = createRng(seed).fork('batches');
  const order = rng.shuffle(examples.map((_, i) => i));
  const batches: SftExample[] = [];
  const window = rows * 16; // sort within windows: local length grouping, global shuffle kept
  for (let w = 0; w < order.length; w += window) {
    const chunk = order.slice(w, w + window).sort((a, b) => examples[a].ids.length - examples[b].ids.length);
    for (let i = 0; i < chunk.length; i += rows) {
      const group = chunk.slice(i, i + rows).map((k) => examples[k]);
      if (group.length < rows) continue; // a ragged tail batch would need its own workspace shape
      const T = Math.ceil(Math.max(...group.map((g) => g.ids.length)) / 32) * 32;
      batches.push(toSftExample(group, T, padId));
    }
  }
  return rng.shuffle(batches);
}

export interface ColdStartResult {
  mode: ColdStartOptions['mode'];
  adapter: LoraAdapter | null;
  weights: ModelWeights | null;
  log: TrainLogEntry[];
  summary: { iftExamples: number; eftExamples: number; scoreExamples: number; steps: number; totalSteps: number; tokens: number; seconds: number; finalLoss: number; options: ColdStartOptions };
}

export async function coldStart(
  backend: Backend,
  config: ModelConfig,
  base: ModelWeights,
  tok: Tokenizer,
  data: { ift: Problem[]; eft: EftExample[]; scored: ScoredSolution[] },
  opts: ColdStartOptions,
  hooks: TrainHooks = {},
  quantized: QuantizedModelWeights | null = null,
): Promise<ColdStartResult> {
  if (data.ift.length + data.eft.length + data.scored.length === 0) throw new InvalidInputError('cold start needs IFT, EFT or scoring examples; all are empty.');
  const examples = [
    ...data.ift.map((p) => iftTokens(tok, p)),
    ...data.eft.flatMap((e) => eftSequences(tok, e, opts)),
    ...data.scored.map((s) => scoreTokens(tok, s, opts.verdictWeight)),
  ];
  const tooLong = examples.filter((e) => e.ids.length > config.maxPositionEmbeddings).length;
  if (tooLong > 0) throw new InvalidInputError(`${tooLong} examples exceed max_position_embeddings = ${config.maxPositionEmbeddings}; use a smaller world or a longer context.`);
  const epochs: SftExample[][] = Array.from({ length: opts.epochs }, (_, e) => lengthBatches(examples, opts.batchRows, tok.padId, opts.seed + e));
  const batches = epochs.flat();
  const adapter =
    opts.mode === 'lora'
      ? initLora(config, defineLoraConfig({ r: opts.loraRank, alpha: opts.loraAlpha, targetModules: [...LORA_TARGETS] }), createRng(opts.seed).fork('lora'))
      : null;
  const params = ModelParams.create(backend, config, base, adapter, opts.mode, quantized);
  const t0 = performance.now();
  const log = await trainSft(
    params,
    (step) => batches[step],
    {
      steps: batches.length,
      batchRows: opts.batchRows,
      seqLen: batches[0].batch.T,
      logEvery: 25,
      lr: { maxLr: opts.maxLr, minLr: opts.minLr, warmupSteps: Math.min(opts.warmupSteps, Math.floor(batches.length / 10)) },
      adamw: { ...DEFAULT_ADAMW, weightDecay: opts.weightDecay },
    },
    hooks,
  );
  const result: ColdStartResult = {
    mode: opts.mode,
    adapter: opts.mode === 'lora' ? await params.readAdapter() : null,
    weights: opts.mode === 'full' ? await params.readWeights() : null,
    log,
    summary: {
      iftExamples: data.ift.length,
      eftExamples: data.eft.length,
      scoreExamples: data.scored.length,
      steps: log.at(-1)?.step ?? 0,
      totalSteps: batches.length,
      tokens: batches.reduce((n, b) => n + b.batch.B * b.batch.T, 0),
      seconds: (performance.now() - t0) / 1000,
      finalLoss: log.at(-1)?.loss ?? NaN,
      options: opts,
    },
  };
  params.free();
  return result;
}
