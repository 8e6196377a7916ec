// Scoring continuations: log P(continuation | prefix) for many continuations of one prefix in one
// batched pass — the prefix is prefilled once and forked, then every continuation is appended
// together. Used for the judge's verdict distribution and for DPO reference log-probs at inference.
import { Decoder } from './decoder.ts';
import type { ModelParams } from './params.ts';
import { logSoftmax } from './sampling.ts';
import { InvalidInputError } from '../errors.ts';

export interface ContinuationScore {
  /** Σ log P(token) over the continuation. */
  logprob: number;
  /** log P per token of the continuation. */
  tokenLogprobs: number[];
}

/** Scores of `continuations` after `prefix` (non-empty), in order. */
export async function scoreContinuations(
  params: ModelParams,
  prefix: readonly number[],
  continuations: (readonly number[])[],
): Promise<ContinuationScore[]> {
  if (prefix.length === 0) throw new InvalidInputError('scoreContinuations: the prefix is empty; start it with at least one token (e.g. <bos>).');
  if (continuations.length === 0) return [];
  const K = continuations.length;
  const longest = Math.max(...continuations.map((c) => c.length));
  const V = params.config.vocabSize;
  const dec = new Decoder(params, K, Math.min(params.config.maxPositionEmbeddings, prefix.length + longest));
  try {
    const afterPrefix = await dec.append([prefix, ...new Array(K - 1).fill([])]);
    await dec.fork(0, Array.from({ length: K - 1 }, (_, i) => i + 1));
    const firstLp = logSoftmax(afterPrefix.subarray(0, V));
    // Append every continuation but its last token: those logits predict tokens 1..n−1.
    const heads = continuations.map((c) => c.slice(0, -1));
    const { all, Tq } = longest > 1 ? await dec.appendAll(heads) : { all: new Float32Array(0), Tq: 0 };
    return continuations.map((c, b) => {
      const tokenLogprobs: number[] = [];
      c.forEach((id, i) => {
        const lp = i === 0 ? firstLp : logSoftmax(all.subarray((b * Tq + i - 1) * V, (b * Tq + i) * V));
        tokenLogprobs.push(lp[id]);
      });
      return { logprob: tokenLogprobs.reduce((a, x) => a + x, 0), tokenLogprobs };
    });
  } finally {
    dec.free();
  }
}
