// Tolerance comparison shared by the CPU reference tests and the GPU parity tests.
// An element passes when |actual − expected| ≤ atol + rtol·|expected| (NaN never passes);
// a failure throws with the first ≤ 8 mismatches and the max abs / rel difference.

export interface CloseOptions {
  atol: number;
  rtol: number;
  /** Names the compared quantity in the failure message, e.g. "matmul dweight". */
  label: string;
}

export interface CloseReport {
  maxAbs: number;
  /** Max of |a − e| / |e| over elements with e ≠ 0. */
  maxRel: number;
  mismatches: number;
}

/** Measure how far apart two arrays are without throwing. */
export function compareClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  { atol, rtol }: Pick<CloseOptions, 'atol' | 'rtol'>,
  onMismatch?: (index: number, a: number, e: number, diff: number) => void,
): CloseReport {
  let maxAbs = 0;
  let maxRel = 0;
  let mismatches = 0;
  let sawNaN = false;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const diff = Math.abs(a - e);
    const ok = diff <= atol + rtol * Math.abs(e); // false for NaN
    if (Number.isNaN(diff)) sawNaN = true;
    else if (diff > maxAbs) maxAbs = diff;
    if (e !== 0 && diff / Math.abs(e) > maxRel) maxRel = diff / Math.abs(e);
    if (!ok) {
      mismatches++;
      onMismatch?.(i, a, e, diff);
    }
  }
  return { maxAbs: sawNaN ? NaN : maxAbs, maxRel: sawNaN ? NaN : maxRel, mismatches };
}

/** Throw unless `actual` and `expected` have the same length and agree element-wise. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, opts: CloseOptions): void {
  const { atol, rtol, label } = opts;
  if (actual.length !== expected.length) {
    throw new Error(`${label}: length ${actual.length} but expected length ${expected.length}`);
  }
  const lines: string[] = [];
  const report = compareClose(actual, expected, { atol, rtol }, (i, a, e, diff) => {
    if (lines.length < 8) lines.push(`  [${i}] actual ${a} expected ${e} diff ${diff.toExponential(3)}`);
  });
  if (report.mismatches > 0) {
    throw new Error(
      `${label}: ${report.mismatches} of ${expected.length} elements differ beyond atol ${atol} + rtol ${rtol}·|expected|\n` +
        `${lines.join('\n')}\n` +
        `  max abs diff ${report.maxAbs.toExponential(3)}, max rel diff ${report.maxRel.toExponential(3)}`,
    );
  }
}

/** max |a − b| / max |b|: the largest difference relative to the largest reference value (logit comparisons). */
export function maxRelativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / den;
}
