// Step-DPO loss on P preference pairs (plain TypeScript: it is a handful of numbers per step), from sequence log-probs of the chosen
// and rejected step under the policy and the frozen reference:
//   z = beta·((pc − rc) − (pr − rr)),  loss_p = −log σ(z) = softplus(−z),  loss = mean_p.
// With ref == policy, z = 0 and the loss is log 2.
import { ShapeError } from '../errors.ts';
import { checkLen } from '../ref/shape.ts';

export interface DpoLoss {
  loss: number; // mean over pairs
  losses: Float32Array; // (P) softplus(−z)
  chosenRewards: Float32Array; // (P) beta·(pc − rc)
  rejectedRewards: Float32Array; // (P) beta·(pr − rr)
  margins: Float32Array; // (P) chosenRewards − rejectedRewards (= z)
  accuracy: number; // mean(margin > 0)
}

/** softplus(x) = log(1 + e^x), stable for large |x|. */
function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** σ(x), stable for large |x|. */
function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

function checkPairs(op: string, arrays: Record<string, Float32Array>): number {
  const P = arrays.policyChosen.length;
  if (P === 0) throw new ShapeError(`${op}: no pairs (policyChosen has length 0); pass at least one preference pair.`);
  for (const name in arrays) checkLen(op, name, arrays[name], P, '(P)');
  return P;
}

function margin(pc: number, pr: number, rc: number, rr: number, beta: number): number {
  return beta * (pc - rc) - beta * (pr - rr);
}

export function dpoForward(
  policyChosen: Float32Array, // (P)
  policyRejected: Float32Array, // (P)
  refChosen: Float32Array, // (P)
  refRejected: Float32Array, // (P)
  beta: number,
): DpoLoss {
  const P = checkPairs('dpoForward', { policyChosen, policyRejected, refChosen, refRejected });
  const losses = new Float32Array(P); // (P)
  const chosenRewards = new Float32Array(P); // (P)
  const rejectedRewards = new Float32Array(P); // (P)
  const margins = new Float32Array(P); // (P)
  let total = 0;
  let correct = 0;
  for (let p = 0; p < P; p++) {
    const cr = beta * (policyChosen[p] - refChosen[p]);
    const rr = beta * (policyRejected[p] - refRejected[p]);
    const z = cr - rr;
    const l = softplus(-z);
    losses[p] = l;
    chosenRewards[p] = cr;
    rejectedRewards[p] = rr;
    margins[p] = z;
    total += l;
    if (z > 0) correct++;
  }
  return { loss: total / P, losses, chosenRewards, rejectedRewards, margins, accuracy: correct / P };
}

/** dpc += −dloss·beta·σ(−z)/P, dpr += +dloss·beta·σ(−z)/P. The reference gets no gradient. */
export function dpoBackward(
  dPolicyChosen: Float32Array, // (P) accumulated
  dPolicyRejected: Float32Array, // (P) accumulated
  policyChosen: Float32Array, // (P)
  policyRejected: Float32Array, // (P)
  refChosen: Float32Array, // (P)
  refRejected: Float32Array, // (P)
  beta: number,
  dloss = 1,
): void {
  const P = checkPairs('dpoBackward', {
    policyChosen, policyRejected, refChosen, refRejected, dPolicyChosen, dPolicyRejected,
  });
  for (let p = 0; p < P; p++) {
    const z = margin(policyChosen[p], policyRejected[p], refChosen[p], refRejected[p], beta);
    const g = (dloss * beta * sigmoid(-z)) / P;
    dPolicyChosen[p] -= g;
    dPolicyRejected[p] += g;
  }
}
