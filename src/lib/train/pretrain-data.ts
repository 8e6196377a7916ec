// The pretraining stream of the base model M0: freshly generated problems of every difficulty,
// each written as plain text (question, then the solution as sentences, no "Step n:" and no
// judge data), tokenized and packed into full rows. Problems whose question is in a held-out
// set (test problems, the EFT test set, iteration pools) are skipped, so M0 never sees them.
import type { WorldConfig } from '../math/config.ts';
import { generateProblem } from '../math/generator.ts';
import { formatPretrainText } from '../math/formats.ts';
import { createRng } from '../math/rng.ts';
import { DocumentPacker, type TextEncoder } from './data.ts';
import { InvalidInputError } from '../errors.ts';

export interface PretrainStreamOptions {
  seed: number;
  /** Relative weight of each difficulty (index 0 = difficulty 1); default uniform. */
  difficultyWeights?: number[];
  /** Question texts that must never be trained on. */
  heldOut: ReadonlySet<string>;
  /** Tokens per row. */
  T: number;
}

export interface PretrainStream {
  packer: DocumentPacker;
  /** Documents drawn so far, per difficulty, and how many were skipped as held out. */
  stats: { documents: number[]; skippedHeldOut: number; tokens: number };
}

export function pretrainStream(world: WorldConfig, tok: TextEncoder, opts: PretrainStreamOptions): PretrainStream {
  const levels = world.difficulties.length;
  const weights = opts.difficultyWeights ?? new Array(levels).fill(1);
  if (weights.length !== levels || weights.some((w) => !(w >= 0)) || !weights.some((w) => w > 0)) {
    throw new InvalidInputError(`difficultyWeights must be ${levels} non-negative numbers, not all 0 (got ${JSON.stringify(weights)}).`);
  }
  const total = weights.reduce((a, b) => a + b, 0);
  const rng = createRng(opts.seed).fork('pretrain');
  const stats = { documents: new Array(levels).fill(0), skippedHeldOut: 0, tokens: 0 };
  const nextDocument = (): Int32Array => {
    for (;;) {
      let u = rng.nextFloat() * total;
      let d = 0;
      while (d < levels - 1 && u >= weights[d]) u -= weights[d++];
      const p = generateProblem(world, rng, d + 1);
      if (opts.heldOut.has(p.question)) {
        stats.skippedHeldOut++;
        continue;
      }
      const { ids } = tok.encode(formatPretrainText(p), { strict: true });
      stats.documents[d]++;
      stats.tokens += ids.length;
      return ids;
    }
  };
  return { packer: new DocumentPacker(nextDocument, opts.T), stats };
}
