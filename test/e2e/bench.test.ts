// The bench page in headless Chromium on the production build: the quick benchmark runs inside the
// engine worker on SwiftShader, with onnxruntime-web imported on demand from dist/ (nothing from a
// CDN), and the tables show finite positive figures for our kernels and the probe; onnxruntime-web's
// figures are either numbers or marked unavailable with the reason. Console errors fail the test.
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, watchPage } from './browser.ts';

const baseUrl = inject('baseUrl');
const browsers: Browser[] = [];
afterAll(async () => {
  await Promise.all(browsers.map((b) => b.close()));
});

const positive = (text: string): boolean => Number.isFinite(Number(text)) && Number(text) > 0;

describe('bench page with WebGPU (SwiftShader)', () => {
  it('runs the quick benchmark in the worker and shows our figures, the probe and ORT\'s status', async () => {
    const browser = await launchChromium({ webgpu: true });
    browsers.push(browser);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = watchPage(page);
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(baseUrl);
    await page.getByTestId('bench-link').click();
    const panel = page.getByTestId('bench-panel');
    await panel.waitFor();
    await page.locator('[data-testid="gpu-panel"][data-state="ready"]').waitFor({ state: 'attached', timeout: 60_000 });
    // Nothing of onnxruntime-web is fetched before the visitor asks for the benchmark.
    expect(requests.filter((u) => /ort/.test(new URL(u).pathname))).toEqual([]);

    await page.getByTestId('bench-quick').check();
    await page.getByTestId('bench-ort').check();
    await page.getByTestId('run-bench').click();
    await page.locator('[data-testid="bench-panel"][data-state="done"]').waitFor({ timeout: 170_000 });

    expect(positive(await page.getByTestId('probe-fma').innerText())).toBe(true);
    expect(positive(await page.getByTestId('probe-muladd').innerText())).toBe(true);
    const header = await page.locator('[data-testid="bench-matmul"] thead th').allInnerTexts();
    const rows = page.locator('[data-testid="bench-matmul"] tbody tr');
    expect(await rows.count()).toBe(2); // the quick subset: 6×128×384 and 2048×128×384
    for (const row of await rows.all()) {
      const cells = await row.locator('td').allInnerTexts();
      for (const col of ['f32 GF/s', 'int8 GF/s', 'q4 GF/s', 'f32 / probe']) {
        expect(positive(cells[header.indexOf(col)]), `${col} of ${cells[0]}: ${cells[header.indexOf(col)]}`).toBe(true);
      }
    }
    const ort = page.getByTestId('bench-ort-status');
    if ((await ort.getAttribute('data-available')) === 'true') {
      for (const row of await rows.all()) {
        const cells = await row.locator('td').allInnerTexts();
        expect(positive(cells[header.indexOf('ORT webgpu GF/s')])).toBe(true);
        expect(positive(cells[header.indexOf('f32 / ORT')])).toBe(true);
      }
    } else {
      expect(await ort.innerText()).toMatch(/unavailable — \S+/);
    }
    // onnxruntime-web came from this server (dist/assets), never from a CDN.
    const ortRequests = requests.filter((u) => /ort/.test(new URL(u).pathname));
    expect(ortRequests.length).toBeGreaterThan(0);
    for (const u of ortRequests) expect(u.startsWith(new URL(baseUrl).origin)).toBe(true);

    const throughput = await page.locator('[data-testid="bench-throughput"] tbody tr').allInnerTexts();
    const backends = new Set(throughput.map((r) => r.split('\t')[1]));
    expect(backends).toEqual(new Set(['webgpu', 'wasm']));
    for (const r of throughput) expect(positive(r.split('\t')[2]), r).toBe(true);
    // The decoder race: ours and ORT's, wasm and WebGPU, prefill and decode of 1 and 6 rows, each with its ratio;
    // vite preview sends the cross-origin-isolation headers, so both wasm sides run again on every core (ORT in its own worker).
    const json = JSON.parse(await page.getByTestId('bench-json').textContent() ?? '{}');
    const cores = await page.evaluate(() => Math.min(8, navigator.hardwareConcurrency));
    const threaded = cores > 1 ? [`wasm, ${cores} threads`] : [];
    const race = await page.locator('[data-testid="bench-decoder-race"] tbody tr').allInnerTexts();
    expect(race.map((r) => r.split('\t')[0]).sort()).toEqual(
      ['prefill', 'decode rows1', 'decode rows6'].flatMap((k) => ['wasm, 1 thread', 'webgpu', ...threaded].map((w) => `${k} · ${w}`)).sort(),
    );
    for (const r of race) {
      const [what, ours, ort, , , ratio] = r.split('\t'); // ORT int8 and q4 are Node-only columns
      expect(positive(ours), what).toBe(true);
      expect(positive(ort), `${what}: ORT ${ort}`).toBe(true);
      expect(positive(ratio), what).toBe(true);
    }
    expect(Object.keys(json.onnx_decoder.ratio).sort()).toEqual(['wasm', 'webgpu', ...(cores > 1 ? [`wasm-threads${cores}`] : [])].sort());
    expect(json.schema).toBe('psr-lab-bench/1');
    expect(json.runtime).toBe('browser');
    expect(problems).toEqual([]);
  }, 300_000);
});
