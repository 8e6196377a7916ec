// The landing page in headless Chromium: the worker gets a WebGPU device, the self-test runs a
// real compute shader in the worker and the page shows checked numbers; without WebGPU the page
// explains what to do. Any console error or uncaught exception fails the test.
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, watchPage } from './browser.ts';

const baseUrl = inject('baseUrl');
const browsers: Browser[] = [];
afterAll(async () => {
  await Promise.all(browsers.map((b) => b.close()));
});

async function openPage(webgpu: boolean) {
  const browser = await launchChromium({ webgpu });
  browsers.push(browser);
  const page = await browser.newPage();
  const problems = watchPage(page);
  await page.goto(baseUrl);
  return { page, problems };
}

describe('landing page with WebGPU (SwiftShader)', () => {
  it('shows the adapter from inside the worker and a verified self-test', async () => {
    const { page, problems } = await openPage(true);
    await expect(page.title()).resolves.toContain('PSR Lab');
    await page.locator('[data-testid="gpu-panel"][data-state="ready"]').waitFor({ state: 'attached', timeout: 60_000 });
    // The device details are folded below the lab once the GPU is fine.
    await page.getByTestId('device-details').locator(':scope > summary').click();
    await page.locator('[data-testid="device-details"][open]').waitFor({ timeout: 10_000 });
    const adapter = await page.getByTestId('adapter').innerText();
    expect(adapter.toLowerCase()).toContain('swiftshader');

    await page.getByTestId('run-selftest').click();
    await page.getByTestId('selftest-verified').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('selftest-verified').innerText()).toContain('4,096 values match the CPU');
    // out = 2·x + y with x_i = (i mod 100)/4 and y_i = i mod 7: rows 0..3 are 0, 1.5, 3, 4.5.
    // The details the visitor opened stay open while the self-test runs and its results appear.
    expect(await page.getByTestId('device-details').getAttribute('open')).not.toBeNull();
    const cells = await page.locator('[data-testid="selftest-sample"] tbody tr').allInnerTexts();
    expect(cells.map((r) => r.split('\t').map(Number))).toEqual([
      [0, 0, 0],
      [1, 1.5, 1.5],
      [2, 3, 3],
      [3, 4.5, 4.5],
    ]);
    expect(await page.getByTestId('selftest-timings').innerText()).toMatch(/compile \d+\.\d ms/);
    expect(problems).toEqual([]);

    // The production page carries a Content-Security-Policy, and it is in force: an injected inline
    // script is refused (the page's own scripts, worker and WebAssembly ran above without a violation).
    const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    const refused = await page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          document.addEventListener('securitypolicyviolation', (e) => resolve(e.violatedDirective), { once: true });
          const s = document.createElement('script');
          s.textContent = 'window.__inlineRan = true;';
          document.body.append(s);
          setTimeout(() => resolve('none'), 2000);
        }),
    );
    expect(refused).toMatch(/^script-src/);
    expect(await page.evaluate(() => (window as unknown as { __inlineRan?: boolean }).__inlineRan)).toBeUndefined();
  });
});

describe('landing page without WebGPU', () => {
  it('says plainly that no GPU adapter is available and what to do', async () => {
    const { page, problems } = await openPage(false);
    const problem = page.getByTestId('gpu-problem');
    await problem.waitFor({ timeout: 60_000 });
    const name = await problem.getAttribute('data-error');
    expect(['NoAdapterError', 'WebGpuUnavailableError']).toContain(name);
    const text = await problem.innerText();
    expect(text).toMatch(/WebGPU/);
    expect(text).toMatch(/driver|browser/);
    expect(await page.getByTestId('run-selftest').isDisabled()).toBe(true);
    expect(problems).toEqual([]);
  });
});
