// `psr train-base --out DIR [--tokens N] [--hidden H --layers L …] [--seed S] [--dataset-seed S] [--backend B]`:
// pretrain the base model M0 and write an HF-style checkpoint with its loss curve. Resumable: a
// checkpoint every --checkpoint-every tokens and on SIGINT / SIGTERM; `--resume DIR` continues it
// exactly (same weights as a run that was never stopped).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from '../command.ts';
import { intFlag } from '../math-flags.ts';
import { openBackend, type BackendChoice } from '../backends.ts';
import { settingsFromFlags, settingsUsage } from '../settings-flags.ts';
import { STOPPED_EXIT_CODE, startTrainRun, stoppedMessage, trainLogLine } from '../train-run.ts';
import type { SettingKey } from '../../lib/settings/table.ts';
import type { WorldConfig } from '../../lib/math/config.ts';
import { WORLD_FILE, parseWorldFile, worldFileText, worldToJson } from '../../lib/math/world-file.ts';
import { WORLD_OPTION, WORLD_USAGE, worldOrDefault } from '../world-flag.ts';
import { toTokenizerConfig, toTokenizerJson } from '../../lib/tokenizer/index.ts';
import { createTokenizer } from '../../lib/math/vocab.ts';
import { DEFAULT_BASE_TRAIN, trainBaseModel, type BaseTrainOptions } from '../../lib/train/base-model.ts';
import { TINY_SHAPE, tinyModelConfig, type ModelShape } from '../../lib/model/tiny.ts';
import { weightsFromTensors } from '../../lib/model/weights.ts';
import { MODEL_META_FILE } from '../../lib/model/model-meta.ts';
import { saveCheckpoint } from '../../lib/model/checkpoint.ts';
import { NodeFiles } from '../../lib/formats/node-files.ts';

const SETTINGS_TAKEN: readonly SettingKey[] = ['seed', 'datasetSeed', 'backend', 'threads'];
/** Flags that define the run (refused together with --resume, which takes them from the checkpoint). */
const RUN_FLAGS = ['out', 'tokens', 'hidden', 'intermediate', 'layers', 'heads', 'kv-heads', 'seed', 'dataset-seed', 'backend', 'world'] as const;

interface TrainBaseRecord {
  command: 'train-base';
  options: BaseTrainOptions;
  /** The backend asked for, then the one that ran it: a resumed run uses the same one (bit-exact continuation). */
  backend: BackendChoice;
  /** The math world (a world file's content; written to the model's folder as world.json). */
  world: Record<string, unknown>;
  /** Tokens between checkpoints, and whether each checkpoint is also a snapshot model folder (kept on --resume). */
  checkpointEvery?: number;
  snapshots?: boolean;
}

