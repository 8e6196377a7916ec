// Step-DPO on LoRA: for each preference pair (question, accepted steps, chosen step, rejected
// step) only the single next step is scored, conditioned on the question and the earlier steps.
// Reference log-probs come from the model at the start of the iteration, computed once before
// any update. A non-finite loss or gradient stops training with NonFiniteError; the caller keeps
// the adapter it had before the iteration.
import type { ModelParams } from '../model/params.ts';
import { Workspace } from '../model/transformer.ts';
import { packBatch } from '../model/batch.ts';
import type { Tokenizer } from '../tokenizer/tokenizer.ts';
import { formatStepPrompt } from '../math/formats.ts';
import { createRng } from '../math/rng.ts';
import { EOS, STEP } from '../tokenizer/special.ts';
import { lrSchedule } from './schedule.ts';
import { AdamW, DEFAULT_ADAMW } from './optimizer.ts';
import { dpoStep, spanLogprobs, type DpoExample } from './objectives.ts';
import { InvalidInputError } from '../errors.ts';
import { SETTINGS } from '../settings/table.ts';

export interface StepPair {
  question: string;
  previousSteps: string[];
  chosen: string;
  rejected: string;
  /** Whether each step ends the solution (it is followed by <eos> instead of <step>). */
  chosenFinal: boolean;
  rejectedFinal: boolean;
}

export interface StepDpoOptions {
  /** 'dpo': the step-DPO loss (+ α·NLL); 'sft': the chosen steps' NLL alone (weight max(α, 1)), a control. */
  objective: 'dpo' | 'sft';
  beta: number;
  /** Weight α of the chosen step's per-token NLL added to the DPO loss (0 = plain step-DPO). */
  nllWeight: number;
  lr: number;
  epochs: number;
  /** Pairs per optimizer step (2× rows). */
  pairsPerBatch: number;
  /**
   * Most rows × positions in one forward/backward pass; a batch longer than this is split into
   * passes whose gradients add up to the batch's (exactly: the loss is a mean over pairs). Keeps a
   * step within the browser's WASM memory whatever the solution lengths.
   */
  maxTokensPerPass: number;
  weightDecay: number;
  maxGradNorm: number;
  seed: number;
}

export const DEFAULT_STEP_DPO: Readonly<Omit<StepDpoOptions, 'seed'>> = Object.freeze({
  objective: SETTINGS.objective.default,
  beta: SETTINGS.beta.default,
  nllWeight: SETTINGS.nllWeight.default,
  lr: SETTINGS.lr.default,
  epochs: SETTINGS.epochs.default,
  pairsPerBatch: SETTINGS.pairsPerStep.default,
  maxTokensPerPass: 2048,
  weightDecay: DEFAULT_ADAMW.weightDecay,
  maxGradNorm: DEFAULT_ADAMW.maxGradNorm,
});

export interface DpoLogEntry {
  step: number;
  epoch: number;
  loss: number;
  margin: number;
  chosenLogp: number;
  rejectedLogp: number;
  rewardAccuracy: number;
  gradNorm: number;
  lr: number;
}

interface EncodedPair {
  chosen: number[]; // full sequence: prompt + chosen step + terminator
  rejected: number[];
  promptLen: number;
}

function encodePair(tok: Tokenizer, p: StepPair): EncodedPair {
  const prompt = formatStepPrompt(p.question, p.previousSteps);
  const promptIds = tok.encode(prompt, { strict: true }).ids;
  const full = (step: string, final: boolean) => Array.from(tok.encode(`${prompt} ${step} ${final ? EOS : STEP}`).ids);
  return { chosen: full(p.chosen, p.chosenFinal), rejected: full(p.rejected, p.rejectedFinal), promptLen: promptIds.length };
}

/** Positions a batch of these pairs is padded to (the longest row, rounded up to 16). */
function paddedLength(pairs: Pick<EncodedPair, 'chosen' | 'rejected'>[]): number {
  return Math.ceil(Math.max(...pairs.map((p) => Math.max(p.chosen.length, p.rejected.length))) / 16) * 16;
}

