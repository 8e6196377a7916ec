// A supervised training loop over any source of packed batches: warmup + cosine learning rate,
// AdamW with clipping, periodic logging and evaluation, and a clean stop on non-finite values
// (the parameters are left as they were after the last good step).
import type { ModelParams } from '../model/params.ts';
import { Workspace } from '../model/transformer.ts';
import { lrSchedule, type LrScheduleConfig } from './schedule.ts';
import { AdamW, type AdamWConfig } from './optimizer.ts';
import { sftStep, type SftExample } from './objectives.ts';
import { InvalidInputError } from '../errors.ts';

export interface SftTrainConfig {
  steps: number;
  /** Rows per batch (B) and tokens per row (T) of the usual batch; batches of other shapes get their own workspace. */
  batchRows: number;
  seqLen: number;
  lr: Omit<LrScheduleConfig, 'totalSteps'>;
  adamw: AdamWConfig;
  logEvery: number;
}

export interface TrainLogEntry {
  step: number;
  loss: number;
  lr: number;
  gradNorm: number;
  /** Scored (weighted) tokens per second over the last logging window. */
  tokensPerSec: number;
  elapsedSec: number;
}

export interface TrainHooks {
  onLog?(entry: TrainLogEntry): void;
  /** Called after every step; return true to stop early (e.g. a time budget). */
  shouldStop?(step: number, elapsedSec: number): boolean;
}

/** Train `params` (mode 'full' or 'lora') on `cfg.steps` batches from `next`. Returns the log. */
export async function trainSft(
  params: ModelParams,
  next: (step: number) => SftExample,
  cfg: SftTrainConfig,
  hooks: TrainHooks = {},
): Promise<TrainLogEntry[]> {
  if (params.trainables.length === 0) {
    throw new InvalidInputError("trainSft: the model has nothing to train; create ModelParams with mode 'full' or 'lora'.");
  }
  if (!Number.isInteger(cfg.steps) || cfg.steps < 1) throw new InvalidInputError(`trainSft: steps = ${cfg.steps} must be a positive integer.`);
  // One workspace per batch shape (length-bucketed fine-tuning batches differ in T); the few most
  // recently used are kept, older ones freed, so memory stays bounded whatever the bucket count.
  const MAX_WORKSPACES = 3;
  const workspaces = new Map<string, Workspace>();
  const workspaceFor = (B: number, T: number): Workspace => {
    const key = `${B}x${T}`;
    let ws = workspaces.get(key);
    if (ws) workspaces.delete(key);
    else {
      if (workspaces.size >= MAX_WORKSPACES) {
        const [oldest, old] = workspaces.entries().next().value as [string, Workspace];
        old.free();
        workspaces.delete(oldest);
      }
      ws = new Workspace(params.backend, params, B, T);
    }
    workspaces.set(key, ws); // most recent last
    return ws;
  };
  workspaceFor(cfg.batchRows, cfg.seqLen);
  const opt = new AdamW(params.backend, params.trainables, cfg.adamw);
  const log: TrainLogEntry[] = [];
  const t0 = performance.now();
  let windowTokens = 0;
  let windowStart = t0;
  let lossSum = 0;
  let lossCount = 0;
  try {
    for (let step = 0; step < cfg.steps; step++) {
      const ex = next(step);
      await params.zeroGrads();
      const { loss, weightSum } = await sftStep(workspaceFor(ex.batch.B, ex.batch.T), ex, true);
      const lr = lrSchedule(step, { ...cfg.lr, totalSteps: cfg.steps });
      const gradNorm = await opt.update(lr);
      windowTokens += weightSum;
      lossSum += loss;
      lossCount++;
      const now = performance.now();
      const last = step === cfg.steps - 1;
      const stop = hooks.shouldStop?.(step, (now - t0) / 1000) ?? false;
      if ((step + 1) % cfg.logEvery === 0 || last || stop) {
        const entry: TrainLogEntry = {
          step: step + 1,
          loss: lossSum / lossCount,
          lr,
          gradNorm,
          tokensPerSec: windowTokens / Math.max(1e-9, (now - windowStart) / 1000),
          elapsedSec: (now - t0) / 1000,
        };
        log.push(entry);
        hooks.onLog?.(entry);
        windowTokens = 0;
        windowStart = now;
        lossSum = 0;
        lossCount = 0;
      }
      if (stop) break;
    }
  } finally {
    opt.free();
    for (const ws of workspaces.values()) ws.free();
  }
  return log;
}
