// The model (base weights, with a LoRA adapter merged in by the caller) as an ONNX decoder in the
// layout the ONNX Runtime / transformers.js ecosystem uses for decoder-only models:
//   inputs  input_ids (batch, sequence) int64, attention_mask (batch, total_sequence) int64,
//           position_ids (batch, sequence) int64,
//           past_key_values.N.key / .value (batch, NKV, past_sequence, HS) f32
//   outputs logits (batch, sequence, V) f32, present.N.key / .value (batch, NKV, total_sequence, HS) f32
// total_sequence = past_sequence + sequence; the new keys and values are appended to the past ones.
// Standard opset-17 operators only (RMSNorm, RoPE, grouped-query attention and SwiGLU written out),
// so any ONNX runtime runs it. The same maths as src/lib/model/transformer.ts: HF Llama / Qwen2 —
// RMSNorm x·w/√(mean x² + ε), rotate-half RoPE from position_ids, causal attention by cache slot plus
// the padding mask, SwiGLU, tied or separate output head.
import type { ModelConfig } from '../model/config.ts';
import type { ModelWeights } from '../model/weights.ts';
import { q4Groups, Q4_GROUP, quantize, type QuantizedMatrix } from '../formats/quant.ts';
import { GraphBuilder } from './graph-builder.ts';
import { ONNX_BOOL, ONNX_FLOAT, ONNX_INT64 } from './schema.ts';
import { OnnxExportError } from '../errors.ts';

export const ONNX_OPSET = 17;
/** The score a masked key gets before the softmax (finite: a row with no valid key stays NaN-free). */
const MASKED_SCORE = -1e30;

/** (cols, rows) copy of a row-major (rows, cols) matrix: our (OC, C) weights as MatMul's (C, OC). */
function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(rows * cols); // (cols, rows)
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
  return t;
}

/** cos and sin of pos·θ^(−2i/HS) for every position and i < HS/2, in f64 then rounded (as the reference). */
function ropeTables(config: ModelConfig): { cos: Float32Array; sin: Float32Array } {
  const half = config.headDim / 2;
  const P = config.maxPositionEmbeddings;
  const cos = new Float32Array(P * half); // (P, HS/2)
  const sin = new Float32Array(P * half); // (P, HS/2)
  for (let p = 0; p < P; p++) {
    for (let i = 0; i < half; i++) {
      const angle = p * Math.pow(config.ropeTheta, (-2 * i) / config.headDim);
      cos[p * half + i] = Math.cos(angle);
      sin[p * half + i] = Math.sin(angle);
    }
  }
  return { cos, sin };
}

import { isOnnxQuant, type OnnxQuant } from './quant-labels.ts';
import { pastName, presentName } from './decoder-layout.ts';

export type { OnnxQuant };

export interface OnnxExportOptions {
  /** Written into the model's doc_string and metadata (e.g. which M_t and adapter). */
  description: string;
  metadata?: Record<string, string>;
  /**
   * 'int8': every linear of the layers (and an untied head) as int8 with one scale per output channel
   * (the project's int8 format, src/lib/formats/quant.ts) behind a DequantizeLinear; embeddings, norms
   * and biases stay f32. Exact for a base stored int8; a merged adapter is rounded to int8 too.
   * 'q4': the same linears as ONNX Runtime's MatMulNBits (com.microsoft; 4 bits, blocks of 32 along the
   * input, one f32 scale per block, the default zero point 8) — the project's q4 format byte for byte
   * (src/lib/formats/quant.ts), so exact for a base stored q4. Runs on ONNX Runtime, not on other runtimes.
   */
  quant?: OnnxQuant;
}

/** (cols, rows) copy of a row-major (rows, cols) int8 matrix. */
function transposeI8(a: Int8Array, rows: number, cols: number): Int8Array {
  const t = new Int8Array(rows * cols); // (cols, rows)
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
  return t;
}

