// The embedded tiny model's architecture: a Llama-family decoder sized for the math world on a
// CPU budget. Why these numbers:
// - hidden 128, 4 layers, 4 heads of 32 with 2 KV heads (grouped-query, as real small models),
//   SwiGLU 384 (3×), tied embeddings: ≈ 0.81 M parameters — the probe that shaped the world
//   learned 1–4-step problems at 0.8 M parameters; here one step is produced at a time, so depth
//   4 is enough for "find the two operands, compute, name the result";
// - vocabulary = the world's word-level vocabulary (about 200 tokens);
// - 512 positions: the longest judge prompt with working is ~330 tokens, IFT ~280 (6 steps).
// Training speed on the 2-core dev machine (WasmBackend, B×T = 8×256): ≈ 2,200 tokens/s.
import { defineConfig, type ModelConfig } from './config.ts';

/** The size knobs of a base model; the tiny model's values are the defaults. */
export type ModelShape = Pick<ModelConfig, 'hiddenSize' | 'intermediateSize' | 'numLayers' | 'numHeads' | 'numKvHeads'>;

export const TINY_SHAPE: Readonly<ModelShape> = Object.freeze({ hiddenSize: 128, intermediateSize: 384, numLayers: 4, numHeads: 4, numKvHeads: 2 });

export function tinyModelConfig(vocabSize: number, ids: { bos: number; eos: number; pad: number }, shape: Partial<ModelShape> = {}): ModelConfig {
  return defineConfig({
    modelType: 'llama',
    ...TINY_SHAPE,
    ...shape,
    vocabSize,
    maxPositionEmbeddings: 512,
    rmsNormEps: 1e-5,
    ropeTheta: 10000,
    tieWordEmbeddings: true,
    bosTokenId: ids.bos,
    eosTokenId: ids.eos,
    padTokenId: ids.pad,
  });
}