/** Split a batch (indices into `encoded`, in order) into passes of at most `maxTokens` rows × positions (≥ 1 pair each). */
export function splitPasses(idx: number[], encoded: Pick<EncodedPair, 'chosen' | 'rejected'>[], maxTokens: number): number[][] {
  const passes: number[][] = [];
  let cur: number[] = [];
  for (const k of idx) {
    const next = [...cur, k];
    if (cur.length > 0 && 2 * next.length * paddedLength(next.map((j) => encoded[j])) > maxTokens) {
      passes.push(cur);
      cur = [k];
    } else cur = next;
  }
  if (cur.length > 0) passes.push(cur);
  return passes;
}

/** DPO batch: rows 0..P-1 chosen, P..2P-1 rejected; the span is the step after the prompt. */
function dpoBatch(pairs: EncodedPair[], padId: number): { batch: DpoExample['batch']; targets: Int32Array; spanMask: Uint32Array } {
  const rows = [...pairs.map((p) => p.chosen), ...pairs.map((p) => p.rejected)];
  const prompts = [...pairs, ...pairs].map((p) => p.promptLen);
  const T = paddedLength(pairs);
  const batch = packBatch(rows, padId, T);
  const targets = new Int32Array(rows.length * T);
  const spanMask = new Uint32Array(rows.length * T);
  rows.forEach((r, b) => {
    for (let t = prompts[b] - 1; t + 1 < r.length; t++) {
      targets[b * T + t] = r[t + 1];
      spanMask[b * T + t] = 1;
    }
  });
  return { batch, targets, spanMask };
}

/** log π(chosen) and log π(rejected) of every pair under `params` as they are (2n: chosen, rejected, …). */
async function pairLogprobs(params: ModelParams, tok: Tokenizer, encoded: EncodedPair[], maxTokensPerPass: number): Promise<Float32Array> {
  const out = new Float32Array(encoded.length * 2);
  for (const pass of splitPasses(encoded.map((_, i) => i), encoded, maxTokensPerPass)) {
    const { batch, targets, spanMask } = dpoBatch(pass.map((k) => encoded[k]), tok.padId);
    const ws = new Workspace(params.backend, params, batch.B, batch.T);
    const lp = await spanLogprobs(ws, batch, targets, spanMask);
    ws.free();
    pass.forEach((k, j) => {
      out[2 * k] = lp[j];
      out[2 * k + 1] = lp[pass.length + j];
    });
  }
  return out;
}

/**
 * What an iteration did on its own training pairs: the share of pairs whose chosen step the model
 * prefers to the rejected one (log π(chosen | prefix) > log π(rejected | prefix)), and the mean of
 * that log-ratio, before training (the reference M_t) and after (M_t+1). A small iteration cannot move
 * a held-out evaluation beyond its noise; this shows whether it learned what it was taught.
 */
export interface OwnPairsChange {
  pairs: number;
  preferChosenBefore: number;
  preferChosenAfter: number;
  meanLogRatioBefore: number;
  meanLogRatioAfter: number;
}

function ownPairsChange(before: Float32Array, after: Float32Array): OwnPairsChange {
  const n = before.length / 2;
  const share = (lp: Float32Array) => Array.from({ length: n }, (_, k) => (lp[2 * k] > lp[2 * k + 1] ? 1 : 0) as number).reduce((a, b) => a + b, 0) / n;
  const ratio = (lp: Float32Array) => Array.from({ length: n }, (_, k) => lp[2 * k] - lp[2 * k + 1]).reduce((a, b) => a + b, 0) / n;
  return { pairs: n, preferChosenBefore: share(before), preferChosenAfter: share(after), meanLogRatioBefore: ratio(before), meanLogRatioAfter: ratio(after) };
}

export interface StepDpoResult {
  log: DpoLogEntry[];
  ownPairs: OwnPairsChange;
}

/**
 * Train the LoRA adapter of `params` (mode 'lora') with step-DPO on `pairs`. The reference is
 * `params` as they are when this is called.
 */
