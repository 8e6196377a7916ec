// The two training objectives as "loss and gradient" over one packed batch:
//  - SFT: token-weighted cross-entropy on next tokens (weights 0 = prompt, 1 = response, >1 = e.g. a verdict);
//  - step-DPO: sequence log-probs of the chosen and rejected step (rows 0..P-1 chosen, P..2P-1
//    rejected, same prefixes), against reference log-probs computed once with the frozen reference.
// The DPO scalars (2P numbers) are read back and the DPO loss computed on the CPU: it is what the
// caller logs anyway, and it is a handful of floats.
import type { Tensor } from '../backend/backend.ts';
import type { PackedBatch } from '../model/batch.ts';
import { backward, forward, type Workspace } from '../model/transformer.ts';
import { dpoBackward, dpoForward } from './dpo-loss.ts';
import { InvalidInputError, NonFiniteError } from '../errors.ts';

export interface SftExample {
  batch: PackedBatch;
  targets: Int32Array; // (B,T) next token at each scored position
  weights: Float32Array; // (B,T) 0 = not scored
}

export interface SftResult {
  loss: number;
  /** Σ weights: the number of (weighted) scored tokens. */
  weightSum: number;
}

/** Forward (and, if `withGrad`, backward into the params' gradients) of the SFT loss. */
export async function sftStep(ws: Workspace, ex: SftExample, withGrad: boolean): Promise<SftResult> {
  const be = ws.backend;
  const { N } = ws;
  const V = ws.params.config.vocabSize;
  await forward(ws, ex.batch);
  const targets = be.fromInts(ex.targets, 'targets', 'i32');
  const weights = be.fromF32(ex.weights, 'weights');
  const losses = ws.tmp('losses', N);
  const lse = ws.tmp('lse', N);
  await be.crossEntropyForward(losses, lse, ws.logits, targets, weights, N, V);
  let weightSum = 0;
  for (const w of ex.weights) weightSum += w;
  if (weightSum === 0) throw new InvalidInputError('SFT batch scores no token (all weights are 0); include response tokens.');
  const lossRows = await be.read(losses);
  let total = 0;
  for (const x of lossRows) total += x;
  const loss = total / weightSum;
  if (!Number.isFinite(loss)) {
    be.free(targets);
    be.free(weights);
    throw new NonFiniteError(`SFT loss is ${loss}; the step was skipped and the parameters are unchanged. Lower the learning rate.`);
  }
  if (withGrad) {
    const dlogits = ws.tmp('dlogits', N * V);
    await be.zero(dlogits);
    await be.crossEntropyBackward(dlogits, ws.logits, lse, targets, weights, N, V, 1);
    await backward(ws, dlogits);
  }
  be.free(targets);
  be.free(weights);
  return { loss, weightSum };
}

export interface DpoExample {
  /** 2P rows: chosen continuations first (0..P-1), then rejected (P..2P-1), each after its prefix. */
  batch: PackedBatch;
  targets: Int32Array; // (2P,T)
  spanMask: Uint32Array; // (2P,T) 1 where targets[b,t] is a token of the step being scored
  refChosen: Float32Array; // (P) log πref(chosen | prefix)
  refRejected: Float32Array; // (P) log πref(rejected | prefix)
}

export interface DpoStepResult {
  loss: number;
  policyChosen: Float32Array; // (P)
  policyRejected: Float32Array; // (P)
  chosenRewards: Float32Array; // (P) β(πc − rc)
  rejectedRewards: Float32Array; // (P)
  margins: Float32Array; // (P)
  accuracy: number;
}

/** Sequence log-probs of every row's scored span (B): used for DPO and for reference log-probs. */
export async function spanLogprobs(ws: Workspace, batch: PackedBatch, targets: Int32Array, spanMask: Uint32Array): Promise<Float32Array> {
  const { seq } = await spanForward(ws, batch, targets, spanMask);
  const out = await ws.backend.read(seq.seqLogp);
  seq.free();
  return out;
}

