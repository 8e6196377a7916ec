// `psr cold-start --base DIR --seed S --out DIR [--ift N] [--eft N] [--mode lora|full] [--epochs E]`:
// fine-tune M0 on IFT + EFT into M1 (a PEFT LoRA adapter on the base, or a full checkpoint).
import { mkdir, writeFile, copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from '../command.ts';
import { intFlag } from '../math-flags.ts';
import { openBackend } from '../backends.ts';
import { settingsFromFlags, settingsUsage } from '../settings-flags.ts';
import type { SettingKey } from '../../lib/settings/table.ts';
import { loadModelDir } from '../model-dir.ts';
import { keepQuantized } from '../../lib/model/params.ts';
import { defaultWorldConfig } from '../../lib/math/config.ts';
import { buildDatasets, DEFAULT_DATASET_OPTIONS, weightedMistakeKinds } from '../../lib/math/datasets.ts';
import type { MistakeKind } from '../../lib/math/mistakes.ts';
import { coldStart, DEFAULT_COLD_START, scoredSolutions } from '../../lib/train/cold-start.ts';
import { saveAdapter, saveCheckpoint } from '../../lib/model/checkpoint.ts';
import { NodeFiles } from '../../lib/formats/node-files.ts';
import { toTokenizerJson } from '../../lib/tokenizer/tokenizer-json.ts';
import { UsageError } from '../../lib/errors.ts';

const SETTINGS_TAKEN: readonly SettingKey[] = ['seed', 'datasetSeed', 'backend'];

export const coldStartCommand: Command = {
  name: 'cold-start',
  summary: 'Fine-tune the base model M0 on IFT (Step-n solutions) + EFT (pairwise step judgments) into M1.',
  usage:
    `cold-start --base DIR --out DIR [--ift N] [--eft N] [--score N] [--mode lora|full] [--rank R] [--epochs E] [--lr X] [--eft-weights kind=W,…] ${settingsUsage(SETTINGS_TAKEN)} [--json]`,
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
    json: { type: 'boolean' },
  },
  async run(flags, _positionals, io) {
    if (typeof flags.base !== 'string') throw new UsageError('--base DIR (the M0 checkpoint) is required.');
    if (typeof flags.out !== 'string') throw new UsageError('--out DIR is required.');
    const mode = (flags.mode ?? DEFAULT_COLD_START.mode) as 'lora' | 'full';
    if (mode !== 'lora' && mode !== 'full') throw new UsageError(`--mode must be lora or full (got ${String(flags.mode)}).`);
    const { seed, datasetSeed, backend: requested } = settingsFromFlags(flags, SETTINGS_TAKEN);
    // Default mix near the paper's IFT:EFT = 28,889 : 4,679 (≈ 6 : 1).
    const iftCount = intFlag(flags, 'ift', 0, 200000, 9000);
    const eftCount = intFlag(flags, 'eft', 0, 200000, 1500);
    // Whole-solution scoring (the SRLM baseline's judge) on the same footing as the step judge.
    const scoreCount = intFlag(flags, 'score', 0, 200000, eftCount);
    const loraRank = intFlag(flags, 'rank', 1, 512, DEFAULT_COLD_START.loraRank);
    const epochs = intFlag(flags, 'epochs', 1, 50, DEFAULT_COLD_START.epochs);
    const maxLr = flags.lr === undefined ? DEFAULT_COLD_START.maxLr : Number(flags.lr);
    if (!(maxLr > 0 && maxLr < 1)) throw new UsageError(`--lr must be a number in (0, 1) (got ${String(flags.lr)}).`);
    const m = await loadModelDir(flags.base);
    const world = defaultWorldConfig();
    const eftMistakeKinds = typeof flags['eft-weights'] === 'string' ? weightedMistakeKinds(parseWeights(flags['eft-weights'])) : undefined;
    const data = buildDatasets(world, { seed: datasetSeed, ...DEFAULT_DATASET_OPTIONS, iftCount: iftCount + scoreCount, eftCount, eftMistakeKinds });
    // The scored solutions use IFT problems not used for IFT itself (disjoint from every held-out split).
    const scored = scoredSolutions(data.ift.slice(iftCount), seed);
    const opts = { ...DEFAULT_COLD_START, seed, mode, loraRank, loraAlpha: loraRank, epochs, maxLr, minLr: maxLr / 10 };
    const out = flags.out;
    await mkdir(out, { recursive: true });
    const logLines: string[] = [];
    const { backend, name: backendName, reason, dispose } = await openBackend(requested);
    io.err(`backend: ${backendName} (${reason})\n`);
    try {
      const r = await coldStart(backend, m.config, m.weights, m.tok, { ift: data.ift.slice(0, iftCount), eft: data.eft, scored }, opts, {
        onLog(e) {
          logLines.push(JSON.stringify(e));
          io.err(`step ${e.step}  loss ${e.loss.toFixed(4)}  lr ${e.lr.toExponential(2)}  |g| ${e.gradNorm.toFixed(3)}  ${e.tokensPerSec.toFixed(0)} tok/s  ${e.elapsedSec.toFixed(0)} s\n`);
        },
      }, mode === 'lora' ? keepQuantized(backend, m.quantized) : null);
      const files = new NodeFiles(out);
      if (r.adapter) await saveAdapter(files, m.config, { ...r.adapter, config: { ...r.adapter.config, baseModelNameOrPath: flags.base } });
      if (r.weights) {
        await saveCheckpoint(files, { config: m.config, weights: r.weights, tokenizerJson: toTokenizerJson(m.tok) });
        await copyFile(join(flags.base, 'tokenizer_config.json'), join(out, 'tokenizer_config.json'));
      }
      await writeFile(join(out, 'train-log.jsonl'), logLines.join('\n') + '\n');
      const summary = {
        ...r.summary,
        base: flags.base,
        command: `npm run psr -- cold-start --base ${flags.base} --seed ${seed} --dataset-seed ${datasetSeed} --ift ${iftCount} --eft ${eftCount} --score ${scoreCount} --mode ${mode} --rank ${loraRank} --epochs ${epochs} --lr ${maxLr}${eftMistakeKinds ? ` --eft-weights ${flags['eft-weights']}` : ''} --out ${out}`,
        eftMistakeKinds: eftMistakeKinds ?? null,
      };
      await writeFile(join(out, 'train-summary.json'), JSON.stringify(summary, null, 2) + '\n');
      io.out(flags.json ? JSON.stringify(summary, null, 2) + '\n' : `M1 (${mode}) written to ${out}: ${summary.steps} steps, loss ${summary.finalLoss.toFixed(4)}, ${summary.seconds.toFixed(0)} s\n`);
      return 0;
    } finally {
      await dispose();
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
