// Score one token sequence: the logits of every position from one forward pass on any Backend,
// and the per-token log-probabilities log P(token_t | tokens_<t) from them (log-softmax in f64).
import type { Backend } from '../backend/backend.ts';
import type { ModelConfig } from './config.ts';
import type { LoraAdapter } from './lora.ts';
import type { ModelWeights } from './weights.ts';
import { ModelParams } from './params.ts';
import { Workspace, forward } from './transformer.ts';
import { packBatch } from './batch.ts';
import { InvalidInputError, TextTooLongError } from '../errors.ts';

/** Logits (T,V) of `ids` (length T) under base weights (+ adapter) on `backend`; frees what it allocates. */
export async function sequenceLogits(
  backend: Backend, config: ModelConfig, weights: ModelWeights, adapter: LoraAdapter | null, ids: readonly number[],
): Promise<Float32Array> {
  const T = ids.length;
  if (T === 0) throw new InvalidInputError('sequenceLogits: no tokens given; pass at least one token id.');
  if (T > config.maxPositionEmbeddings) {
    throw new TextTooLongError(
      `the text has ${T} tokens but the model's context is max_position_embeddings = ${config.maxPositionEmbeddings}; shorten the text.`,
    );
  }
  const bad = ids.findIndex((id) => !Number.isInteger(id) || id < 0 || id >= config.vocabSize);
  if (bad >= 0) {
    throw new InvalidInputError(
      `token ${bad} has id ${ids[bad]}, outside the model's vocabulary [0, ${config.vocabSize - 1}]; the tokenizer does not belong to this model.`,
    );
  }
  const params = ModelParams.create(backend, config, weights, adapter, 'none');
  const ws = new Workspace(backend, params, 1, T);
  try {
    await forward(ws, packBatch([ids], 0, T));
    return await backend.read(ws.logits); // (T,V)
  } finally {
    ws.free();
    params.free();
  }
}

/** Row-wise log-sum-exp of logits (T,V), in f64. Returns (T). */
export function logSumExpRows(logits: Float32Array, V: number): Float64Array {
  const T = logits.length / V;
  const out = new Float64Array(T); // (T)
  for (let t = 0; t < T; t++) {
    let max = -Infinity;
    for (let v = 0; v < V; v++) max = Math.max(max, logits[t * V + v]);
    let sum = 0;
    for (let v = 0; v < V; v++) sum += Math.exp(logits[t * V + v] - max);
    out[t] = max + Math.log(sum);
  }
  return out;
}

/** log P(ids[t] | ids[<t]) from logits (T,V): entry 0 is null (nothing predicts the first token). */
export function tokenLogprobs(logits: Float32Array, ids: readonly number[], V: number): (number | null)[] {
  const lse = logSumExpRows(logits, V);
  return ids.map((id, t) => (t === 0 ? null : logits[(t - 1) * V + id] - lse[t - 1]));
}
