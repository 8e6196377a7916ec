// The threads benchmark's wiring (not its speed: figures are never pass/fail): a quick run on 2
// threads fills every field with a finite positive figure, keyed as the README says, and the
// text report prints its table.
import { describe, expect, it } from 'vitest';
import { benchThreads } from '../../src/cli/bench/threads-bench.ts';
import { reportText, threadsTable } from '../../src/lib/bench/tables.ts';
import { benchOnnxDecoder } from '../../src/cli/bench/onnx-decoder-bench.ts';
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

describe('bench-cpu --onnx-decoder', () => {
  it('races prefill and decode (1 and 6 rows) against the ONNX export (f32, int8, q4) on onnxruntime-web, 1 and 2 threads', async () => {
    const r = await benchOnnxDecoder({ threads: 2, quick: true });
    expect(r.ort_error).toBeUndefined();
    for (const t of ['threads1', 'threads2']) {
      for (const k of ['prefill', 'decode_rows1', 'decode_rows6']) {
        expect(r.ours[t][k], `ours ${t} ${k}`).toBeGreaterThan(0);
        expect(r.ort[t][k], `ORT ${t} ${k}`).toBeGreaterThan(0);
        expect(r.ort_int8[t][k], `ORT int8 ${t} ${k}`).toBeGreaterThan(0);
        expect(r.ort_q4![t][k], `ORT q4 ${t} ${k}`).toBeGreaterThan(0);
        expect(r.ort_faster_quant![t][k]).toBe(r.ort_q4![t][k] > r.ort_int8[t][k] ? 'q4' : 'int8');
        expect(r.ratio[t][k]).toBeCloseTo(r.ours[t][k] / r.ort[t][k], 1);
      }
    }
    const text = reportText({ onnx_decoder: r, matmul: { shapes: {}, f32: { webgpu: { gflops: {}, fraction_of_probe: {} } }, int8: { webgpu: { gflops: {}, fraction_of_probe: {} } }, q4: { webgpu: { gflops: {}, fraction_of_probe: {} } } }, prefill: {}, decode: {}, train: { lora: {}, full: {} }, machine: { cpu: '', cores: 2, platform: '', runtime_version: '' }, adapter: { vendor: '', architecture: '', device: '', description: '', software: true, gpu_timing: 'wall-clock' }, probe: { fma_gflops: 1, mul_add_gflops: 1, runs: [], note: '' }, ort: { webgpu: { available: false } } } as unknown as BenchReport);
    expect(text).toMatch(/decoder race/);
  }, 180_000);
});
