// The CLI's side of resumable training (train-base, cold-start): checkpoints into the run's folder
// every so many tokens and when SIGINT / SIGTERM asks the run to stop, and `--resume DIR` to continue
// a stopped run with the options it recorded. The checkpoint is removed once the run has finished
// and written its model.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { NodeFiles } from '../lib/formats/node-files.ts';
import { loadTrainState, saveTrainState, TRAIN_STATE_FILE, type TrainSnapshot } from '../lib/train/train-state.ts';
import type { TrainHooks, TrainLogEntry } from '../lib/train/trainer.ts';
import { TrainStateError, UsageError } from '../lib/errors.ts';
import type { CliIo, FlagValues } from './command.ts';
import { intFlag } from './math-flags.ts';

/** Exit code of a run stopped by a signal after its checkpoint was written (128 + SIGINT). */
export const STOPPED_EXIT_CODE = 130;

export interface TrainRun<R> {
  out: string;
  /** The run's options: recorded in every checkpoint, taken from it on --resume. */
  record: R;
  resume: TrainSnapshot | null;
  hooks: Pick<TrainHooks, 'shouldStop' | 'checkpointEveryTokens' | 'onCheckpoint' | 'resume'>;
  /** Whether a signal stopped the run (its checkpoint is on disk). */
  stopped(): boolean;
  /** After a finished run: remove the checkpoint. Always: remove the signal handlers. */
  finish(completed: boolean): Promise<void>;
}

/**
 * Start or resume a run. `fresh()` gives the record of a new run from the flags; with --resume DIR
 * the record comes from DIR's checkpoint, and flags that would change the run are refused.
 */
export async function startTrainRun<R extends { command: string; checkpointEvery?: number }>(
  flags: FlagValues,
  io: CliIo,
  command: string,
  runFlags: readonly string[],
  fresh: () => R,
): Promise<TrainRun<R>> {
  let out: string;
  let record: R;
  let resume: TrainSnapshot | null = null;
  if (typeof flags.resume === 'string') {
    const given = runFlags.filter((f) => flags[f] !== undefined);
    if (given.length > 0) throw new UsageError(`--resume continues a run with the options it recorded; drop ${given.map((f) => `--${f}`).join(', ')}.`);
    out = flags.resume;
    resume = await loadTrainState(new NodeFiles(out));
    record = resume.run as R;
    if (record?.command !== command) throw new TrainStateError(`${join(out, TRAIN_STATE_FILE)} is a checkpoint of "${String(record?.command)}", not of ${command}; resume it with that command.`);
    io.err(`resuming ${command} in ${out} at step ${resume.step} of ${resume.totalSteps}\n`);
  } else {
    if (typeof flags.out !== 'string' || flags.out === '') throw new UsageError('--out DIR is required: where to write the model and its checkpoints.');
    out = flags.out;
    record = fresh();
  }
  // The checkpoint interval is part of the run: a resumed run keeps it unless --checkpoint-every is given again.
  const everyTokens = intFlag(flags, 'checkpoint-every', 0, 1_000_000_000, record.checkpointEvery ?? 1_000_000);
  record.checkpointEvery = everyTokens;
  let stop = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (stop) return;
    stop = true;
    io.err(`\n${sig}: stopping after this step and writing a checkpoint…\n`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const files = new NodeFiles(out);
  let lastFile: string | null = resume ? `train-state-${resume.step}.safetensors` : null;
  return {
    out,
    record,
    resume,
    hooks: {
      resume,
      checkpointEveryTokens: everyTokens,
      shouldStop: () => stop,
      async onCheckpoint(snap) {
        const file = await saveTrainState(files, { ...snap, run: record });
        if (lastFile && lastFile !== file) await rm(join(out, lastFile), { force: true });
        lastFile = file;
        io.err(`checkpoint: step ${snap.step} of ${snap.totalSteps} in ${out}\n`);
      },
    },
    stopped: () => stop,
    async finish(completed) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      if (!completed) return;
      for (const f of [TRAIN_STATE_FILE, ...(lastFile ? [lastFile] : [])]) await rm(join(out, f), { force: true });
    },
  };
}

/** One line of a training log, as train-base and cold-start print it. */
export function trainLogLine(e: TrainLogEntry): string {
  return `step ${e.step}  loss ${e.loss.toFixed(4)}  lr ${e.lr.toExponential(2)}  |g| ${e.gradNorm.toFixed(3)}  ${e.tokensPerSec.toFixed(0)} tok/s  ${e.elapsedSec.toFixed(0)} s\n`;
}

/** What to print when a signal stopped a run. */
export function stoppedMessage(command: string, out: string): string {
  return `stopped: the checkpoint is in ${out}; continue with: npm run psr -- ${command} --resume ${out}\n`;
}
