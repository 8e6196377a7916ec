// Wall-clock timing of CPU work for the benchmarks: warm up once, then run until `minMs` have
// passed (at least 3 runs) and keep the best run — the least disturbed by a shared machine.

export interface BestOf {
  bestMs: number;
  runs: number;
}

export async function bestOf(fn: () => unknown, minMs: number): Promise<BestOf> {
  await fn();
  let best = Infinity;
  let runs = 0;
  const start = performance.now();
  while (runs < 3 || performance.now() - start < minMs) {
    const t = performance.now();
    await fn();
    best = Math.min(best, performance.now() - t);
    runs++;
  }
  return { bestMs: best, runs };
}
