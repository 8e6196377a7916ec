// Running an exported decoder (export-decoder.ts) on onnxruntime-web: one session, calls with the
// past/present key-value tensors of the decoder-only layout, greedy decoding through that KV cache,
// and per-token log-probabilities of a whole text in one pass. The ORT module is passed in (the page
// imports it only when asked; Node imports it directly), so this file loads nothing by itself.
import type * as OrtModule from 'onnxruntime-web';
import type { ModelConfig } from '../model/config.ts';
import { logSoftmax } from '../model/sampling.ts';
import { OnnxCheckError, OnnxModelError } from '../errors.ts';
import { decoderInputNames, decoderOutputNames, pastName, presentName } from './decoder-layout.ts';

export type Ort = typeof OrtModule;
type Tensor = OrtModule.Tensor;
type Feeds = Record<string, Tensor>;
/** The present.N.key/value outputs of one call, fed back as past_key_values of the next. */
export type OrtCache = Feeds;

const i64 = (xs: readonly number[]) => BigInt64Array.from(xs, (x) => BigInt(x));

/** onnxruntime-web's execution providers the check can use: its WebAssembly CPU kernels, or its WebGPU ones. */
export type OrtEp = 'wasm' | 'webgpu';

/** The greedy continuation ORT produced: its tokens and log P(token) of each (temperature 1). */
export interface OrtGreedy {
  tokens: number[];
  logprobs: number[];
}

const firstLine = (e: unknown) => String((e as Error)?.message ?? e).split('\n')[0].slice(0, 300);

/** The inputs and outputs of the decoder layout (export-decoder.ts) for `config`; throws OnnxModelError naming what is missing. */
function checkLayout(session: OrtModule.InferenceSession, config: ModelConfig): void {
  const inputs = decoderInputNames(config.numLayers);
  const outputs = decoderOutputNames(config.numLayers);
  const missing = [...inputs.filter((n) => !session.inputNames.includes(n)), ...outputs.filter((n) => !session.outputNames.includes(n))];
  const extra = session.inputNames.filter((n) => !inputs.includes(n));
  if (missing.length > 0 || extra.length > 0) {
    throw new OnnxModelError(
      `the ONNX model is not a decoder of this model's layout (${config.numLayers} layers): ` +
        `${missing.length > 0 ? `missing ${missing.slice(0, 4).join(', ')}${missing.length > 4 ? ` and ${missing.length - 4} more` : ''}` : ''}` +
        `${missing.length > 0 && extra.length > 0 ? '; ' : ''}${extra.length > 0 ? `unexpected inputs ${extra.slice(0, 4).join(', ')}` : ''}` +
        '; export it again from this model (npm run psr -- export-onnx).',
    );
  }
}

export class OrtDecoder {
  private constructor(
    private readonly ort: Ort,
    private readonly session: OrtModule.InferenceSession,
    private readonly config: ModelConfig,
  ) {}

  /**
   * A session on the ONNX bytes with the given execution provider (for wasm the caller sets one thread: the page's
   * engine owns the others; for webgpu the caller points ORT at a device first).
   */
  static async create(ort: Ort, bytes: Uint8Array, config: ModelConfig, ep: OrtEp = 'wasm'): Promise<OrtDecoder> {
    let session: OrtModule.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, { executionProviders: [ep], logSeverityLevel: 3 });
    } catch (e) {
      // A truncated or corrupt file, an operator ORT does not know, inconsistent shapes: ORT refuses the model.
      throw new OnnxModelError(
        `onnxruntime-web refused the ONNX model (${firstLine(e)}); export it again (npm run psr -- export-onnx, or the page's download) and check it opens in Netron.`,
        { cause: e },
      );
    }
    checkLayout(session, config);
    return new OrtDecoder(ort, session, config);
  }

  /**
   * One call: B rows of T new tokens each (rows (B,T)) after a cache of `pastLen` positions (null: empty).
   * Returns logits (B,T,V) and the cache to pass to the next call.
   */
  async run(rows: readonly (readonly number[])[], pastLen: number, past: OrtCache | null): Promise<{ logits: Float32Array; cache: OrtCache }> {
    const { ort, config } = this;
    const B = rows.length;
    const T = rows[0].length;
    const feeds: Feeds = {
      input_ids: new ort.Tensor('int64', i64(rows.flat()), [B, T]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(B * (pastLen + T)).fill(1n), [B, pastLen + T]),
      position_ids: new ort.Tensor('int64', i64(rows.flatMap((r) => r.map((_, t) => pastLen + t))), [B, T]),
    };
    for (let l = 0; l < config.numLayers; l++) {
      for (const kv of ['key', 'value'] as const) {
        feeds[pastName(l, kv)] = past?.[presentName(l, kv)] ?? new ort.Tensor('float32', new Float32Array(0), [B, config.numKvHeads, 0, config.headDim]);
      }
    }
    let out: Feeds;
    try {
      out = (await this.session.run(feeds)) as Feeds;
    } catch (e) {
      throw new OnnxModelError(`onnxruntime-web could not run the model on ${B} row(s) of ${T} token(s) after ${pastLen} (${firstLine(e)}); the file's shapes do not fit this model's config — export it again from this model.`, { cause: e });
    }
    const logits = out.logits.data as Float32Array;
    if (logits.length !== B * T * config.vocabSize) {
      throw new OnnxModelError(`the model's logits hold ${logits.length} values, ${B}×${T}×${config.vocabSize} were expected; the file was exported from a model with another vocabulary — export it again from this model.`);
    }
    return { logits, cache: out };
  }

  private call(ids: readonly number[], pastLen: number, past: OrtCache | null): Promise<{ logits: Float32Array; cache: OrtCache }> {
    return this.run([ids], pastLen, past);
  }

  /** log P(ids[t] | ids[<t]) for t ≥ 1 from ONE pass over the whole text (no cache). */
  async textLogprobs(ids: readonly number[]): Promise<number[]> {
    const V = this.config.vocabSize;
    const { logits } = await this.call(ids, 0, null); // (T,V)
    const out: number[] = [];
    for (let t = 1; t < ids.length; t++) out.push(logSoftmax(logits.subarray((t - 1) * V, t * V))[ids[t]]);
    return out;
  }

  /** Greedy decoding after `prompt` through the KV cache until a stop token or `maxNewTokens`. */
  async greedy(prompt: readonly number[], maxNewTokens: number, stopTokens: readonly number[]): Promise<OrtGreedy> {
    const V = this.config.vocabSize;
    const room = this.config.maxPositionEmbeddings - prompt.length;
    let { logits, cache } = await this.call(prompt, 0, null);
    let row = logits.subarray((prompt.length - 1) * V, prompt.length * V);
    const tokens: number[] = [];
    const logprobs: number[] = [];
    while (tokens.length < Math.min(maxNewTokens, room)) {
      const lp = logSoftmax(row);
      let best = 0;
      for (let v = 1; v < V; v++) if (row[v] > row[best]) best = v; // first maximum, as our sampler takes
      tokens.push(best);
      logprobs.push(lp[best]);
      if (stopTokens.includes(best) || tokens.length >= Math.min(maxNewTokens, room)) break;
      ({ logits, cache } = await this.call([best], prompt.length + tokens.length - 1, cache));
      row = logits.subarray(0, V);
    }
    return { tokens, logprobs };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