async function spanForward(ws: Workspace, batch: PackedBatch, targets: Int32Array, spanMask: Uint32Array) {
  const be = ws.backend;
  const { B, T, N } = ws;
  const V = ws.params.config.vocabSize;
  await forward(ws, batch);
  const targetsT = be.fromInts(targets, 'targets', 'i32');
  const maskT = be.fromInts(spanMask, 'spanMask', 'u32');
  const seqLogp = ws.tmp('seqLogp', B);
  const lse = ws.tmp('lse', N);
  await be.seqLogprobForward(seqLogp, lse, ws.logits, targetsT, maskT, B, T, V);
  return {
    seq: {
      seqLogp,
      lse,
      targetsT,
      maskT,
      free: () => {
        be.free(targetsT);
        be.free(maskT);
      },
    },
  };
}

/**
 * Forward (and, if `withGrad`, backward) of the step-DPO loss with temperature β: the loss of a batch (mean over its pairs)
 * — dpoWeight × DPO + nllWeight × the chosen steps' per-token NLL — and, with `withGrad`, its gradient accumulated into the
 * params' gradients times `gradScale` (m/P when this batch is m of the P pairs of one update).
 */
export async function dpoStep(ws: Workspace, ex: DpoExample, beta: number, withGrad: boolean, gradScale = 1, nllWeight = 0, dpoWeight = 1): Promise<DpoStepResult> {
  const be = ws.backend;
  const { B, T, N } = ws;
  const V = ws.params.config.vocabSize;
  if (B % 2 !== 0 || ex.refChosen.length !== B / 2 || ex.refRejected.length !== B / 2) {
    throw new InvalidInputError(`DPO batch needs 2P rows and P reference log-probs each (rows ${B}, refs ${ex.refChosen.length}/${ex.refRejected.length}).`);
  }
  const P = B / 2;
  const { seq } = await spanForward(ws, ex.batch, ex.targets, ex.spanMask);
  const logp = await be.read(seq.seqLogp);
  const policyChosen = logp.slice(0, P);
  const policyRejected = logp.slice(P);
  const out = dpoForward(policyChosen, policyRejected, ex.refChosen, ex.refRejected, beta);
  // dpoWeight 0 leaves the chosen steps' NLL alone (the SFT control); the DPO metrics are still reported.
  out.loss *= dpoWeight;
  // Span length of each chosen row (rows 0..P−1), for the per-token NLL.
  const chosenLen = new Float32Array(P); // (P)
  if (nllWeight > 0) {
    for (let b = 0; b < P; b++) for (let t = 0; t < T; t++) chosenLen[b] += ex.spanMask[b * T + t];
    let nll = 0;
    for (let b = 0; b < P; b++) nll -= policyChosen[b] / Math.max(1, chosenLen[b]);
    out.loss += (nllWeight * nll) / P;
  }
  if (!Number.isFinite(out.loss)) {
    seq.free();
    throw new NonFiniteError(`DPO loss is ${out.loss}; the step was skipped and the parameters are unchanged. Lower the learning rate or β.`);
  }
  if (withGrad) {
    const dChosen = new Float32Array(P);
    const dRejected = new Float32Array(P);
    if (dpoWeight !== 0) dpoBackward(dChosen, dRejected, policyChosen, policyRejected, ex.refChosen, ex.refRejected, beta);
    if (dpoWeight !== 1) for (let b = 0; b < P; b++) (dChosen[b] *= dpoWeight), (dRejected[b] *= dpoWeight);
    if (nllWeight > 0) for (let b = 0; b < P; b++) dChosen[b] -= nllWeight / (P * Math.max(1, chosenLen[b]));
    const dseq = new Float32Array(B); // (B)
    dseq.set(dChosen, 0);
    dseq.set(dRejected, P);
    if (gradScale !== 1) for (let b = 0; b < B; b++) dseq[b] *= gradScale;
    const dseqT: Tensor = be.fromF32(dseq, 'dseqLogp');
    const dlogits = ws.tmp('dlogits', N * V);
    await be.zero(dlogits);
    await be.seqLogprobBackward(dlogits, dseqT, ws.logits, seq.lse, seq.targetsT, seq.maskT, B, T, V);
    await backward(ws, dlogits);
    be.free(dseqT);
  }
  seq.free();
  return { loss: out.loss, policyChosen, policyRejected, ...pick(out) };
}

function pick(o: ReturnType<typeof dpoForward>) {
  return { chosenRewards: o.chosenRewards, rejectedRewards: o.rejectedRewards, margins: o.margins, accuracy: o.accuracy };
}
