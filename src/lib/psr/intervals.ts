// 95 % confidence intervals by the percentile bootstrap, resampling whole groups (problems): a
// ratio Σ numerator / Σ denominator over the groups, recomputed on 1,000 resamples drawn with a
// seeded rng, so an interval is reproducible. Used by `gap` and the loop's result tables.
import { createRng } from '../math/rng.ts';

export interface Interval {
  /** The ratio on all groups (null when its denominator is 0). */
  value: number | null;
  /** 2.5 % and 97.5 % percentiles of the resampled ratios. */
  lo: number | null;
  hi: number | null;
  /** The denominator (e.g. rounds counted) and the number of groups that had any. */
  n: number;
  groups: number;
}

export const BOOTSTRAP_RESAMPLES = 1000;

/** Percentile-bootstrap interval of Σx / Σy over groups [x, y], resampling groups with replacement. */
export function bootstrapMean(groups: readonly (readonly [number, number])[], seed: string | number, resamples = BOOTSTRAP_RESAMPLES): Interval {
  const used = groups.filter(([, y]) => y > 0);
  const n = used.reduce((a, [, y]) => a + y, 0);
  if (used.length === 0) return { value: null, lo: null, hi: null, n: 0, groups: 0 };
  const value = used.reduce((a, [x]) => a + x, 0) / n;
  const rng = createRng(`bootstrap:${seed}`);
  const stats: number[] = [];
  for (let r = 0; r < resamples; r++) {
    let x = 0;
    let y = 0;
    for (let i = 0; i < used.length; i++) {
      const g = used[rng.int(0, used.length - 1)];
      x += g[0];
      y += g[1];
    }
    stats.push(x / y);
  }
  stats.sort((a, b) => a - b);
  const at = (q: number) => stats[Math.min(stats.length - 1, Math.max(0, Math.round(q * (stats.length - 1))))];
  return { value, lo: at(0.025), hi: at(0.975), n, groups: used.length };
}

/** "0.43 [0.31, 0.55] (n 44)" for tables. */
export function formatInterval(i: Interval, digits = 2): string {
  if (i.value === null) return '—';
  return `${i.value.toFixed(digits)} [${i.lo!.toFixed(digits)}, ${i.hi!.toFixed(digits)}] (n ${i.n})`;
}
