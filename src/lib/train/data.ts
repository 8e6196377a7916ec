// From formatted text to training batches: token ids with per-token loss weights (from the
// character spans a format marks as targets), packing of documents into full rows for
// pretraining, and padded rows of whole examples for fine-tuning.
import { packBatch } from '../model/batch.ts';
import type { SftExample } from './objectives.ts';
import { InvalidInputError } from '../errors.ts';

/** What the data pipeline needs from a tokenizer. */
export interface TextEncoder {
  encode(text: string, opts?: { strict?: boolean }): { ids: Int32Array; offsets: Int32Array };
  readonly padId: number;
}

/** A character span [start, end) of the text with the loss weight of the tokens inside it. */
export interface WeightedSpan {
  start: number;
  end: number;
  weight: number;
}

/** Token ids and the loss weight of predicting each token (weights[0] is always 0: nothing predicts it). */
export interface WeightedTokens {
  ids: Int32Array; // (T)
  weights: Float32Array; // (T)
}

/**
 * Encode `text` strictly (unknown words are an error: training data must be lossless) and weight
 * each token by the span containing it (tokens outside every span weigh 0; the last span wins).
 */
export function encodeWeighted(tok: TextEncoder, text: string, spans: readonly WeightedSpan[]): WeightedTokens {
  const { ids, offsets } = tok.encode(text, { strict: true });
  const weights = new Float32Array(ids.length);
  for (let i = 1; i < ids.length; i++) {
    const s = offsets[2 * i];
    const e = offsets[2 * i + 1];
    for (const span of spans) if (s >= span.start && e <= span.end && e > s) weights[i] = span.weight;
  }
  return { ids, weights };
}

/** The SFT example for rows of weighted tokens, right-padded to T. */
export function toSftExample(rows: readonly WeightedTokens[], T: number, padId: number): SftExample {
  const batch = packBatch(rows.map((r) => r.ids), padId, T);
  const { B } = batch;
  const targets = new Int32Array(B * T);
  const weights = new Float32Array(B * T);
  rows.forEach((r, b) => {
    for (let t = 0; t + 1 < r.ids.length; t++) {
      const w = r.weights[t + 1];
      if (w > 0) {
        targets[b * T + t] = r.ids[t + 1];
        weights[b * T + t] = w;
      }
    }
  });
  return { batch, targets, weights };
}

/**
 * Pretraining rows: documents (each already with <bos> … <eos>) concatenated and cut into rows of
 * exactly T tokens, every next token scored. A document may continue from one row into the next.
 */
export class DocumentPacker {
  private buffer: number[] = [];

  constructor(
    private readonly nextDocument: () => Int32Array,
    readonly T: number,
  ) {
    if (!Number.isInteger(T) || T < 2) throw new InvalidInputError(`DocumentPacker: T = ${T} must be an integer ≥ 2.`);
  }

  /** One row of T tokens with weights 1 (except the row's first token, which nothing predicts). */
  nextRow(): WeightedTokens {
    while (this.buffer.length < this.T) {
      const doc = this.nextDocument();
      if (doc.length === 0) throw new InvalidInputError('DocumentPacker: the document source returned an empty document.');
      for (const id of doc) this.buffer.push(id);
    }
    const ids = Int32Array.from(this.buffer.slice(0, this.T));
    this.buffer = this.buffer.slice(this.T);
    const weights = new Float32Array(this.T).fill(1);
    weights[0] = 0;
    return { ids, weights };
  }

  nextBatch(B: number, padId: number): SftExample {
    return toSftExample(Array.from({ length: B }, () => this.nextRow()), this.T, padId);
  }
}
