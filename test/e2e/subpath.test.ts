// dist/ hosted under a sub-path (as on a static host like GitHub Pages) still loads, starts
// its worker and runs the self-test; and onnxruntime-web, loaded on request by "Check with ONNX
// Runtime", comes from that sub-path too and agrees with our engine.
import { afterAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Server } from 'node:http';
import { launchChromium, watchPage } from './browser.ts';
import { serveDistAt } from './static-server.ts';

let browser: Browser | undefined;
let server: Server | undefined;
afterAll(async () => {
  await browser?.close();
  server?.close();
});

it('works when dist/ is served from /labs/psr/', { timeout: 240_000 }, async () => {
  const hosted = await serveDistAt('/labs/psr/');
  server = hosted.server;
  browser = await launchChromium({ webgpu: true });
  const page = await browser.newPage();
  const problems = watchPage(page);
  const failed: string[] = [];
  const requests: string[] = [];
  page.on('request', (r) => void requests.push(r.url()));
  page.on('response', (r) => {
    if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
  });
  await page.goto(hosted.url);
  await page.locator('[data-testid="gpu-panel"][data-state="ready"]').waitFor({ state: 'attached', timeout: 60_000 });
  // The device details are folded below the lab once the GPU is fine.
  await page.getByTestId('device-details').locator(':scope > summary').click();
  await page.getByTestId('run-selftest').click();
  await page.getByTestId('selftest-verified').waitFor({ timeout: 60_000 });

  await page.locator('[data-testid="model-panel"][data-state="ready"]').waitFor({ timeout: 60_000 });
  await page.getByTestId('onnx-check').locator('summary').click();
  await page.getByTestId('onnx-check-run').click();
  await page.getByTestId('onnx-verdict').waitFor({ timeout: 90_000 });
  expect(await page.getByTestId('onnx-verdict').innerText()).toMatch(/^Same solution from both engines/);
  const ort = requests.filter((u) => /ort/.test(new URL(u).pathname));
  expect(ort.length).toBeGreaterThan(0);
  for (const u of ort) expect(new URL(u).pathname.startsWith('/labs/psr/'), u).toBe(true);
  for (const u of requests) expect(new URL(u).origin, u).toBe(new URL(hosted.url).origin);
  expect(failed).toEqual([]);
  expect(problems).toEqual([]);
});
