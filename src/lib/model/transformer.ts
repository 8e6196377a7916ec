// The Llama / Qwen2 decoder as a sequence of Backend ops, forward and backward (llm.c style):
// embed → L × [RMSNorm → q,k,v (+bias, +LoRA) → RoPE → causal GQA attention → o → residual →
// RMSNorm → SwiGLU MLP → residual] → RMSNorm → lm_head. Forward keeps what backward needs in a
// Workspace sized for one (B,T); backward accumulates into ModelParams' gradients.
import type { Backend, QTensor, Tensor } from '../backend/backend.ts';
import type { ModelParams, LayerParams } from './params.ts';
import type { PackedBatch } from './batch.ts';
import type { LoraTarget } from './lora-config.ts';
import { InvalidInputError } from '../errors.ts';

/** Per-layer activations kept for backward. Shapes with N = B·T. */
interface LayerActs {
  xIn: Tensor; // (N,C) residual stream entering the layer
  ln1: Tensor; // (N,C)
  rstd1: Tensor; // (N)
  q: Tensor; // (N,NH*HS) before RoPE
  k: Tensor; // (N,NKV*HS) before RoPE
  v: Tensor; // (N,NKV*HS)
  qr: Tensor; // (N,NH*HS) after RoPE
  kr: Tensor; // (N,NKV*HS) after RoPE
  att: Tensor; // (B,NH,T,T) probabilities
  ao: Tensor; // (N,NH*HS) attention output
  o: Tensor; // (N,C)
  xMid: Tensor; // (N,C) after the attention residual
  ln2: Tensor; // (N,C)
  rstd2: Tensor; // (N)
  gate: Tensor; // (N,I)
  up: Tensor; // (N,I)
  act: Tensor; // (N,I) silu(gate)·up
  down: Tensor; // (N,C)
  /** LoRA hidden h = x·Aᵀ per target: (N,R). */
  loraH: Partial<Record<LoraTarget, Tensor>>;
}

/** Device memory for one batch shape: activations plus backward scratch, reused across steps. */
export class Workspace {
  readonly N: number;
  readonly layers: LayerActs[] = [];
  tokens: Tensor;
  positions: Tensor;
  keyValid: Tensor;
  xOut: Tensor; // (N,C) residual stream after the last layer
  lnf: Tensor; // (N,C)
  rstdf: Tensor; // (N)
  logits: Tensor; // (N,V)
  private readonly scratch = new Map<string, Tensor>();

  constructor(
    readonly backend: Backend,
    readonly params: ModelParams,
    readonly B: number,
    readonly T: number,
  ) {
    const c = params.config;
    const N = (this.N = B * T);
    const C = c.hiddenSize;
    const QD = c.numHeads * c.headDim;
    const KD = c.numKvHeads * c.headDim;
    const I = c.intermediateSize;
    const z = (n: number, label: string) => backend.zeros(n, label);
    this.tokens = backend.fromInts(new Int32Array(N), 'tokens', 'i32');
    this.positions = backend.fromInts(new Int32Array(N), 'positions', 'i32');
    this.keyValid = backend.fromInts(new Uint32Array(N), 'keyValid', 'u32');
    let xIn = z(N * C, 'x0');
    for (let l = 0; l < c.numLayers; l++) {
      const p = `l${l}.`;
      const acts: LayerActs = {
        xIn,
        ln1: z(N * C, p + 'ln1'),
        rstd1: z(N, p + 'rstd1'),
        q: z(N * QD, p + 'q'),
        k: z(N * KD, p + 'k'),
        v: z(N * KD, p + 'v'),
        qr: z(N * QD, p + 'qr'),
        kr: z(N * KD, p + 'kr'),
        att: z(B * c.numHeads * T * T, p + 'att'),
        ao: z(N * QD, p + 'ao'),
        o: z(N * C, p + 'o'),
        xMid: z(N * C, p + 'xMid'),
        ln2: z(N * C, p + 'ln2'),
        rstd2: z(N, p + 'rstd2'),
        gate: z(N * I, p + 'gate'),
        up: z(N * I, p + 'up'),
        act: z(N * I, p + 'act'),
        down: z(N * C, p + 'down'),
        loraH: {},
      };
      const lora = params.layers[l].lora;
      for (const t of Object.keys(lora) as LoraTarget[]) acts.loraH[t] = z(N * params.lora!.r, `${p}loraH.${t}`);
      this.layers.push(acts);
      xIn = z(N * C, `x${l + 1}`);
    }
    this.xOut = xIn;
    this.lnf = z(N * C, 'lnf');
    this.rstdf = z(N, 'rstdf');
    this.logits = z(N * c.vocabSize, 'logits');
  }

