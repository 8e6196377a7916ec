// A training run's resumable state, so that a long run can stop (at a checkpoint, or cleanly on
// SIGINT / SIGTERM) and continue exactly where it was: every trainable tensor with its AdamW
// moments, the step count (the data position: the batch stream is deterministic for its seed and is
// replayed up to it, which also restores its RNG), the log, the partial logging window and the
// caller's own record of the run (options, config). On disk, in the run's folder:
//   train-state.json             step, log, window, run record, and which tensor file holds the state
//   train-state-<step>.safetensors   param.<name>, adam_m.<name>, adam_v.<name> (F32), step in its metadata
// The tensor file is written first under a new name and the JSON last (each by temp file + rename),
// so a crash mid-write leaves the previous checkpoint intact.
import { TrainStateError } from '../errors.ts';
import type { FileSink, FileSource } from '../formats/files.ts';
import { parseSafetensors } from '../formats/safetensors.ts';
import { writeSafetensors } from '../formats/safetensors-write.ts';
import type { TrainLogEntry } from './trainer.ts';

export const TRAIN_STATE_FILE = 'train-state.json';
const FORMAT = 'psr-lab-train-state/1';

export interface TrainedTensor {
  name: string;
  param: Float32Array; // (n)
  m: Float32Array; // (n) AdamW first moment
  v: Float32Array; // (n) AdamW second moment
}

export interface TrainSnapshot {
  /** Optimizer steps done; the next step is this one (0-based). */
  step: number;
  totalSteps: number;
  tensors: TrainedTensor[];
  log: TrainLogEntry[];
  /** The logging window in progress (a checkpoint between two log lines). */
  window: { tokens: number; lossSum: number; lossCount: number };
  /** Training seconds before this checkpoint (the clock restarts on resume). */
  elapsedSec: number;
  /** The caller's record of the run (its options, model config, …), stored as JSON. */
  run: unknown;
}

const tensorFile = (step: number) => `train-state-${step}.safetensors`;

/** Write a checkpoint; returns the name of its tensor file (the previous one is the caller's to delete). */
export async function saveTrainState(sink: FileSink, snap: TrainSnapshot): Promise<string> {
  const file = tensorFile(snap.step);
  const tensors = Object.fromEntries(
    snap.tensors.flatMap((t) => [
      [`param.${t.name}`, { dtype: 'F32' as const, shape: [t.param.length], data: t.param }],
      [`adam_m.${t.name}`, { dtype: 'F32' as const, shape: [t.m.length], data: t.m }],
      [`adam_v.${t.name}`, { dtype: 'F32' as const, shape: [t.v.length], data: t.v }],
    ]),
  );
  await sink.write(file, writeSafetensors(tensors, { psr_train_step: String(snap.step) }));
  const json = {
    format: FORMAT,
    step: snap.step,
    totalSteps: snap.totalSteps,
    tensorFile: file,
    tensors: snap.tensors.map((t) => ({ name: t.name, length: t.param.length })),
    log: snap.log,
    window: snap.window,
    elapsedSec: snap.elapsedSec,
    run: snap.run,
  };
  await sink.write(TRAIN_STATE_FILE, new TextEncoder().encode(JSON.stringify(json, null, 1) + '\n'));
  return file;
}

/** Read a checkpoint written by saveTrainState; TrainStateError says what is wrong and what to do. */
export async function loadTrainState(src: FileSource): Promise<TrainSnapshot> {
  const bad = (what: string): never => {
    throw new TrainStateError(`the training checkpoint is unusable: ${what}. Resume from an intact run folder, or start the run again without --resume.`);
  };
  if (!(await src.exists(TRAIN_STATE_FILE))) bad(`${TRAIN_STATE_FILE} is missing (was the run started with checkpoints?)`);
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(new TextDecoder().decode(await src.read(TRAIN_STATE_FILE))) as Record<string, unknown>;
  } catch (e) {
    return bad(`${TRAIN_STATE_FILE} is not valid JSON (${(e as Error).message})`);
  }
  if (j?.format !== FORMAT) bad(`${TRAIN_STATE_FILE} has format ${JSON.stringify(j?.format)}, expected ${FORMAT}`);
  const step = j.step as number;
  if (!Number.isInteger(step) || step < 0 || !Number.isInteger(j.totalSteps) || step > (j.totalSteps as number)) bad(`step ${String(j.step)} of ${String(j.totalSteps)}`);
  if (typeof j.tensorFile !== 'string' || !Array.isArray(j.tensors)) bad('it names no tensor file');
  const file = parseSafetensors(await src.read(j.tensorFile as string));
  if (file.metadata?.psr_train_step !== String(step)) bad(`${j.tensorFile as string} is of step ${String(file.metadata?.psr_train_step)}, not ${step}`);
  const read = (name: string, length: number): Float32Array => {
    if (!file.has(name)) bad(`${j.tensorFile as string} lacks ${name}`);
    const a = file.getF32(name);
    if (a.length !== length) bad(`${name} has ${a.length} values, expected ${length}`);
    return a;
  };
  const tensors = (j.tensors as { name: string; length: number }[]).map(({ name, length }) => ({
    name, param: read(`param.${name}`, length), m: read(`adam_m.${name}`, length), v: read(`adam_v.${name}`, length),
  }));
  return {
    step, totalSteps: j.totalSteps as number, tensors,
    log: j.log as TrainLogEntry[], window: j.window as TrainSnapshot['window'], elapsedSec: j.elapsedSec as number, run: j.run,
  };
}
