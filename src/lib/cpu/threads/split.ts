// How an op is cut into per-thread bands: contiguous ranges of rows (or columns) whose starts are
// multiples of `align` (4: whole register tiles / dot4 groups, so every element is computed by
// the same code path in the same order as on one thread — the results are bit-identical), and no
// more bands than the work pays for: waking a thread costs tens of microseconds, so a band must
// carry at least `minWorkPerBand` multiply-adds (MIN_WORK_PER_BAND unless a test lowers it to
// make small shapes split).
export const MIN_WORK_PER_BAND = 1 << 22;

/** What bandCount needs to know of the kernels. */
export interface Threading {
  readonly threadCount: number;
  minWorkPerBand: number;
}

export interface Band {
  start: number;
  end: number;
}

/** How many bands `work` multiply-adds over `total` rows may use on these kernels' threads. */
export function bandCount(k: Threading, work: number, total: number, align = 1): number {
  if (k.threadCount <= 1) return 1;
  const byWork = Math.floor(work / Math.max(1, k.minWorkPerBand));
  const byRows = Math.ceil(total / align);
  return Math.max(1, Math.min(k.threadCount, byWork, byRows));
}

/** Cut [0, total) into `parts` bands of nearly equal size, each starting at a multiple of `align`. */
export function bands(total: number, parts: number, align = 1): Band[] {
  const units = Math.ceil(total / align);
  const n = Math.max(1, Math.min(parts, units));
  const out: Band[] = [];
  let start = 0;
  for (let i = 0; i < n; i++) {
    const endUnit = Math.round(((i + 1) * units) / n);
    const end = Math.min(total, endUnit * align);
    if (end > start) out.push({ start, end });
    start = end;
  }
  return out;
}
