// Loading a real model, on WebLLM's own list and the scripted engine: the picker's catalog comes from
// prebuiltAppConfig (the math model first, with VRAM and a labelled size estimate), the default follows
// shader-f16, progress reports become MB / cache / ETA, a second load reads from the cache, and each
// failure a real load meets becomes its named error.
import { describe, expect, it } from 'vitest';
import { prebuiltAppConfig, type InitProgressReport } from '@mlc-ai/web-llm';
import { defaultRealModel, formatEstimate, realModelCatalog } from '../../../src/lib/webllm/catalog.ts';
import { memoryCache, ScriptedEngine, type ScriptedFailure } from '../../../src/lib/webllm/scripted-engine.ts';
import { formatEta, readProgress } from '../../../src/lib/webllm/progress.ts';
import {
  classifyEngineError,
  RealModelDeviceLostError,
  RealModelDownloadError,
  RealModelEngineError,
  RealModelMemoryError,
  RealModelShaderF16Error,
  RealModelStorageFullError,
} from '../../../src/lib/webllm/engine-errors.ts';

describe("the catalog from WebLLM's list", () => {
  const catalog = realModelCatalog(prebuiltAppConfig);
  it('offers the math model first, then the small instruction models, each from a real record', () => {
    expect(catalog[0].label).toBe('Qwen2.5-Math-1.5B-Instruct');
    expect(new Set(catalog.map((m) => m.label))).toEqual(new Set(['Qwen2.5-Math-1.5B-Instruct', 'Qwen2.5-0.5B-Instruct', 'SmolLM2-360M-Instruct', 'SmolLM2-135M-Instruct']));
    for (const m of catalog) {
      const record = prebuiltAppConfig.model_list.find((r) => r.model_id === m.id)!;
      expect(record).toBeDefined();
      expect(m.vramMB).toBe(record.vram_required_MB ?? null);
      expect(m.url).toBe(record.model);
    }
    const q4 = catalog.find((m) => m.id === 'Qwen2.5-Math-1.5B-Instruct-q4f32_1-MLC')!;
    expect(q4.needsShaderF16).toBe(false);
    expect(q4.downloadBytesEstimate).toBeGreaterThan(0.8e9);
    expect(q4.downloadBytesEstimate).toBeLessThan(1.2e9);
    expect(formatEstimate(q4.downloadBytesEstimate)).toBe('≈ 963 MB');
    expect(formatEstimate(2.5e9)).toBe('≈ 2.50 GB');
  });
  it('defaults to q4f16_1 with shader-f16 and q4f32_1 without', () => {
    expect(defaultRealModel(catalog, true)?.id).toBe('Qwen2.5-Math-1.5B-Instruct-q4f16_1-MLC');
    expect(defaultRealModel(catalog, false)?.id).toBe('Qwen2.5-Math-1.5B-Instruct-q4f32_1-MLC');
    expect(defaultRealModel([], false)).toBeNull();
  });
});

describe('loading through the scripted engine', () => {
  const model = 'SmolLM2-360M-Instruct-q4f32_1-MLC';
  it('reports download progress, then loads from the cache the second time', async () => {
    const cache = memoryCache();
    const reports: InitProgressReport[] = [];
    const engine = new ScriptedEngine({ cache, files: 5 });
    engine.setInitProgressCallback((r) => reports.push(r));
    await engine.reload(model);
    const first = reports.map(readProgress);
    expect(first.at(-1)!.done).toBe(true);
    expect(first[0]).toMatchObject({ fromCache: false, done: false });
    expect(first[0].megabytes).toBeGreaterThan(0);
    expect(first.slice(0, -1).map((p) => p.fraction)).toEqual([...first.slice(0, -1).map((p) => p.fraction)].sort((a, b) => a - b));
    reports.length = 0;
    await new ScriptedEngine({ cache, files: 5 }).reload(model).then(() => undefined);
    const again = new ScriptedEngine({ cache, files: 5 });
    again.setInitProgressCallback((r) => reports.push(r));
    await again.reload(model);
    expect(readProgress(reports[0]).fromCache).toBe(true);
  });
  it('estimates the time left from the rate so far', () => {
    const p = readProgress({ progress: 0.25, timeElapsed: 30, text: 'Fetching param cache[3/12]: 210MB fetched. 25% completed, 30 secs elapsed.' });
    expect(p).toMatchObject({ megabytes: 210, etaSeconds: 90, fromCache: false });
    expect(formatEta(p)).toBe('about 1 min 30 s left');
    expect(readProgress({ progress: 0.01, timeElapsed: 1, text: '' }).etaSeconds).toBeNull();
  });
  it.each<[ScriptedFailure, new (...a: never[]) => Error]>([
    ['quota', RealModelStorageFullError],
    ['network', RealModelDownloadError],
    ['shader-f16', RealModelShaderF16Error],
    ['memory', RealModelMemoryError],
    ['device-lost', RealModelDeviceLostError],
  ])('a %s failure becomes its named error, with the remedy', async (kind, cls) => {
    const engine = new ScriptedEngine({ cache: memoryCache() });
    engine.failNextLoad(kind);
    const err = await engine.reload(model).then(
      () => null,
      (e: unknown) => classifyEngineError(e, model),
    );
    expect(err).toBeInstanceOf(cls);
    expect(err!.message).toContain(model);
    expect(err!.message).toMatch(/; [a-z]/); // what to do follows the semicolon
    // The engine is not left half-loaded: a request now fails as "not loaded".
    await expect(engine.completions.create({ prompt: 'x', stream: false })).rejects.toThrow(/not loaded/);
  });
  it('names anything else an engine error, keeping the cause', () => {
    const cause = new Error('weird');
    const e = classifyEngineError(cause, 'm');
    expect(e).toBeInstanceOf(RealModelEngineError);
    expect(e.cause).toBe(cause);
  });
});