/** Throw OnnxExportError for what the decoder graph cannot express, before anything is built. */
function checkExportable(config: ModelConfig, weights: ModelWeights, opts: OnnxExportOptions): void {
  const no = (why: string) => {
    throw new OnnxExportError(`cannot export this model to ONNX: ${why}`);
  };
  if (opts.quant !== undefined && !isOnnxQuant(opts.quant)) no(`unknown quantization ${JSON.stringify(opts.quant)}; use none, int8 or q4.`);
  if (config.headDim % 2 !== 0) no(`its head size ${config.headDim} is odd, and rotate-half RoPE needs an even one; retrain with an even head size.`);
  if (config.numKvHeads < 1 || config.numHeads % config.numKvHeads !== 0) no(`${config.numHeads} query heads cannot share ${config.numKvHeads} key/value heads evenly; fix the config's num_key_value_heads.`);
  if (weights.layers.length !== config.numLayers) no(`the weights have ${weights.layers.length} layers and the config ${config.numLayers}; load the weights that belong to this config.`);
  if (weights.embedTokens.length !== config.vocabSize * config.hiddenSize) no(`the embedding holds ${weights.embedTokens.length} values, not vocab × hidden = ${config.vocabSize * config.hiddenSize}; load the weights that belong to this config.`);
}