  /** A scratch tensor of exactly `length` values, shared by every use with the same key. */
  tmp(key: string, length: number): Tensor {
    const k = `${key}:${length}`;
    let t = this.scratch.get(k);
    if (!t) {
      t = this.backend.zeros(length, `scratch:${k}`);
      this.scratch.set(k, t);
    }
    return t;
  }

  free(): void {
    const all = new Set<Tensor>([this.tokens, this.positions, this.keyValid, this.xOut, this.lnf, this.rstdf, this.logits]);
    for (const a of this.layers) {
      for (const [k, v] of Object.entries(a)) if (k !== 'loraH') all.add(v as Tensor);
      for (const h of Object.values(a.loraH)) all.add(h);
    }
    for (const t of this.scratch.values()) all.add(t);
    for (const t of all) this.backend.free(t);
    this.scratch.clear();
  }
}

/** Forward pass: fills ws (activations) and ws.logits (N,V). */
export async function forward(ws: Workspace, batch: PackedBatch): Promise<void> {
  const { backend: be, params } = ws;
  const c = params.config;
  if (batch.B !== ws.B || batch.T !== ws.T) {
    throw new InvalidInputError(`forward: batch is ${batch.B}×${batch.T} but the workspace was made for ${ws.B}×${ws.T}; make a Workspace per shape.`);
  }
  if (batch.T > c.maxPositionEmbeddings) {
    throw new InvalidInputError(`forward: T = ${batch.T} exceeds max_position_embeddings = ${c.maxPositionEmbeddings}; shorten the input.`);
  }
  const { B, T, N } = ws;
  const C = c.hiddenSize;
  const NH = c.numHeads;
  const NKV = c.numKvHeads;
  const HS = c.headDim;
  const I = c.intermediateSize;
  writeInts(be, ws, batch);
  await be.embeddingForward(ws.layers.length ? ws.layers[0].xIn : ws.xOut, ws.tokens, params.embed, N, C, c.vocabSize);
  for (let l = 0; l < c.numLayers; l++) {
    const a = ws.layers[l];
    const w = params.layers[l];
    const xOut = l + 1 < c.numLayers ? ws.layers[l + 1].xIn : ws.xOut;
    await be.rmsnormForward(a.ln1, a.rstd1, a.xIn, w.inputNorm, N, C, c.rmsNormEps);
    await linear(ws, a.loraH['q_proj'], w, 'q_proj', a.q, a.ln1, w.qProj, w.qBias, C, NH * HS);
    await linear(ws, a.loraH['k_proj'], w, 'k_proj', a.k, a.ln1, w.kProj, w.kBias, C, NKV * HS);
    await linear(ws, a.loraH['v_proj'], w, 'v_proj', a.v, a.ln1, w.vProj, w.vBias, C, NKV * HS);
    await be.ropeForward(a.qr, a.q, ws.positions, N, NH, HS, c.ropeTheta);
    await be.ropeForward(a.kr, a.k, ws.positions, N, NKV, HS, c.ropeTheta);
    await be.attentionForward(a.ao, a.att, a.qr, a.kr, a.v, ws.keyValid, B, T, NH, NKV, HS);
    await linear(ws, a.loraH['o_proj'], w, 'o_proj', a.o, a.ao, w.oProj, w.oBias, NH * HS, C);
    await be.residualForward(a.xMid, a.xIn, a.o, N * C);
    await be.rmsnormForward(a.ln2, a.rstd2, a.xMid, w.postAttnNorm, N, C, c.rmsNormEps);
    await linear(ws, a.loraH['gate_proj'], w, 'gate_proj', a.gate, a.ln2, w.gateProj, null, C, I);
    await linear(ws, a.loraH['up_proj'], w, 'up_proj', a.up, a.ln2, w.upProj, null, C, I);
    await be.swigluForward(a.act, a.gate, a.up, N, I);
    await linear(ws, a.loraH['down_proj'], w, 'down_proj', a.down, a.act, w.downProj, null, I, C);
    await be.residualForward(xOut, a.xMid, a.down, N * C);
  }
  await be.rmsnormForward(ws.lnf, ws.rstdf, ws.xOut, params.norm, N, C, c.rmsNormEps);
  await project(be, ws.logits, ws.lnf, params.head, null, N, C, c.vocabSize);
}

