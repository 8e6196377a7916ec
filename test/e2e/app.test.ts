// The lab in headless Chromium on the production build: the page loads the embedded model in the
// engine worker (shown with its parameters and backend), solves a problem step by step with
// oracle badges, and shows the search's candidates and judgment matrix; without WebGPU the model
// still loads on the CPU (WASM) and solves. Assertions hold for any shipped model (no fixed text).
// Any console error or uncaught exception fails a test.
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Server } from 'node:http';
import { closeLabBrowsers, keepScreenshot, modelReady, openLab, solveShown } from './lab-page.ts';
import { serveDistAt } from './static-server.ts';
import { availableParallelism } from 'node:os';

const baseUrl = inject('baseUrl');
const servers: Server[] = [];
afterAll(async () => {
  await closeLabBrowsers();
  for (const s of servers) s.close();
});

const openPage = (webgpu: boolean, query: string, root = baseUrl) => openLab(root, query, { webgpu });

async function solveShowsBadgedSteps(page: Page): Promise<void> {
  const steps = await solveShown(page);
  await expect(steps.first().getByTestId('oracle-badge').getAttribute('data-valid')).resolves.toMatch(/^(true|false)$/);
  expect(await steps.first().innerText()).toMatch(/^Step 1/);
}

describe('the lab with WebGPU present (SwiftShader), CPU backend', () => {
  it('loads the model, solves a problem and shows the search with its judgment matrix', async () => {
    const { page, problems, failed } = await openPage(true, '?backend=wasm');
    await modelReady(page);
    const info = await page.getByTestId('model-info').innerText();
    expect(info).toMatch(/Parameters\s+[\d,]+ in the base/);
    expect(await page.getByTestId('model-backend').getAttribute('data-backend')).toBe('wasm');
    expect(await page.getByTestId('model-generation').innerText()).toMatch(/^M\d+$/);
    // vite preview sends COOP/COEP: the page is cross-origin isolated and the CPU backend uses a kernel thread per core (at most 8)
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    const cores = Math.min(8, availableParallelism());
    expect(await page.getByTestId('model-threads').getAttribute('data-threads')).toBe(String(cores));
    if (cores > 1) expect(await page.getByTestId('model-threads').innerText()).toMatch(/one per core/);

    await solveShowsBadgedSteps(page);

    await page.getByTestId('search-w').fill('3');
    await page.getByTestId('search-max-steps').fill('2');
    await page.getByTestId('search-temperature').fill('1.5');
    await page.getByTestId('search-pace').fill('1');
    await page.getByTestId('run-search').click();
    await page.getByTestId('candidate').first().waitFor({ timeout: 40_000 });
    await page.getByTestId('judge-cell').first().waitFor({ timeout: 40_000 });
    await page.getByTestId('judge-cell').first().click();
    await page.getByTestId('judge-working').waitFor();
    expect(await page.getByTestId('judge-working').innerText()).toMatch(/P\(#\d is better\) = [01]\.\d{3}/);
    await page.getByText(/^Finished \(/).waitFor({ timeout: 40_000 });
    expect(await page.getByTestId('search-trail').locator('li').count()).toBeGreaterThanOrEqual(1);
    expect(failed).toEqual([]);
    expect(problems).toEqual([]);
  });
});

describe('Check with ONNX Runtime on WebGPU (SwiftShader)', () => {
  it("our WGSL kernels and onnxruntime-web's WebGPU backend, on the same device, write the same solution", async () => {
    const { page, problems, failed } = await openPage(true, '?backend=webgpu');
    await modelReady(page);
    expect(await page.getByTestId('model-backend').getAttribute('data-backend')).toBe('webgpu');
    await page.getByTestId('onnx-check').locator('summary').click();
    await page.getByTestId('onnx-ep').selectOption('webgpu');
    const t0 = Date.now();
    await page.getByTestId('onnx-check-run').click();
    await page.getByTestId('onnx-verdict').waitFor({ timeout: 300_000 });
    console.log(`ONNX Runtime WebGPU check: ${((Date.now() - t0) / 1000).toFixed(0)} s;`, await page.getByTestId('onnx-verdict').innerText());
    expect(await page.getByTestId('onnx-verdict').innerText()).toMatch(/^Same solution from both engines/);
    expect(Number(await page.getByTestId('onnx-diff').innerText())).toBeLessThanOrEqual(1e-4);
    const text = await page.getByTestId('onnx-check').innerText();
    expect(text).toMatch(/This page \(M\d+, webgpu\)/);
    expect(text).toMatch(/onnxruntime-web \d+\.\d+\.\d+ \(WebGPU\)/);
    expect(failed).toEqual([]);
    expect(problems).toEqual([]);
  }, 420_000);
});

describe('the lab without WebGPU', () => {
  it('loads the model on the CPU (WASM), says why, and solves', async () => {
    const { page, problems, failed } = await openPage(false, './');
    await modelReady(page);
    const backend = page.getByTestId('model-backend');
    expect(await backend.getAttribute('data-backend')).toBe('wasm');
    expect(await backend.innerText()).toMatch(/WebGPU is not available here/);
    await solveShowsBadgedSteps(page);
    expect(failed).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('takes a typed problem: an unknown word is marked with the nearest known ones, a known question solves', async () => {
    const { page, problems, failed } = await openPage(false, '?backend=wasm');
    await modelReady(page);
    await page.getByTestId('own-problem').locator('summary').click();
    await page.getByTestId('own-text').fill('Ann has 12 aples. Tom has 5 more apples than Ann. How many apples does Tom have?');
    await page.getByTestId('own-use').click();
    await page.getByTestId('own-unknown').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('own-unknown').allInnerTexts()).toEqual(['aples']);
    expect(await page.getByTestId('own-near').innerText()).toContain('apples');
    expect(await page.getByTestId('question').innerText()).not.toContain('aples');

    const q = 'Ann has 12 apples. Tom has 5 more apples than Ann. How many apples does Tom have?';
    await page.getByTestId('own-text').fill(q);
    await page.getByTestId('own-use').click();
    await page.getByTestId('own-oracle').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('own-oracle').innerText()).toContain('the answer is 17');
    expect(await page.getByTestId('question').innerText()).toBe(q);
    await page.getByTestId('solve').click();
    await page.getByTestId('solve-answer').waitFor({ timeout: 40_000 });
    expect(await page.getByTestId('solve-answer').innerText()).toMatch(/true answer: 17/);
    expect(failed).toEqual([]);
    expect(problems).toEqual([]);
  });
});

describe('the guided tour', () => {
  it('walks through the page, outlining each part, and closes with Escape; presenter mode enlarges the type', async () => {
    const { page, problems, failed } = await openPage(false, '?backend=wasm');
    await modelReady(page);
    await page.getByTestId('tour-start').click();
    const panel = page.getByTestId('tour-panel');
    await panel.waitFor();
    expect(await panel.getAttribute('data-stop')).toBe('0');
    expect(await page.locator('#intro').getAttribute('class')).toContain('tour-focus');
    expect(await page.getByTestId('tour-back').isDisabled()).toBe(true);
    await page.getByTestId('tour-next').click();
    expect(await page.getByTestId('tour-title').innerText()).toBe('The model');
    expect(await page.locator('#model').getAttribute('class')).toContain('tour-focus');
    expect(await page.locator('#intro').getAttribute('class')).not.toContain('tour-focus');
    // To the last stop and back one.
    const stops = Number((await panel.locator('.count').innerText()).match(/of (\d+)/)![1]);
    for (let i = 1; i < stops - 1; i++) await page.getByTestId('tour-next').click();
    expect(await page.getByTestId('tour-next').innerText()).toBe('Finish');
    await page.getByTestId('tour-back').click();
    expect(Number(await panel.getAttribute('data-stop'))).toBe(stops - 2);
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
    expect(await page.locator('.tour-focus').count()).toBe(0);

    const size = () => page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
    const before = await size();
    await page.getByTestId('presenter').check();
    expect(await size()).toBeGreaterThan(before * 1.2);
    expect(failed).toEqual([]);
    expect(problems).toEqual([]);
  });
});

describe('stepping through the search', () => {
  it('waits for Continue after the candidates, after the judgments and after the decision', async () => {
    const { page, problems, failed } = await openPage(false, '?backend=wasm');
    await modelReady(page);
    await page.getByTestId('search-w').fill('3');
    await page.getByTestId('search-max-steps').fill('2');
    await page.getByTestId('search-step-through').check();
    await page.getByTestId('run-search').click();
    const waiting = page.getByTestId('search-waiting');
    await waiting.filter({ hasText: 'the candidates were sampled' }).waitFor({ timeout: 40_000 });
    expect(await page.getByTestId('candidate').count()).toBeGreaterThanOrEqual(1);
    // Held: nothing more is shown until Continue, although the search runs on.
    await page.waitForTimeout(1500);
    expect(await waiting.innerText()).toContain('the candidates were sampled');
    await page.getByTestId('search-continue').click();
    await waiting.filter({ hasText: /the judge compared every pair|a step was accepted|the search rolled back/ }).waitFor({ timeout: 40_000 });
    // Leaving step-through lets the replay run on after the stop it waits at.
    await page.getByTestId('search-step-through').uncheck();
    await page.getByTestId('search-continue').click();
    await page.getByText(/^Finished \(/).waitFor({ timeout: 60_000 });
    expect(failed).toEqual([]);
    expect(problems).toEqual([]);
  });
});

describe('the lab on a phone-sized screen (390 px)', () => {
  it('never scrolls sideways, also with the search and its tables shown', async () => {
    const { page, problems, failed } = await openLab(baseUrl, '?backend=wasm', { webgpu: false, width: 390, height: 844 });
    await modelReady(page);
    await solveShown(page);
    await page.getByTestId('search-pace').fill('0');
    await page.getByTestId('run-search').click();
    await page.getByText(/^Finished \(/).waitFor({ timeout: 60_000 });
    const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    expect(scroll).toBeLessThanOrEqual(client);
    await keepScreenshot(page, 'phone-390-after-search');
    expect(failed).toEqual([]);
    expect(problems).toEqual([]);
  });
});

describe('the lab from the keyboard', () => {
  it('reaches every control with Tab, in page order, each with a visible focus ring', async () => {
    const { page, problems } = await openPage(false, '?backend=wasm');
    await modelReady(page);
    const order: string[] = [];
    const unringed: string[] = [];
    for (let i = 0; i < 80; i++) {
      await page.keyboard.press('Tab');
      const f = await page.evaluate(() => {
        const e = document.activeElement as HTMLElement | null;
        if (!e || e === document.body) return null;
        const cs = getComputedStyle(e);
        return { id: e.dataset.testid ?? `${e.tagName.toLowerCase()}:${(e.textContent ?? '').trim().slice(0, 20)}`, ring: cs.outlineStyle !== 'none' || cs.boxShadow !== 'none' };
      });
      if (f === null) break; // back to the top of the page: one full round
      order.push(f.id);
      if (!f.ring) unringed.push(f.id);
    }
    const want = ['tour-start', 'presenter', 'new-problem', 'solve', 'search-w', 'run-search', 'loop-problems', 'loop-start', 'export-all', 'clear-saved', 'import-adapter', 'import-pairs'];
    for (const id of want) expect(order, `${id} is reachable with Tab`).toContain(id);
    const positions = want.map((id) => order.indexOf(id));
    expect(positions, 'the tab order follows the page').toEqual([...positions].sort((a, b) => a - b));
    expect(unringed).toEqual([]);
    expect(problems).toEqual([]);
  });
});

describe('the lab hosted under a sub-path', () => {
  it('finds the model folder relative to the page (dist/ served from /labs/psr/)', async () => {
    const hosted = await serveDistAt('/labs/psr/');
    servers.push(hosted.server);
    const { page, problems, failed } = await openPage(false, './?backend=wasm', hosted.url);
    await modelReady(page);
    expect(await page.getByTestId('model-parameters').innerText()).toMatch(/^[\d,]+ in the base/);
    // a plain static host sends no COOP/COEP: one thread, and the page says which headers give more
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
    expect(await page.getByTestId('model-threads').getAttribute('data-threads')).toBe('1');
    expect(await page.getByTestId('model-threads').innerText()).toMatch(/not cross-origin isolated.*Cross-Origin-Embedder-Policy: require-corp/);
    await solveShowsBadgedSteps(page);
    expect(failed).toEqual([]);
    expect(problems).toEqual([]);
  });
});
