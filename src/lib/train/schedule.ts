// The learning-rate schedule shared by every training loop (pretraining, cold start, step-DPO):
// linear warmup, then cosine decay to a floor. Plain arithmetic on the step number.
import { InvalidInputError } from '../errors.ts';

export interface LrScheduleConfig {
  maxLr: number;
  minLr: number;
  warmupSteps: number;
  totalSteps: number;
}

/**
 * step is 0-based. Warmup: maxLr·(step+1)/warmupSteps for step < warmupSteps; then cosine
 * from maxLr to minLr over the remaining steps; minLr from totalSteps on.
 */
export function lrSchedule(step: number, cfg: LrScheduleConfig): number {
  const { maxLr, minLr, warmupSteps, totalSteps } = cfg;
  if (!(warmupSteps >= 0 && totalSteps >= warmupSteps)) {
    throw new InvalidInputError(
      `lrSchedule: warmupSteps = ${warmupSteps}, totalSteps = ${totalSteps}; need 0 ≤ warmupSteps ≤ totalSteps.`,
    );
  }
  if (step < warmupSteps) return (maxLr * (step + 1)) / warmupSteps;
  if (step >= totalSteps) return minLr;
  const ratio = (step - warmupSteps) / (totalSteps - warmupSteps);
  const coeff = 0.5 * (1 + Math.cos(Math.PI * ratio));
  return minLr + coeff * (maxLr - minLr);
}