function writeInts(be: Backend, ws: Workspace, batch: PackedBatch): void {
  // Integer inputs change every batch: replace the small tensors rather than reinterpret f32 writes.
  be.free(ws.tokens);
  be.free(ws.positions);
  be.free(ws.keyValid);
  ws.tokens = be.fromInts(batch.tokens, 'tokens', 'i32');
  ws.positions = be.fromInts(batch.positions, 'positions', 'i32');
  ws.keyValid = be.fromInts(batch.keyValid, 'keyValid', 'u32');
}

function isQuantized(W: Tensor): W is QTensor {
  return 'format' in W;
}

/** out(N,OC) = x·Wᵀ + b for an f32 or a quantized (frozen) weight. */
export async function project(be: Backend, out: Tensor, x: Tensor, W: Tensor, bias: Tensor | null, N: number, C: number, OC: number): Promise<void> {
  if (isQuantized(W)) await be.matmulQuantForward(out, x, W, bias, N, C, OC);
  else await be.matmulForward(out, x, W, bias, N, C, OC);
}

/** Backward of `project`: dx += dout·W; dW, db only for f32 weights (a quantized base is frozen). */
async function projectBackward(
  be: Backend, dx: Tensor | null, dW: Tensor | null, db: Tensor | null, dout: Tensor, x: Tensor, W: Tensor, N: number, C: number, OC: number,
): Promise<void> {
  if (isQuantized(W)) {
    if (dx) await be.matmulQuantBackwardInput(dx, dout, W, N, C, OC);
  } else await be.matmulBackward(dx, dW, db, dout, x, W, N, C, OC);
}

/** What `linear` needs besides its operands: the backend, the params (LoRA scale), rows, scratch. */
export interface LinearScratch {
  backend: Backend;
  params: ModelParams;
  N: number;
  tmp(key: string, length: number): Tensor;
}

/** out(N,OC) = x·Wᵀ + b, plus scale·(x·Aᵀ)·Bᵀ when the target has a LoRA pair (h (N,R) keeps x·Aᵀ). */
export async function linear(
  sc: LinearScratch, h: Tensor | undefined, w: LayerParams, target: LoraTarget,
  out: Tensor, x: Tensor, W: Tensor, bias: Tensor | null, Cin: number, OC: number,
): Promise<void> {
  const be = sc.backend;
  const N = sc.N;
  await project(be, out, x, W, bias, N, Cin, OC);
  const pair = w.lora[target];
  if (pair) {
    const R = sc.params.lora!.r;
    const hid = h ?? sc.tmp('loraH', N * R);
    const delta = sc.tmp('loraDelta', N * OC);
    await be.matmulForward(hid, x, pair.a, null, N, Cin, R);
    await be.matmulForward(delta, hid, pair.b, null, N, R, OC);
    await be.axpy(out, delta, sc.params.loraScale, N * OC);
  }
}

/** Backward of `linear`: dx += dout·W (+ LoRA path); dW, db, dA, dB accumulate where trainable. */
async function linearBackward(
  ws: Workspace, a: LayerActs, w: LayerParams, target: LoraTarget,
  dx: Tensor, dout: Tensor, x: Tensor, W: Tensor, dW: Tensor | null, db: Tensor | null, Cin: number, OC: number,
): Promise<void> {
  const be = ws.backend;
  const N = ws.N;
  await projectBackward(be, dx, dW, db, dout, x, W, N, Cin, OC);
  const pair = w.lora[target];
  if (pair) {
    const R = ws.params.lora!.r;
    const h = a.loraH[target]!;
    const dscaled = ws.tmp('loraDout', N * OC);
    const dh = ws.tmp('loraDh', N * R);
    await be.zero(dscaled);
    await be.axpy(dscaled, dout, ws.params.loraScale, N * OC);
    await be.zero(dh);
    await be.matmulBackward(dh, pair.dB, null, dscaled, h, pair.b, N, R, OC);
    await be.matmulBackward(dx, pair.dA, null, dh, x, pair.a, N, Cin, R);
  }
}

