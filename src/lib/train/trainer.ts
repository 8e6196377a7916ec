// A supervised training loop over any source of packed batches: warmup + cosine learning rate,
// AdamW with clipping, periodic logging and evaluation, and a clean stop on non-finite values
// (the parameters are left as they were after the last good step). Resumable: it hands out
// checkpoints (train-state.ts) every so many tokens and when asked to stop, and continues a
// checkpoint exactly — the batch source is replayed up to its step, the rest is restored.
import type { ModelParams } from '../model/params.ts';
import { Workspace } from '../model/transformer.ts';
import { lrSchedule, type LrScheduleConfig } from './schedule.ts';
import { AdamW, type AdamWConfig } from './optimizer.ts';
import { sftStep, type SftExample } from './objectives.ts';
import { InvalidInputError, TrainStateError } from '../errors.ts';
import type { TrainSnapshot } from './train-state.ts';

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
  /** Called after every step; return true to stop early (e.g. a time budget, or SIGINT): a checkpoint is taken first. */
  shouldStop?(step: number, elapsedSec: number): boolean;
  /** Take a checkpoint each time this many more tokens (rows × positions of the batches) were trained, and at an early stop. */
  checkpointEveryTokens?: number;
  onCheckpoint?(snap: Omit<TrainSnapshot, 'run'>): Promise<void> | void;
  /** Continue this checkpoint (of the same run: same model, mode, batch source and config). */
  resume?: Omit<TrainSnapshot, 'run'> | null;
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
  const resume = hooks.resume ?? null;
  const log: TrainLogEntry[] = resume ? [...resume.log] : [];
  const t0 = performance.now() - (resume?.elapsedSec ?? 0) * 1000;
  let windowTokens = resume?.window.tokens ?? 0;
  let windowStart = performance.now();
  let lossSum = resume?.window.lossSum ?? 0;
  let lossCount = resume?.window.lossCount ?? 0;
  const snapshot = async (done: number): Promise<Omit<TrainSnapshot, 'run'>> => ({
    step: done, totalSteps: cfg.steps, tensors: await opt.readState(), log: [...log],
    window: { tokens: windowTokens, lossSum, lossCount }, elapsedSec: (performance.now() - t0) / 1000,
  });
  let first = 0;
  let sinceCheckpoint = 0;
  if (resume) {
    if (resume.totalSteps !== cfg.steps) {
      throw new TrainStateError(`the checkpoint is of a run of ${resume.totalSteps} steps, this one has ${cfg.steps}; resume with the same options (tokens, batch size, epochs).`);
    }
    opt.loadState(resume.tensors, resume.step);
    // The batch source is deterministic: replaying it restores its position and its RNG.
    for (; first < resume.step; first++) next(first);
  }
  try {
    for (let step = first; step < cfg.steps; step++) {
      const ex = next(step);
      await params.zeroGrads();
      const { loss, weightSum } = await sftStep(workspaceFor(ex.batch.B, ex.batch.T), ex, true);
      const lr = lrSchedule(step, { ...cfg.lr, totalSteps: cfg.steps });
      const gradNorm = await opt.update(lr);
      windowTokens += weightSum;
      lossSum += loss;
      lossCount++;
      // A step awaits only settled promises on the CPU backends: without a macrotask turn the event loop
      // would never run a SIGINT / SIGTERM handler (or a worker message) that sets shouldStop.
      if (hooks.shouldStop) await yieldToEventLoop();
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
      sinceCheckpoint += ex.batch.B * ex.batch.T;
      const every = hooks.checkpointEveryTokens ?? 0;
      const due = every > 0 && sinceCheckpoint >= every;
      if (hooks.onCheckpoint && (due || stop) && !last) {
        sinceCheckpoint = 0;
        await hooks.onCheckpoint(await snapshot(step + 1));
      }
      if (stop) break;
    }
  } finally {
    opt.free();
    for (const ws of workspaces.values()) ws.free();
  }
  return log;
}

/** One macrotask turn (about a millisecond): lets signal handlers and messages run between steps. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
