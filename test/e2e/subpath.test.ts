// dist/ hosted under a sub-path (as on a static host like GitHub Pages) still loads, starts
// its worker and runs the self-test.
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

it('works when dist/ is served from /labs/psr/', async () => {
  const hosted = await serveDistAt('/labs/psr/');
  server = hosted.server;
  browser = await launchChromium({ webgpu: true });
  const page = await browser.newPage();
  const problems = watchPage(page);
  const failed: string[] = [];
  page.on('response', (r) => {
    if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
  });
  await page.goto(hosted.url);
  await page.locator('[data-testid="gpu-panel"][data-state="ready"]').waitFor({ state: 'attached', timeout: 60_000 });
  // The device details are folded below the lab once the GPU is fine.
  await page.getByTestId('device-details').locator(':scope > summary').click();
  await page.getByTestId('run-selftest').click();
  await page.getByTestId('selftest-verified').waitFor({ timeout: 60_000 });
  expect(failed).toEqual([]);
  expect(problems).toEqual([]);
});