export const trainBaseCommand: Command = {
  name: 'train-base',
  summary: 'Pretrain the base model M0 from scratch on plain-text solutions (no Step-n format, no judge data); resumable.',
  usage:
    `train-base --out DIR [--tokens N] [--hidden ${TINY_SHAPE.hiddenSize}] [--intermediate ${TINY_SHAPE.intermediateSize}] [--layers ${TINY_SHAPE.numLayers}] ` +
    `[--heads ${TINY_SHAPE.numHeads}] [--kv-heads ${TINY_SHAPE.numKvHeads}] ${settingsUsage(SETTINGS_TAKEN)} ${WORLD_USAGE} [--checkpoint-every TOKENS (1000000; 0 = only on a stop)] ` +
    '[--snapshots (also write each checkpoint as a model folder snapshots/tokens-N/, for the learning curve)] [--json]\n' +
    '       train-base --resume DIR   (continue a stopped run with its own options)',
  settings: SETTINGS_TAKEN,
  options: {
    out: { type: 'string' },
    tokens: { type: 'string' },
    hidden: { type: 'string' },
    intermediate: { type: 'string' },
    layers: { type: 'string' },
    heads: { type: 'string' },
    'kv-heads': { type: 'string' },
    'checkpoint-every': { type: 'string' },
    snapshots: { type: 'boolean' },
    resume: { type: 'string' },
    ...WORLD_OPTION,
    json: { type: 'boolean' },
  },
  async run(flags, _positionals, io) {
    const worldGiven = await worldOrDefault(flags);
    const run = await startTrainRun<TrainBaseRecord>(flags, io, 'train-base', RUN_FLAGS, () => {
      const { seed, datasetSeed, backend } = settingsFromFlags(flags, SETTINGS_TAKEN);
      const shape: ModelShape = {
        hiddenSize: intFlag(flags, 'hidden', 8, 4096, TINY_SHAPE.hiddenSize),
        intermediateSize: intFlag(flags, 'intermediate', 8, 16384, TINY_SHAPE.intermediateSize),
        numLayers: intFlag(flags, 'layers', 1, 64, TINY_SHAPE.numLayers),
        numHeads: intFlag(flags, 'heads', 1, 64, TINY_SHAPE.numHeads),
        numKvHeads: intFlag(flags, 'kv-heads', 1, 64, TINY_SHAPE.numKvHeads),
      };
      const tokens = intFlag(flags, 'tokens', 2048, 1_000_000_000, DEFAULT_BASE_TRAIN.tokens);
      return { command: 'train-base', options: { ...DEFAULT_BASE_TRAIN, seed, datasetSeed, tokens, shape }, backend, world: worldToJson(worldGiven) };
    });
    const { out, record } = run;
    // --snapshots is part of the run too: a resumed run keeps writing them.
    if (flags.snapshots) record.snapshots = true;
    const snapshots = record.snapshots === true;
    // A checkpoint written before world files existed ran on the default world.
    const world: WorldConfig = record.world ? parseWorldFile(record.world) : worldGiven;
    const tok = createTokenizer(world);
    await mkdir(out, { recursive: true });
    // --threads is not part of the run (any count gives the same weights), so a resumed run may change it
    const opened = await openBackend(record.backend, settingsFromFlags(flags, ['threads']).threads);
    record.backend = opened.name; // 'auto' is recorded as what it chose

    io.err(`backend: ${opened.name} (${opened.reason})\n`);
    let completed = false;
    try {
      const config = tinyModelConfig(tok.size, { bos: tok.bosId, eos: tok.eosId, pad: tok.padId }, record.options.shape);
      const tokensPerStep = record.options.batchRows * record.options.seqLen;
      const result = await trainBaseModel(opened.backend, world, tok, record.options, {
        ...run.hooks,
        async onCheckpoint(snap) {
          await run.hooks.onCheckpoint?.(snap);
          if (!snapshots) return;
          // The learning curve's raw material: every checkpoint as a loadable M0 (eval --format plain).
          const dir = join(out, 'snapshots', `tokens-${snap.step * tokensPerStep}`);
          await mkdir(dir, { recursive: true });
          const byName = new Map(snap.tensors.map((t) => [t.name, t.param]));
          await saveCheckpoint(new NodeFiles(dir), { config, weights: weightsFromTensors(config, byName), tokenizerJson: toTokenizerJson(tok) });
          await writeFile(join(dir, 'tokenizer_config.json'), JSON.stringify(toTokenizerConfig(tok), null, 2) + '\n');
          await writeFile(join(dir, WORLD_FILE), worldFileText(world));
        },
        onLog(e) {
          io.err(trainLogLine(e));
        },
      });
      await writeFile(join(out, 'train-log.jsonl'), result.log.map((e) => JSON.stringify(e)).join('\n') + '\n');
      if (result.summary.steps < result.summary.totalSteps) {
        io.err(stoppedMessage('train-base', out));
        return STOPPED_EXIT_CODE;
      }
      await saveCheckpoint(new NodeFiles(out), { config: result.config, weights: result.weights, tokenizerJson: toTokenizerJson(tok) });
      await writeFile(join(out, 'tokenizer_config.json'), JSON.stringify(toTokenizerConfig(tok), null, 2) + '\n');
      await writeFile(join(out, WORLD_FILE), worldFileText(world));
      await writeFile(join(out, MODEL_META_FILE), JSON.stringify({ generation: 0, adapter: null, world: WORLD_FILE, description: 'M0: the pretrained base model (plain-text solutions)' }) + '\n');
      const o = record.options;
      const s = o.shape ?? {};
      const summary = {
        ...result.summary,
        backend: opened.name,
        threads: opened.threads,
        resumed: run.resume !== null,
        command:
          `npm run psr -- train-base --seed ${o.seed} --dataset-seed ${o.datasetSeed} --tokens ${o.tokens} --hidden ${s.hiddenSize} --intermediate ${s.intermediateSize} ` +
          `--layers ${s.numLayers} --heads ${s.numHeads} --kv-heads ${s.numKvHeads} --backend ${opened.name} --out ${out}`,
      };
      await writeFile(join(out, 'train-summary.json'), JSON.stringify(summary, null, 2) + '\n');
      completed = true;
      io.out(flags.json ? JSON.stringify(summary, null, 2) + '\n' : `M0 written to ${out}: ${summary.parameters} parameters, ${summary.tokens} tokens, loss ${summary.finalLoss.toFixed(4)}, ${summary.seconds.toFixed(0)} s\n`);
      return 0;
    } finally {
      await run.finish(completed);
      await opened.dispose();
    }
  },
};