export async function trainStepDpo(
  params: ModelParams,
  tok: Tokenizer,
  pairs: StepPair[],
  opts: StepDpoOptions,
  onLog?: (e: DpoLogEntry) => void,
): Promise<StepDpoResult> {
  if (pairs.length === 0) throw new InvalidInputError('step-DPO: no preference pairs to train on; the search produced none.');
  if (params.mode !== 'lora') throw new InvalidInputError("step-DPO trains LoRA only: create the policy with mode 'lora'.");
  const be = params.backend;
  const encoded = pairs.map((p) => encodePair(tok, p));
  const P = opts.pairsPerBatch;
  const sft = opts.objective === 'sft';
  // Reference log-probs, once, before any update: the model at the start of the iteration.
  const ref = await pairLogprobs(params, tok, encoded, opts.maxTokensPerPass);
  const rng = createRng(opts.seed).fork('step-dpo');
  const batchesPerEpoch = Math.ceil(encoded.length / P);
  const totalSteps = batchesPerEpoch * opts.epochs;
  const opt = new AdamW(be, params.trainables, { ...DEFAULT_ADAMW, weightDecay: opts.weightDecay, maxGradNorm: opts.maxGradNorm });
  // One workspace at a time, replaced when the batch shape (B×T) changes: shuffled batches differ in
  // T nearly every step, and keeping one per shape exhausted the browser's 384 MiB WASM arena.
  let ws: Workspace | null = null;
  let wsKey = '';
  const log: DpoLogEntry[] = [];
  let step = 0;
  try {
    for (let epoch = 0; epoch < opts.epochs; epoch++) {
      const order = rng.shuffle(encoded.map((_, i) => i));
      for (let i = 0; i < order.length; i += P) {
        const idx = order.slice(i, i + P);
        await params.zeroGrads();
        // One optimizer step over the batch, in passes that fit the memory; each pass's gradient is weighted by its share of the pairs.
        let loss = 0;
        let rewardAccuracy = 0;
        const margins: number[] = [];
        const chosen: number[] = [];
        const rejected: number[] = [];
        for (const pass of splitPasses(idx, encoded, opts.maxTokensPerPass)) {
          const { batch, targets, spanMask } = dpoBatch(pass.map((k) => encoded[k]), tok.padId);
          const key = `${batch.B}x${batch.T}`;
          if (ws === null || key !== wsKey) {
            ws?.free();
            ws = null;
            ws = new Workspace(be, params, batch.B, batch.T);
            wsKey = key;
          }
          const ex: DpoExample = {
            batch, targets, spanMask,
            refChosen: Float32Array.from(pass, (k) => ref[2 * k]),
            refRejected: Float32Array.from(pass, (k) => ref[2 * k + 1]),
          };
          const share = pass.length / idx.length;
          const r = await dpoStep(ws, ex, opts.beta, true, share, sft ? Math.max(1, opts.nllWeight) : opts.nllWeight, sft ? 0 : 1);
          loss += share * r.loss;
          rewardAccuracy += share * r.accuracy;
          margins.push(...r.margins);
          chosen.push(...r.policyChosen);
          rejected.push(...r.policyRejected);
        }
        // Constant after a short warmup, cosine to 10 % over the run: small data, few steps.
        const lr = lrSchedule(step, { maxLr: opts.lr, minLr: opts.lr / 10, warmupSteps: Math.min(5, Math.floor(totalSteps / 10)), totalSteps });
        const gradNorm = await opt.update(lr);
        const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
        const entry: DpoLogEntry = {
          step: ++step, epoch, loss, margin: mean(margins), chosenLogp: mean(chosen), rejectedLogp: mean(rejected), rewardAccuracy, gradNorm, lr,
        };
        log.push(entry);
        onLog?.(entry);
      }
    }
  } finally {
    opt.free();
    ws?.free();
  }
  return { log, ownPairs: ownPairsChange(ref, await pairLogprobs(params, tok, encoded, opts.maxTokensPerPass)) };
}
