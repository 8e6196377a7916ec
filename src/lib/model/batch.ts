// A batch of token sequences packed for the transformer: right-padded to T, with positions
// 0..len-1 per row and a key-valid mask (1 = real token). Causal attention + right padding means
// no query row is ever empty; padded rows' outputs are simply ignored by the losses.
import { InvalidInputError } from '../errors.ts';

export interface PackedBatch {
  B: number;
  T: number;
  tokens: Int32Array; // (B,T), pad id where keyValid = 0
  positions: Int32Array; // (B,T)
  keyValid: Uint32Array; // (B,T) 1 = real token
  lengths: number[]; // (B) real tokens per row
}

/** Pack sequences into (B,T); T defaults to the longest sequence. */
export function packBatch(seqs: ArrayLike<number>[], padId: number, T = Math.max(1, ...seqs.map((s) => s.length))): PackedBatch {
  const B = seqs.length;
  if (B === 0) throw new InvalidInputError('packBatch: no sequences given; pass at least one token sequence.');
  const tooLong = seqs.findIndex((s) => s.length > T);
  if (tooLong >= 0) {
    throw new InvalidInputError(
      `packBatch: sequence ${tooLong} has ${seqs[tooLong].length} tokens, more than T = ${T}; shorten it or raise T (the model's context).`,
    );
  }
  const tokens = new Int32Array(B * T).fill(padId);
  const positions = new Int32Array(B * T);
  const keyValid = new Uint32Array(B * T);
  seqs.forEach((s, b) => {
    for (let t = 0; t < T; t++) {
      positions[b * T + t] = t;
      if (t < s.length) {
        tokens[b * T + t] = s[t];
        keyValid[b * T + t] = 1;
      }
    }
  });
  return { B, T, tokens, positions, keyValid, lengths: seqs.map((s) => s.length) };
}

/**
 * Next-token targets for a packed batch: targets[b,t] = tokens[b,t+1], and a 0/1 (or weighted) mask of
 * which positions are scored. `scored(b, t)` says whether the token at t+1 is part of the loss (e.g. the
 * response, or the chosen step) and with what weight (0 = not scored).
 */
export function nextTokenTargets(
  batch: PackedBatch,
  scored: (b: number, tNext: number) => number,
): { targets: Int32Array; weights: Float32Array } {
  const { B, T, tokens, lengths } = batch;
  const targets = new Int32Array(B * T); // 0 where unscored: never read with weight 0
  const weights = new Float32Array(B * T);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t + 1 < lengths[b]; t++) {
      const w = scored(b, t + 1);
      if (w > 0) {
        targets[b * T + t] = tokens[b * T + t + 1];
        weights[b * T + t] = w;
      }
    }
  }
  return { targets, weights };
}