/** ModelProto bytes of the decoder (f32 weights as initializers). */
export function exportDecoderOnnx(config: ModelConfig, weights: ModelWeights, opts: OnnxExportOptions): Uint8Array {
  const { hiddenSize: C, intermediateSize: I, numHeads: NH, numKvHeads: NKV, headDim: HS, vocabSize: V, numLayers: L } = config;
  checkExportable(config, weights, opts);
  const g = new GraphBuilder();
  const group = NH / NKV;

  const inputIds = g.input('input_ids', ONNX_INT64, ['batch', 'sequence']);
  const attentionMask = g.input('attention_mask', ONNX_INT64, ['batch', 'total_sequence']);
  const positionIds = g.input('position_ids', ONNX_INT64, ['batch', 'sequence']);
  const past = Array.from({ length: L }, (_, l) => ({
    key: g.input(pastName(l, 'key'), ONNX_FLOAT, ['batch', NKV, 'past_sequence', HS]),
    value: g.input(pastName(l, 'value'), ONNX_FLOAT, ['batch', NKV, 'past_sequence', HS]),
  }));
  g.output('logits', ONNX_FLOAT, ['batch', 'sequence', V]);
  for (let l = 0; l < L; l++) {
    g.output(presentName(l, 'key'), ONNX_FLOAT, ['batch', NKV, 'total_sequence', HS]);
    g.output(presentName(l, 'value'), ONNX_FLOAT, ['batch', NKV, 'total_sequence', HS]);
  }

  // ---- helpers ----
  const eps = g.scalar('rms_norm_eps', config.rmsNormEps);
  const rmsNorm = (x: string, w: Float32Array, name: string): string => {
    const ms = g.op('ReduceMean', [g.op('Mul', [x, x])], { axes: [-1], keepdims: 1 });
    const inv = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [ms, eps])])]);
    return g.op('Mul', [g.op('Mul', [x, inv]), g.f32(name, w, [C])], {}, 'rmsnorm');
  };
  /** Wᵀ (inF, outF) for MatMul: an f32 initializer, or int8 + per-output-channel scales behind a DequantizeLinear. */
  const weightT = (w: Float32Array, inF: number, outF: number, name: string): string => {
    if (opts.quant !== 'int8') return g.f32(`${name}.weight_t`, transpose(w, outF, inF), [inF, outF]);
    const q = quantize(w, outF, inF, 'int8') as Extract<QuantizedMatrix, { format: 'int8' }>;
    const data = g.i8(`${name}.weight_t_int8`, transposeI8(q.data, outF, inF), [inF, outF]);
    return g.op('DequantizeLinear', [data, g.f32(`${name}.weight_scale`, q.scales, [outF])], { axis: 1 }, 'dequantize');
  };
  /** x(…, inF)·Wᵀ for q4: MatMulNBits reads our packed (OC, G·16) nibbles and (OC·G) scales as they are. */
  const matMulNBits = (x: string, w: Float32Array, inF: number, outF: number, name: string): string => {
    const q = quantize(w, outF, inF, 'q4') as Extract<QuantizedMatrix, { format: 'q4' }>;
    const G = q4Groups(inF);
    const B = g.u8(`${name}.qweight`, q.data, [outF, G, Q4_GROUP / 2]); // (N, n_blocks, blob_size)
    return g.msOp('MatMulNBits', [x, B, g.f32(`${name}.scales`, q.scales, [outF * G])], { K: inF, N: outF, bits: 4, block_size: Q4_GROUP }, 'linear');
  };
  /** x(…, inFeatures)·Wᵀ + b for our (OC, C_in) weight. */
  const linear = (x: string, w: Float32Array, b: Float32Array | null, inF: number, outF: number, name: string): string => {
    const y = opts.quant === 'q4' ? matMulNBits(x, w, inF, outF, name) : g.op('MatMul', [x, weightT(w, inF, outF, name)], {}, 'linear');
    return b === null ? y : g.op('Add', [y, g.f32(`${name}.bias`, b, [outF])]);
  };
  /** (B,T,heads·HS) → (B,heads,T,HS) */
  const heads = (x: string, n: number): string => g.op('Transpose', [g.op('Reshape', [x, g.i64([0, 0, n, HS])])], { perm: [0, 2, 1, 3] });

  // ---- positions: RoPE tables at position_ids, the attention mask by cache slot ----
  const tables = ropeTables(config);
  const cosT = g.f32('rope.cos', tables.cos, [config.maxPositionEmbeddings, HS / 2]);
  const sinT = g.f32('rope.sin', tables.sin, [config.maxPositionEmbeddings, HS / 2]);
  const cos = g.op('Unsqueeze', [g.op('Gather', [cosT, positionIds], { axis: 0 }), g.i64([1])]); // (B,1,T,HS/2)
  const sin = g.op('Unsqueeze', [g.op('Gather', [sinT, positionIds], { axis: 0 }), g.i64([1])]); // (B,1,T,HS/2)
  const rope = (x: string): string => {
    const x1 = g.op('Slice', [x, g.i64([0]), g.i64([HS / 2]), g.i64([3])]);
    const x2 = g.op('Slice', [x, g.i64([HS / 2]), g.i64([HS]), g.i64([3])]);
    const y1 = g.op('Sub', [g.op('Mul', [x1, cos]), g.op('Mul', [x2, sin])]);
    const y2 = g.op('Add', [g.op('Mul', [x2, cos]), g.op('Mul', [x1, sin])]);
    return g.op('Concat', [y1, y2], { axis: 3 }, 'rope');
  };
  const zero = g.i64Scalar(0);
  const one = g.i64Scalar(1);
  const total = g.op('Squeeze', [g.op('Slice', [g.op('Shape', [attentionMask]), g.i64([1]), g.i64([2])]), g.i64([0])]); // S
  const newLen = g.op('Squeeze', [g.op('Slice', [g.op('Shape', [inputIds]), g.i64([1]), g.i64([2])]), g.i64([0])]); // T
  const keySlot = g.op('Range', [zero, total, one]); // (S)
  const querySlot = g.op('Range', [g.op('Sub', [total, newLen]), total, one]); // (T): past_sequence + t
  const causal = g.op('LessOrEqual', [g.op('Unsqueeze', [keySlot, g.i64([0])]), g.op('Unsqueeze', [querySlot, g.i64([1])])]); // (T,S)
  const padding = g.op('Unsqueeze', [g.op('Cast', [attentionMask], { to: ONNX_BOOL }), g.i64([1, 2])]); // (B,1,1,S)
  const allowed = g.op('And', [causal, padding], {}, 'attention_allowed'); // (B,1,T,S)
  const masked = g.scalar('masked_score', MASKED_SCORE);
  const scale = g.scalar('attention_scale', 1 / Math.sqrt(HS));

  // ---- the layers ----
  let x = g.op('Gather', [g.f32('model.embed_tokens.weight', weights.embedTokens, [V, C]), inputIds], { axis: 0 }, 'embed'); // (B,T,C)
  for (let l = 0; l < L; l++) {
    const w = weights.layers[l];
    const p = `model.layers.${l}`;
    const h = rmsNorm(x, w.inputNorm, `${p}.input_layernorm.weight`);
    const q = rope(heads(linear(h, w.qProj, w.qBias, C, NH * HS, `${p}.self_attn.q_proj`), NH)); // (B,NH,T,HS)
    const k = rope(heads(linear(h, w.kProj, w.kBias, C, NKV * HS, `${p}.self_attn.k_proj`), NKV)); // (B,NKV,T,HS)
    const v = heads(linear(h, w.vProj, w.vBias, C, NKV * HS, `${p}.self_attn.v_proj`), NKV);
    const kAll = g.opTo(presentName(l, 'key'), 'Concat', [past[l].key, k], { axis: 2 }); // (B,NKV,S,HS)
    const vAll = g.opTo(presentName(l, 'value'), 'Concat', [past[l].value, v], { axis: 2 });
    // grouped-query heads: query head h reads kv head ⌊h / group⌋
    const repeat = (t: string): string =>
      group === 1 ? t : g.op('Reshape', [g.op('Expand', [g.op('Unsqueeze', [t, g.i64([2])]), g.i64([1, 1, group, 1, 1])]), g.i64([0, NH, -1, HS])]);
    const scores = g.op('Mul', [g.op('MatMul', [q, g.op('Transpose', [repeat(kAll)], { perm: [0, 1, 3, 2] })]), scale]); // (B,NH,T,S)
    const probs = g.op('Softmax', [g.op('Where', [allowed, scores, masked])], { axis: -1 });
    const att = g.op('Reshape', [g.op('Transpose', [g.op('MatMul', [probs, repeat(vAll)])], { perm: [0, 2, 1, 3] }), g.i64([0, 0, NH * HS])]); // (B,T,NH·HS)
    x = g.op('Add', [x, linear(att, w.oProj, w.oBias, NH * HS, C, `${p}.self_attn.o_proj`)], {}, 'residual');
    const h2 = rmsNorm(x, w.postAttnNorm, `${p}.post_attention_layernorm.weight`);
    const gate = linear(h2, w.gateProj, null, C, I, `${p}.mlp.gate_proj`);
    const up = linear(h2, w.upProj, null, C, I, `${p}.mlp.up_proj`);
    const act = g.op('Mul', [g.op('Mul', [gate, g.op('Sigmoid', [gate])]), up], {}, 'swiglu');
    x = g.op('Add', [x, linear(act, w.downProj, null, I, C, `${p}.mlp.down_proj`)], {}, 'residual');
  }
  // the output head: the embedding (tied, f32 like every embedding) or its own linear
  const final = rmsNorm(x, weights.norm, 'model.norm.weight');
  if (weights.lmHead && opts.quant === 'q4') g.opTo('logits', 'Identity', [matMulNBits(final, weights.lmHead, C, V, 'lm_head')]);
  else {
    const headT = weights.lmHead ? weightT(weights.lmHead, C, V, 'lm_head') : g.f32('lm_head.weight_t', transpose(weights.embedTokens, V, C), [C, V]);
    g.opTo('logits', 'MatMul', [final, headT]);
  }
  return g.encode({ graphName: 'psr_lab_decoder', opset: ONNX_OPSET, producer: 'psr-lab', doc: opts.description, metadata: opts.metadata });
}
