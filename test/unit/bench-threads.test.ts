// The threads benchmark's wiring (not its speed: figures are never pass/fail): a quick run on 2
// threads fills every field with a finite positive figure, keyed as the README says, and the
// text report prints its table.
import { describe, expect, it } from 'vitest';
import { benchThreads } from '../../src/cli/bench/threads-bench.ts';
import { threadsTable } from '../../src/lib/bench/tables.ts';
import type { BenchReport } from '../../src/lib/bench/report.ts';

describe('bench-cpu --threads', () => {
  it('reports 1- and N-thread figures for every product, training and decode', async () => {
    const r = await benchThreads({ threads: 2, quick: true, ort: false, minMs: 1 });
    expect(r.threads).toBe(2);
    const keys = Object.keys(r.speedup);
    expect(keys).toEqual(['forward.512x128x384', 'dinp.512x128x384', 'dweight.512x128x384']);
    for (const k of keys) for (const v of [r.gflops_1[k], r.gflops_n[k], r.speedup[k], r.efficiency[k]]) expect(v).toBeGreaterThan(0);
    for (const mode of ['full', 'lora'] as const) expect(r.train[mode].tokens_per_s_n).toBeGreaterThan(0);
    expect(Object.keys(r.decode)).toEqual(['rows6', 'rows32']);
    const table = threadsTable({ wasm: { threads: r } } as unknown as BenchReport);
    expect(table?.rows.length).toBe(3 + 2 + 2);
  }, 120_000);
});
