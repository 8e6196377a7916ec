// Step-DPO loss on the GPU (dpo.wgsl) from P pairs of sequence log-probs: per-pair losses,
// rewards, margins and a (2) summary [mean loss, accuracy]; backward into the policy log-probs.
// CPU twin: src/lib/ref/dpo.ts (which returns these as a DpoResult object).
// Functions are async only for the cached pipeline lookup; they record dispatches, never flush.
import code from './dpo.wgsl?raw';
import type { GpuContext } from '../gpu/context.ts';
import { checkBuffer, checkDims, grid1d } from './common.ts';
import { InvalidInputError } from '../errors.ts';

const WG = 64;

/** The per-pair outputs of dpoForward, each (P), and summary (2) = [mean loss, accuracy]. */
export interface DpoOutputs {
  losses: GPUBuffer; // (P) softplus(−z)
  chosenRewards: GPUBuffer; // (P) beta·(pc − rc)
  rejectedRewards: GPUBuffer; // (P) beta·(pr − rr)
  margins: GPUBuffer; // (P) chosenRewards − rejectedRewards (= z)
  summary: GPUBuffer; // (2) [mean loss, mean(margin > 0)]
}

function checkDpo(op: string, P: number, beta: number, inputs: Record<string, GPUBuffer>): void {
  checkDims(op, { P });
  if (!Number.isFinite(beta)) throw new InvalidInputError(`${op}: beta = ${beta} must be finite (typical: 0.1–0.5).`);
  for (const name in inputs) checkBuffer(op, name, inputs[name], P, '(P)');
}

export async function dpoForward(
  ctx: GpuContext,
  out: DpoOutputs,
  policyChosen: GPUBuffer, // (P)
  policyRejected: GPUBuffer, // (P)
  refChosen: GPUBuffer, // (P)
  refRejected: GPUBuffer, // (P)
  P: number,
  beta: number,
): Promise<void> {
  const op = 'dpoForward';
  const { losses, chosenRewards, rejectedRewards, margins, summary } = out;
  checkDpo(op, P, beta, { policyChosen, policyRejected, refChosen, refRejected, losses, chosenRewards, rejectedRewards, margins });
  checkBuffer(op, 'summary', summary, 2, '(2)');
  const pairs = await ctx.pipelines.get('dpo', code, 'dpo_forward');
  const reduce = await ctx.pipelines.get('dpo', code, 'dpo_summary');
  const params = ctx.uniforms('dpo', [P, { f32: beta }, { f32: 0 }]);
  ctx.dispatch(pairs, [policyChosen, policyRejected, refChosen, refRejected, params, losses, chosenRewards, rejectedRewards, margins],
    grid1d(op, P, WG));
  ctx.dispatch(reduce, [summary, losses, margins, params], [1]);
}

/** dpc(P) += −dloss·beta·σ(−z)/P, dpr(P) += +dloss·beta·σ(−z)/P; the reference gets no gradient. */
export async function dpoBackward(
  ctx: GpuContext,
  dPolicyChosen: GPUBuffer, // (P) accumulated
  dPolicyRejected: GPUBuffer, // (P) accumulated
  policyChosen: GPUBuffer, // (P)
  policyRejected: GPUBuffer, // (P)
  refChosen: GPUBuffer, // (P)
  refRejected: GPUBuffer, // (P)
  P: number,
  beta: number,
  dloss = 1,
): Promise<void> {
  const op = 'dpoBackward';
  checkDpo(op, P, beta, { dPolicyChosen, dPolicyRejected, policyChosen, policyRejected, refChosen, refRejected });
  if (!Number.isFinite(dloss)) throw new InvalidInputError(`${op}: dloss = ${dloss} must be finite (1 for a plain loss).`);
  const pipeline = await ctx.pipelines.get('dpo', code, 'dpo_backward');
  const params = ctx.uniforms('dpo', [P, { f32: beta }, { f32: dloss }]);
  ctx.dispatch(pipeline, [policyChosen, policyRejected, refChosen, refRejected, params, dPolicyChosen, dPolicyRejected],
    grid1d(op, P, WG));
}
