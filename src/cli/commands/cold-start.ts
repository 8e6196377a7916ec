// `psr cold-start --base DIR --out DIR [--ift N] [--eft N] [--mode lora|full] [--epochs E] …`: fine-tune M0
// on IFT + EFT into M1 (a PEFT LoRA adapter on the base, or a full checkpoint). Resumable like
// train-base: checkpoints every --checkpoint-every tokens and on SIGINT / SIGTERM, `--resume DIR`.
import { mkdir, writeFile, copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from '../command.ts';
import { intFlag, intListFlag } from '../math-flags.ts';
import { openBackend, type BackendChoice } from '../backends.ts';
import { STOPPED_EXIT_CODE, startTrainRun, stoppedMessage, trainLogLine } from '../train-run.ts';
import { settingsFromFlags, settingsUsage } from '../settings-flags.ts';
import type { SettingKey } from '../../lib/settings/table.ts';
import { loadModelDir } from '../model-dir.ts';
import { keepQuantized, ModelParams } from '../../lib/model/params.ts';
import { WORLD_FILE, parseWorldFile, worldFileText, worldToJson } from '../../lib/math/world-file.ts';
import { WORLD_OPTION, WORLD_USAGE, worldForModel } from '../world-flag.ts';
import { MODEL_META_FILE } from '../../lib/model/model-meta.ts';
import { JUDGE_WORKING_MODES, type JudgeWorkingMode } from '../../lib/math/judge-prompt.ts';
import { DEFAULT_TINY_STEP_OPTIONS, TinyStepModel } from '../../lib/psr/step-model.ts';
import { DEFAULT_ONPOLICY, onPolicyEft, type OnPolicyProgress, type OnPolicyStats } from '../../lib/psr/onpolicy-eft.ts';
import { buildDatasets, DEFAULT_DATASET_OPTIONS, weightedMistakeKinds, type EftExample } from '../../lib/math/datasets.ts';
import type { MistakeKind } from '../../lib/math/mistakes.ts';
import { coldStart, DEFAULT_COLD_START, scoredSolutions } from '../../lib/train/cold-start.ts';
import { saveAdapter, saveCheckpoint } from '../../lib/model/checkpoint.ts';
import { NodeFiles } from '../../lib/formats/node-files.ts';
import { toTokenizerJson } from '../../lib/tokenizer/tokenizer-json.ts';
import { TrainStateError, UsageError } from '../../lib/errors.ts';

const SETTINGS_TAKEN: readonly SettingKey[] = ['seed', 'datasetSeed', 'backend', 'threads'];
/** Flags that define the run (refused together with --resume, which takes them from the checkpoint). */
const RUN_FLAGS = ['base', 'out', 'ift', 'eft', 'score', 'mode', 'rank', 'epochs', 'lr', 'eft-weights', 'eft-source', 'onpolicy-from', 'onpolicy', 'judge-working', 'data-round', 'train-difficulties', 'seed', 'dataset-seed', 'backend', 'world'] as const;
const EFT_SOURCES = ['synthetic', 'onpolicy', 'mix'] as const;

interface ColdStartRecord {
  command: 'cold-start';
  base: string;
  seed: number;
  datasetSeed: number;
  iftCount: number;
  eftCount: number;
  scoreCount: number;
  mode: 'lora' | 'full';
  loraRank: number;
  epochs: number;
  maxLr: number;
  eftWeights: string | null;
  /** The backend asked for, then the one that ran it (a resumed run uses the same one). */
  backend: BackendChoice;
  /** The world of the training data: the base model's, or --world (a world file's content). */
  world: Record<string, unknown> | null;
  /** --world FILE as given (for the recorded command; the world itself is `world`). */
  worldFile?: string | null;
  /** Judge data: synthetic mistakes, a Step-n model's own samples labelled by the checker, or both. */
  eftSource: (typeof EFT_SOURCES)[number];
  /** The Step-n model whose samples make the on-policy judge data, and on how many training problems. */
  onpolicyFrom: string | null;
  onpolicyCount: number;
  /** How the judge writes its working (judge-prompt.ts); absent in records of earlier runs: 'check'. */
  judgeWorking?: JudgeWorkingMode;
  /** The stream of the training problems (DatasetOptions.trainingRound); absent in records of earlier runs: 0. */
  dataRound?: number;
  /** Levels of the training problems, a repeated level weighing more (DatasetOptions.trainingDifficulties); null: every level. */
  trainDifficulties?: number[] | null;
}

export const coldStartCommand: Command = {
  name: 'cold-start',
  summary: 'Fine-tune the base model M0 on IFT (Step-n solutions) + EFT (pairwise step judgments) into M1; resumable.',
  usage:
    `cold-start --base DIR --out DIR [--ift N] [--eft N] [--score N] [--mode lora|full] [--rank R] [--epochs E] [--lr X] [--eft-weights kind=W,…] ` +
    `[--eft-source synthetic|onpolicy|mix --onpolicy-from DIR --onpolicy N] [--judge-working check|separate|ground|none] [--data-round K (0)] [--train-difficulties 1,2,3,3,4,4,5,6] ${settingsUsage(SETTINGS_TAKEN)} ${WORLD_USAGE} ` +
    '[--checkpoint-every TOKENS (1000000; 0 = only on a stop)] [--json]\n' +
    '       cold-start --resume DIR   (continue a stopped run with its own options)',
  settings: SETTINGS_TAKEN,
  options: {
    base: { type: 'string' },
    out: { type: 'string' },
    ift: { type: 'string' },
    eft: { type: 'string' },
    score: { type: 'string' },
    mode: { type: 'string' },
    rank: { type: 'string' },
    epochs: { type: 'string' },
    lr: { type: 'string' },
    'eft-weights': { type: 'string' },
    'eft-source': { type: 'string' },
    'onpolicy-from': { type: 'string' },
    onpolicy: { type: 'string' },
    'judge-working': { type: 'string' },
    'data-round': { type: 'string' },
    'train-difficulties': { type: 'string' },
    'checkpoint-every': { type: 'string' },
    resume: { type: 'string' },
    ...WORLD_OPTION,
    json: { type: 'boolean' },
  },
  async run(flags, _positionals, io) {
    // --threads is not part of the run (any count gives the same weights), so a resumed run may change it
    const { threads } = settingsFromFlags(flags, ['threads']);
    const run = await startTrainRun<ColdStartRecord>(flags, io, 'cold-start', RUN_FLAGS, () => {
      if (typeof flags.base !== 'string') throw new UsageError('--base DIR (the M0 checkpoint) is required.');
      const mode = (flags.mode ?? DEFAULT_COLD_START.mode) as 'lora' | 'full';
      if (mode !== 'lora' && mode !== 'full') throw new UsageError(`--mode must be lora or full (got ${String(flags.mode)}).`);
      const { seed, datasetSeed, backend } = settingsFromFlags(flags, SETTINGS_TAKEN);
      // Default mix near the paper's IFT:EFT = 28,889 : 4,679 (≈ 6 : 1).
      const iftCount = intFlag(flags, 'ift', 0, 200000, 9000);
      const eftCount = intFlag(flags, 'eft', 0, 200000, 1500);
      const maxLr = flags.lr === undefined ? DEFAULT_COLD_START.maxLr : Number(flags.lr);
      if (!(maxLr > 0 && maxLr < 1)) throw new UsageError(`--lr must be a number in (0, 1) (got ${String(flags.lr)}).`);
      const eftWeights = typeof flags['eft-weights'] === 'string' ? flags['eft-weights'] : null;
      if (eftWeights !== null) parseWeights(eftWeights); // refuse a bad list before any work
      const eftSource = (flags['eft-source'] ?? 'synthetic') as ColdStartRecord['eftSource'];
      if (!EFT_SOURCES.includes(eftSource)) throw new UsageError(`--eft-source must be one of ${EFT_SOURCES.join(', ')} (got ${String(flags['eft-source'])}).`);
      const onpolicyFrom = typeof flags['onpolicy-from'] === 'string' ? flags['onpolicy-from'] : null;
      if (eftSource !== 'synthetic' && onpolicyFrom === null) {
        throw new UsageError(`--eft-source ${eftSource} needs --onpolicy-from DIR: a Step-n model (e.g. an M1) whose own samples make the judge data.`);
      }
      const judgeWorking = (flags['judge-working'] ?? DEFAULT_COLD_START.judgeWorking) as JudgeWorkingMode;
      if (!JUDGE_WORKING_MODES.includes(judgeWorking)) {
        throw new UsageError(`--judge-working must be one of ${JUDGE_WORKING_MODES.join(', ')} (got ${String(flags['judge-working'])}).`);
      }
      return {
        judgeWorking,
        // A later stage's fresh training problems: the same dataset seed (its held-out splits excluded), another stream.
        dataRound: intFlag(flags, 'data-round', 0, 1000, 0),
        // A curriculum: more of the training at some levels (checked against the world below).
        trainDifficulties: flags['train-difficulties'] === undefined ? null : intListFlag(flags, 'train-difficulties', 1, 100, []),
        eftSource, onpolicyFrom, onpolicyCount: eftSource === 'synthetic' ? 0 : intFlag(flags, 'onpolicy', 1, 200000, 1500),
        command: 'cold-start', base: flags.base, seed, datasetSeed, iftCount, eftCount,
        // Whole-solution scoring (the SRLM baseline's judge) on the same footing as the step judge.
        scoreCount: intFlag(flags, 'score', 0, 200000, eftCount),
        mode,
        loraRank: intFlag(flags, 'rank', 1, 512, DEFAULT_COLD_START.loraRank),
        epochs: intFlag(flags, 'epochs', 1, 50, DEFAULT_COLD_START.epochs),
        maxLr, eftWeights, backend, world: null,
        worldFile: typeof flags.world === 'string' ? flags.world : null,
      };
    });
    const { out, record: r } = run;
    const m = await loadModelDir(r.base);
    const world = r.world ? parseWorldFile(r.world) : await worldForModel(run.resume ? {} : flags, m, io);
    r.world = worldToJson(world);
    const eftMistakeKinds = r.eftWeights !== null ? weightedMistakeKinds(parseWeights(r.eftWeights)) : undefined;
    const onpolicyCount = r.onpolicyCount ?? 0;
    const data = buildDatasets(world, {
      seed: r.datasetSeed, ...DEFAULT_DATASET_OPTIONS, iftCount: r.iftCount + r.scoreCount + onpolicyCount,
      eftCount: r.eftSource === 'onpolicy' ? 0 : r.eftCount, eftMistakeKinds, trainingRound: r.dataRound ?? 0,
      trainingDifficulties: r.trainDifficulties ?? undefined,
    });
    // The scored solutions and the on-policy walks use IFT problems not used for IFT itself
    // (training problems: disjoint from every held-out split, checked by buildDatasets).
    const scored = scoredSolutions(data.ift.slice(r.iftCount, r.iftCount + r.scoreCount), r.seed);
    let eft = data.eft;
    let onpolicyStats: OnPolicyStats | null = null;
    // The walks are kept in the run folder as they are sampled: a stopped sampling continues where it
    // stopped, and a resumed or restarted run reads finished walks back instead of sampling them again.
    const walksFile = join(out, ONPOLICY_FILE);
    if (r.eftSource !== 'synthetic' && r.onpolicyFrom) {
      const from = r.onpolicyFrom;
      const keep = async (p: OnPolicyProgress) => {
        await mkdir(out, { recursive: true });
        const record: KeptWalks = { from, seed: r.seed, problems: onpolicyCount, ...p };
        await writeFile(walksFile, JSON.stringify(record) + '\n');
      };
      const kept = await readKeptWalks(walksFile, { from, seed: r.seed, problems: onpolicyCount });
      let walks: OnPolicyProgress;
      if (kept && kept.done === onpolicyCount) {
        walks = kept;
        io.err(`on-policy judge data read back from ${walksFile}: ${walks.examples.length} examples\n`);
      } else {
        if (kept) io.err(`on-policy judge data: continuing after ${kept.done} of ${onpolicyCount} problems kept in ${walksFile}\n`);
        const sampler = await loadModelDir(from);
        const samplerBackend = await openBackend('wasm', threads);
        try {
          const params = ModelParams.create(samplerBackend.backend, sampler.config, sampler.weights, sampler.adapter, 'none', null);
          walks = await onPolicyEft(
            new TinyStepModel(params, sampler.tok, DEFAULT_TINY_STEP_OPTIONS),
            data.ift.slice(r.iftCount + r.scoreCount),
            DEFAULT_ONPOLICY,
            r.seed,
            (d, n) => d % 100 === 0 && io.err(`on-policy judge data: ${d}/${n} problems\n`),
            { from: kept ?? undefined, shouldStop: run.stopped, onSave: keep, saveEvery: 100 },
          );
          params.free();
        } finally {
          await samplerBackend.dispose();
        }
        await keep(walks);
        if (walks.done < onpolicyCount) {
          await run.finish(false);
          io.err(`stopped during the on-policy judge data after ${walks.done} of ${onpolicyCount} problems, kept in ${walksFile}; run the same command again to continue from there.\n`);
          return STOPPED_EXIT_CODE;
        }
        io.err(`on-policy judge data from ${from}: ${walks.examples.length} examples from ${walks.stats.mixedRounds} of ${walks.stats.rounds} rounds (${JSON.stringify(walks.stats.wrongKinds)})\n`);
      }
      onpolicyStats = walks.stats;
      eft = r.eftSource === 'onpolicy' ? walks.examples : [...data.eft, ...walks.examples];
    }
    const judgeWorking = r.judgeWorking ?? 'check';
    const opts = { ...DEFAULT_COLD_START, judgeWorking, seed: r.seed, mode: r.mode, loraRank: r.loraRank, loraAlpha: r.loraRank, epochs: r.epochs, maxLr: r.maxLr, minLr: r.maxLr / 10 };
    await mkdir(out, { recursive: true });
    const opened = await openBackend(r.backend, threads);
    r.backend = opened.name; // 'auto' is recorded as what it chose
    io.err(`backend: ${opened.name} (${opened.reason})\n`);
    let completed = false;
    try {
      const backend = opened.backend;
      const result = await coldStart(backend, m.config, m.weights, m.tok, { ift: data.ift.slice(0, r.iftCount), eft, scored }, opts, {
        ...run.hooks,
        onLog(e) {
          io.err(trainLogLine(e));
        },
      }, r.mode === 'lora' ? keepQuantized(backend, m.quantized) : null);
      await writeFile(join(out, 'train-log.jsonl'), result.log.map((e) => JSON.stringify(e)).join('\n') + '\n');
      if (result.summary.steps < result.summary.totalSteps) {
        io.err(stoppedMessage('cold-start', out));
        return STOPPED_EXIT_CODE;
      }
      const files = new NodeFiles(out);
      if (result.adapter) await saveAdapter(files, m.config, { ...result.adapter, config: { ...result.adapter.config, baseModelNameOrPath: r.base } });
      if (result.weights) {
        await saveCheckpoint(files, { config: m.config, weights: result.weights, tokenizerJson: toTokenizerJson(m.tok) });
        await copyFile(join(r.base, 'tokenizer_config.json'), join(out, 'tokenizer_config.json'));
        await writeFile(join(out, WORLD_FILE), worldFileText(world));
        await writeFile(join(out, MODEL_META_FILE), JSON.stringify({ generation: 1, adapter: null, world: WORLD_FILE, judge_working: judgeWorking, description: 'M1: the cold-start model (full fine-tune of M0)' }) + '\n');
      }
      const summary = {
        ...result.summary,
        base: r.base,
        backend: opened.name,
        threads: opened.threads,
        resumed: run.resume !== null,
        command: `npm run psr -- cold-start --base ${r.base} --seed ${r.seed} --dataset-seed ${r.datasetSeed} --ift ${r.iftCount} --eft ${r.eftCount} --score ${r.scoreCount} --mode ${r.mode} --rank ${r.loraRank} --epochs ${r.epochs} --lr ${r.maxLr}${r.worldFile ? ` --world ${r.worldFile}` : ''}${r.eftWeights ? ` --eft-weights ${r.eftWeights}` : ''}${r.eftSource !== 'synthetic' ? ` --eft-source ${r.eftSource} --onpolicy-from ${r.onpolicyFrom} --onpolicy ${onpolicyCount}` : ''}${judgeWorking !== 'check' ? ` --judge-working ${judgeWorking}` : ''}${r.dataRound ? ` --data-round ${r.dataRound}` : ''}${r.trainDifficulties ? ` --train-difficulties ${r.trainDifficulties.join(',')}` : ''} --backend ${opened.name} --out ${out}`,
        eftMistakeKinds: eftMistakeKinds ?? null,
        eftSource: r.eftSource,
        onpolicy: onpolicyStats,
      };
      await writeFile(join(out, 'train-summary.json'), JSON.stringify(summary, null, 2) + '\n');
      completed = true;
      io.out(flags.json ? JSON.stringify(summary, null, 2) + '\n' : `M1 (${r.mode}) written to ${out}: ${summary.steps} steps, loss ${summary.finalLoss.toFixed(4)}, ${summary.seconds.toFixed(0)} s\n`);
      return 0;
    } finally {
      await run.finish(completed);
      await opened.dispose();
    }
  },
};

/** `arithmetic_error=3,no_progress=2` → weights by kind (validated by weightedMistakeKinds). */
function parseWeights(text: string): Partial<Record<MistakeKind, number>> {
  const out: Partial<Record<MistakeKind, number>> = {};
  for (const part of text.split(',').filter((p) => p.trim() !== '')) {
    const m = part.trim().match(/^([a-z_]+)=(\d+)$/);
    if (!m) throw new UsageError(`--eft-weights takes kind=weight pairs separated by commas, e.g. arithmetic_error=3,no_progress=2 (got "${part}").`);
    out[m[1] as MistakeKind] = Number(m[2]);
  }
  return out;
}

/** The run folder's copy of its on-policy judge data (cold-start --eft-source onpolicy|mix). */
const ONPOLICY_FILE = 'onpolicy-eft.json';

interface KeptWalks extends OnPolicyProgress {
  from: string;
  seed: number;
  /** All the problems the run samples (`done` of them are in the file). */
  problems: number;
}

/** The kept walks of this very run (same sampler, seed and problem count), or null when there are none to reuse. */
async function readKeptWalks(file: string, want: { from: string; seed: number; problems: number }): Promise<KeptWalks | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return null;
  }
  let k: KeptWalks;
  try {
    k = JSON.parse(text) as KeptWalks;
  } catch (e) {
    throw new TrainStateError(`${file} is damaged (${(e as Error).message}); delete it and the run samples its on-policy judge data again.`);
  }
  if (k.from !== want.from || k.seed !== want.seed || k.problems !== want.problems || !Array.isArray(k.examples)) return null;
  return { ...k, done: k.done ?? k.problems };
}
