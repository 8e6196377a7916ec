// A paired gain over the same problems, pooled over seeds: for each problem, the mean over the seeds of
// (solved after − solved before), and a percentile-bootstrap interval that resamples problems (the
// intervals the README's loop tables quote). Inputs are per-problem correctness vectors in the order of
// one evaluation set, e.g. a run's start and final evaluation, or two `eval --json` reports.
import { InvalidInputError } from '../errors.ts';
import { bootstrapMean, type Interval } from './intervals.ts';

export interface PairedGain {
  /** Mean (after − before) over problems and seeds; lo / hi: the 95 % interval; n: problems. */
  gain: Interval;
  seeds: number;
  before: number[];
  after: number[];
}

/** `before[i]` and `after[i]` are seed i's correctness vectors (1 / 0 or booleans) over the same problems. */
export function pairedGain(before: readonly (readonly (boolean | number)[])[], after: readonly (readonly (boolean | number)[])[], seed = 1): PairedGain {
  if (before.length === 0 || before.length !== after.length) {
    throw new InvalidInputError(`pairedGain needs as many "before" as "after" evaluations (got ${before.length} and ${after.length}); pass one of each per seed.`);
  }
  const n = before[0].length;
  for (const v of [...before, ...after]) {
    if (v.length !== n) throw new InvalidInputError(`the evaluations cover ${n} and ${v.length} problems; compare evaluations of the same problems.`);
  }
  const S = before.length;
  const groups = Array.from({ length: n }, (_, i): [number, number] => {
    let d = 0;
    for (let s = 0; s < S; s++) d += Number(after[s][i]) - Number(before[s][i]);
    return [d / S, 1];
  });
  const acc = (v: readonly (boolean | number)[]) => v.reduce<number>((a, x) => a + Number(x), 0) / n;
  return { gain: bootstrapMean(groups, `paired:${seed}`, 4000), seeds: S, before: before.map(acc), after: after.map(acc) };
}
