// The report → table mapping shared by `npm run bench` (text) and the bench page: every figure lands
// under its column for its shape, missing figures are null / "-", throughput rows carry their unit.
import { describe, expect, it } from 'vitest';
import { matmulTable, reportText, tableText, throughputTable } from '../../../src/lib/bench/tables.ts';
import type { BenchReport } from '../../../src/lib/bench/report.ts';

function report(): BenchReport {
  const fig = (g: Record<string, number>) => ({ gflops: g, fraction_of_probe: {} as Record<string, number> });
  return {
    schema: 'psr-lab-bench/1', mode: 'quick', runtime: 'node-dawn', started_at: '2026-01-01T00:00:00.000Z',
    machine: { cpu: 'Test CPU', cores: 2, platform: 'linux x64', runtime_version: 'node v20' },
    adapter: { vendor: 'google', architecture: 'swiftshader', device: '', description: 'SwiftShader', software: true, gpu_timing: 'timestamp-query' },
    probe: { fma_gflops: 4, mul_add_gflops: 4, runs: [], note: 'n' },
    matmul: {
      shapes: {
        '6x128x384': { N: 6, C: 128, OC: 384, layer: 'gate/up (C→I)', flop: 589824 },
        '2048x128x384': { N: 2048, C: 128, OC: 384, layer: 'gate/up (C→I)', flop: 201326592 },
      },
      f32: {
        webgpu: { ...fig({ '6x128x384': 1, '2048x128x384': 2 }), fraction_of_probe: { '6x128x384': 0.25, '2048x128x384': 0.5 }, ratio_vs_ort: { '6x128x384': 10 } },
        ort_webgpu: { gflops: { '6x128x384': 0.1 } },
        cpu: { gflops: { '2048x128x384': 20 }, ratio_vs_ort_wasm: { '2048x128x384': 1.25 }, note: '' },
        ort_wasm: { gflops: { '2048x128x384': 16 } },
      },
      int8: { webgpu: fig({ '6x128x384': 0.5 }) },
      q4: { webgpu: fig({}) },
    },
    ort: { webgpu: { available: false, error: 'Error: no adapter' } },
    decode: { webgpu: { tokens_per_s: 100, ms: 240, tokens: 24, rows: 6, prefix: 32 } },
    prefill: { wasm: { tokens_per_s: 4000, ms: 16, tokens: 64 } },
    train: { lora: { webgpu: { tokens_per_s: 50, ms: 1280, tokens: 64, batch: '2x32', rank: 16 } }, full: {} },
    memory: {},
    elapsed_s: 1,
  };
}

describe('bench tables', () => {
  it('puts each figure under its column and shape, null where missing', () => {
    const t = matmulTable(report());
    const col = (name: string) => t.columns.indexOf(name);
    const [decode, train] = t.rows;
    expect(decode[0]).toBe('6x128x384');
    expect(decode[col('f32 GF/s')]).toBe(1);
    expect(decode[col('f32 / probe')]).toBe(0.25);
    expect(decode[col('ORT webgpu GF/s')]).toBe(0.1);
    expect(decode[col('f32 / ORT')]).toBe(10);
    expect(decode[col('int8 GF/s')]).toBe(0.5);
    expect(decode[col('q4 GF/s')]).toBeNull();
    expect(decode[col('cpu wasm GF/s')]).toBeNull();
    expect(train[col('cpu wasm GF/s')]).toBe(20);
    expect(train[col('cpu / ORT wasm')]).toBe(1.25);
    expect(train[col('tiled (before) GF/s')]).toBeNull();
  });

  it('lists throughput per task and backend with its unit of work', () => {
    const t = throughputTable(report());
    expect(t.rows).toEqual([
      ['prefill', 'wasm', 4000, 16, 'one prompt of 64 tokens'],
      ['decode', 'webgpu', 100, 240, '6 candidates after a 32-token prefix, 24 tokens'],
      ['train LoRA', 'webgpu', 50, 1280, 'batch 2x32, rank 16, forward + backward + AdamW'],
    ]);
  });

  it('prints aligned text with "-" for missing figures and says why ORT is unavailable', () => {
    const text = reportText(report());
    expect(text).toContain('machine: Test CPU, 2 cores');
    expect(text).toContain('onnxruntime-web webgpu: unavailable: Error: no adapter');
    const lines = tableText(matmulTable(report())).trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^6x128x384\s+gate\/up \(C→I\)\s+1\s+0\.5\s+-\s+0\.25/);
  });
});
