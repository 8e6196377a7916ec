// `psr train-base --out DIR [--tokens N] [--seed S] [--dataset-seed S] [--backend auto|webgpu|wasm|cpu]`:
// pretrain the base model M0 and write an HF-style checkpoint with its loss curve.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from '../command.ts';
import { intFlag } from '../math-flags.ts';
import { openBackend } from '../backends.ts';
import { settingsFromFlags, settingsUsage } from '../settings-flags.ts';
import type { SettingKey } from '../../lib/settings/table.ts';
import { defaultWorldConfig } from '../../lib/math/config.ts';
import { toTokenizerConfig, toTokenizerJson } from '../../lib/tokenizer/index.ts';
import { createTokenizer } from '../../lib/math/vocab.ts';
import { DEFAULT_BASE_TRAIN, trainBaseModel } from '../../lib/train/base-model.ts';
import { saveCheckpoint } from '../../lib/model/checkpoint.ts';
import { NodeFiles } from '../../lib/formats/node-files.ts';
import { UsageError } from '../../lib/errors.ts';

const SETTINGS_TAKEN: readonly SettingKey[] = ['seed', 'datasetSeed', 'backend'];

export const trainBaseCommand: Command = {
  name: 'train-base',
  summary: 'Pretrain the base model M0 from scratch on plain-text solutions (no Step-n format, no judge data).',
  usage: `train-base --out DIR [--tokens N] ${settingsUsage(SETTINGS_TAKEN)} [--json]`,
  settings: SETTINGS_TAKEN,
  options: {
    out: { type: 'string' },
    tokens: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(flags, _positionals, io) {
    const { seed, datasetSeed, backend: requested } = settingsFromFlags(flags, SETTINGS_TAKEN);
    const tokens = intFlag(flags, 'tokens', 2048, 1_000_000_000, DEFAULT_BASE_TRAIN.tokens);
    if (typeof flags.out !== 'string' || flags.out === '') throw new UsageError('--out DIR is required: where to write the checkpoint.');
    const out = flags.out;
    const world = defaultWorldConfig();
    const tok = createTokenizer(world);
    await mkdir(out, { recursive: true });
    const logLines: string[] = [];
    const { backend, name: backendName, reason, dispose } = await openBackend(requested);
    io.err(`backend: ${backendName} (${reason})\n`);
    try {
      const result = await trainBaseModel(backend, world, tok, { ...DEFAULT_BASE_TRAIN, seed, datasetSeed, tokens }, {
        onLog(e) {
          logLines.push(JSON.stringify(e));
          io.err(`step ${e.step}  loss ${e.loss.toFixed(4)}  lr ${e.lr.toExponential(2)}  |g| ${e.gradNorm.toFixed(3)}  ${e.tokensPerSec.toFixed(0)} tok/s  ${e.elapsedSec.toFixed(0)} s\n`);
        },
      });
      const files = new NodeFiles(out);
      await saveCheckpoint(files, { config: result.config, weights: result.weights, tokenizerJson: toTokenizerJson(tok) });
      await writeFile(join(out, 'tokenizer_config.json'), JSON.stringify(toTokenizerConfig(tok), null, 2) + '\n');
      await writeFile(join(out, 'train-log.jsonl'), logLines.join('\n') + '\n');
      const summary = {
        ...result.summary,
        backend: backendName,
        command: `npm run psr -- train-base --seed ${seed} --dataset-seed ${datasetSeed} --tokens ${tokens} --backend ${backendName} --out ${out}`,
      };
      await writeFile(join(out, 'train-summary.json'), JSON.stringify(summary, null, 2) + '\n');
      io.out(flags.json ? JSON.stringify(summary, null, 2) + '\n' : `M0 written to ${out}: ${summary.parameters} parameters, ${summary.tokens} tokens, loss ${summary.finalLoss.toFixed(4)}, ${summary.seconds.toFixed(0)} s\n`);
      return 0;
    } finally {
      await dispose();
    }
  },
};