/**
 * Backward pass from dlogits (N,V) (already holding dLoss/dlogits): accumulates every trainable
 * gradient. Needs the activations of the forward pass on the same batch in `ws`.
 */
export async function backward(ws: Workspace, dlogits: Tensor): Promise<void> {
  const { backend: be, params } = ws;
  const c = params.config;
  const { B, T, N } = ws;
  const C = c.hiddenSize;
  const NH = c.numHeads;
  const NKV = c.numKvHeads;
  const HS = c.headDim;
  const I = c.intermediateSize;
  const QD = NH * HS;
  const KD = NKV * HS;
  // dres: the gradient of the residual stream, carried down through the layers.
  const dres = ws.tmp('dres', N * C);
  const dln = ws.tmp('dln', N * C);
  await be.zero(dres);
  await be.zero(dln);
  await projectBackward(be, dln, params.dHead, null, dlogits, ws.lnf, params.head, N, C, c.vocabSize);
  await be.rmsnormBackward(dres, params.dNorm, dln, ws.xOut, params.norm, ws.rstdf, N, C);
  for (let l = c.numLayers - 1; l >= 0; l--) {
    const a = ws.layers[l];
    const w = params.layers[l];
    const g = params.grads[l];
    // MLP: xOut = xMid + down(swiglu(gate(ln2), up(ln2)))
    const dact = ws.tmp('dact', N * I);
    const dgate = ws.tmp('dgate', N * I);
    const dup = ws.tmp('dup', N * I);
    await be.zero(dact);
    await linearBackward(ws, a, w, 'down_proj', dact, dres, a.act, w.downProj, g.downProj, null, I, C);
    await be.zero(dgate);
    await be.zero(dup);
    await be.swigluBackward(dgate, dup, dact, a.gate, a.up, N, I);
    await be.zero(dln);
    await linearBackward(ws, a, w, 'gate_proj', dln, dgate, a.ln2, w.gateProj, g.gateProj, null, C, I);
    await linearBackward(ws, a, w, 'up_proj', dln, dup, a.ln2, w.upProj, g.upProj, null, C, I);
    await be.rmsnormBackward(dres, g.postAttnNorm, dln, a.xMid, w.postAttnNorm, a.rstd2, N, C);
    // Attention: xMid = xIn + o(attn(rope(q(ln1)), rope(k(ln1)), v(ln1)))
    const dao = ws.tmp('dao', N * QD);
    await be.zero(dao);
    await linearBackward(ws, a, w, 'o_proj', dao, dres, a.ao, w.oProj, g.oProj, g.oBias, QD, C);
    const dqr = ws.tmp('dqr', N * QD);
    const dkr = ws.tmp('dkr', N * KD);
    const dv = ws.tmp('dv', N * KD);
    await be.zero(dqr);
    await be.zero(dkr);
    await be.zero(dv);
    await be.attentionBackward(dqr, dkr, dv, dao, a.qr, a.kr, a.v, a.att, B, T, NH, NKV, HS);
    const dq = ws.tmp('dq', N * QD);
    const dk = ws.tmp('dk', N * KD);
    await be.zero(dq);
    await be.zero(dk);
    await be.ropeBackward(dq, dqr, ws.positions, N, NH, HS, c.ropeTheta);
    await be.ropeBackward(dk, dkr, ws.positions, N, NKV, HS, c.ropeTheta);
    await be.zero(dln);
    await linearBackward(ws, a, w, 'q_proj', dln, dq, a.ln1, w.qProj, g.qProj, g.qBias, C, QD);
    await linearBackward(ws, a, w, 'k_proj', dln, dk, a.ln1, w.kProj, g.kProj, g.kBias, C, KD);
    await linearBackward(ws, a, w, 'v_proj', dln, dv, a.ln1, w.vProj, g.vProj, g.vBias, C, KD);
    await be.rmsnormBackward(dres, g.inputNorm, dln, a.xIn, w.inputNorm, a.rstd1, N, C);
  }
  if (params.dEmbed) await be.embeddingBackward(params.dEmbed, dres, ws.tokens, N, C, c.vocabSize);
}
