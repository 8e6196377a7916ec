// The real-model section in headless Chromium. With no model downloadable and SwiftShader as the only
// WebGPU adapter here: the picker is rendered from WebLLM's own list and the page explains why no real
// model can run on this adapter (Load stays disabled). Then, on ?webllm=scripted, the scripted engine
// with WebLLM's interface drives the real code paths: download progress, the search with written
// verdicts, the judge-quality table against gold, the Step-DPO export, the cache on a reload, and
// each load failure as its named error. No request leaves the page's origin.
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { prebuiltAppConfig } from '@mlc-ai/web-llm';
import { realModelCatalog } from '../../src/lib/webllm/catalog.ts';
import { closeLabBrowsers, openLab } from './lab-page.ts';

const baseUrl = inject('baseUrl');
afterAll(closeLabBrowsers);

async function openSection(query: string) {
  const opened = await openLab(baseUrl, query, { webgpu: true });
  const requests: string[] = [];
  opened.page.on('request', (r) => void requests.push(r.url()));
  await opened.page.getByTestId('real-details').locator(':scope > summary').click();
  await opened.page.getByTestId('real-picker').waitFor({ timeout: 30_000 });
  return { ...opened, requests };
}

const sameOrigin = (requests: string[]) => requests.filter((u) => new URL(u).origin !== new URL(baseUrl).origin && !u.startsWith('blob:') && !u.startsWith('data:'));
const fetchText = (page: Page, url: string) => page.evaluate(async (u) => (await fetch(u)).text(), url);

describe('real-model section', () => {
  it("lists WebLLM's models and explains that a software adapter cannot run them", async () => {
    const { page, problems, failed, requests } = await openSection('');
    const ids = await page.getByTestId('real-model-option').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
    expect(ids).toEqual(realModelCatalog(prebuiltAppConfig).map((m) => m.id));
    expect(ids[0]).toMatch(/^Qwen2\.5-Math-1\.5B-Instruct-q4f/);
    const checked = await page.locator('[data-testid="real-model-option"]:checked').inputValue();
    expect(checked).toMatch(/^Qwen2\.5-Math-1\.5B-Instruct-q4f(16|32)_1-MLC$/);
    expect(await page.getByTestId('real-no-gpu').innerText()).toMatch(/software adapter .*swiftshader/i);
    expect(await page.getByTestId('real-load').isDisabled()).toBe(true);
    expect(sameOrigin(requests)).toEqual([]);
    expect(failed).toEqual([]);
    expect(problems).toEqual([]);
  }, 120_000);

  it('scripted replay: downloads with progress, searches and self-judges, measures the judge, exports; loads from the cache after a reload', async () => {
    const { page, problems, failed, requests } = await openSection('?webllm=scripted');
    expect(await page.getByTestId('real-scripted').innerText()).toMatch(/Scripted replay/);
    expect(await page.getByTestId('real-load').innerText()).toBe('Download and load');
    await page.getByTestId('real-load').click();
    await page.getByTestId('real-progress').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('real-progress').innerText()).toMatch(/\d+ % · \d+ MB downloaded/);
    await page.getByTestId('real-loaded').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('real-question').inputValue()).toMatch(/baker/);
    expect(await page.getByTestId('real-gold').inputValue()).toBe('28');

    await page.getByTestId('real-run').click();
    await page.getByTestId('real-quality').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('real-trail').locator('li').count()).toBeGreaterThanOrEqual(1);
    expect(await page.getByTestId('real-outcome').innerText()).toMatch(/Final answer: \S+ — (matches|does not match) the gold answer 28/);
    const quality = await page.getByTestId('real-quality').innerText();
    expect(quality).toMatch(/\[\[A\]\] \d+ · \[\[B\]\] \d+ · none \d+ · both \d+/);
    expect(quality).toMatch(/Chosen step reaches the gold answer\s+\d\.\d\d \[/);
    expect(await page.getByTestId('real-usage').innerText()).toMatch(/re-reads the shared step prompt for each candidate: 4\.0×/);
    // A judge's written verdict is shown with its explanation.
    await page.getByTestId('judge-matrix').locator('button').first().click();
    expect(await page.getByTestId('written-verdict').first().innerText()).toMatch(/verdict \[\[[AB]\]\]|no verdict written/);

    const links = page.getByTestId('real-link');
    expect(await links.allInnerTexts()).toEqual(['real-model-pairs.jsonl', 'real-model-run.json']);
    const rows = (await fetchText(page, (await links.nth(0).getAttribute('href'))!)).split('\n').filter((l) => l.trim() !== '');
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      const row = JSON.parse(r) as Record<string, unknown>;
      expect(row.prompt).toMatch(/baker/);
      expect(row.chosen).toMatch(/^Step \d+: /);
    }
    const run = JSON.parse(await fetchText(page, (await links.nth(1).getAttribute('href'))!)) as { scripted: boolean; quality: { rollouts: unknown[] }; judgments: { verdictForward: string; workingForward: string }[] };
    expect(run.scripted).toBe(true);
    expect(run.judgments.length).toBeGreaterThan(0);
    expect(run.judgments[0].verdictForward).toMatch(/^(A|B|none|both)$/);
    expect(run.judgments[0].workingForward.length).toBeGreaterThan(20);
    expect(run.quality.rollouts).toHaveLength(rows.length);

    // Both example problems in one run: a result per problem, pairs from both.
    await page.getByTestId('real-run-all').click();
    await page.getByTestId('real-outcome').filter({ hasText: /of 2 problems with a gold answer solved/ }).waitFor({ timeout: 60_000 });
    const allRows = (await fetchText(page, (await page.getByTestId('real-link').nth(0).getAttribute('href'))!)).split('\n').filter((l) => l.trim() !== '');
    expect(new Set(allRows.map((r) => (JSON.parse(r) as { problem_id: string }).problem_id))).toEqual(new Set(['scripted-1', 'scripted-2']));

    // A later visit finds the model in the cache.
    await page.reload();
    await page.getByTestId('real-details').locator(':scope > summary').click();
    await page.getByTestId('real-cached').first().waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('real-load').innerText()).toBe('Load from cache');
    await page.getByTestId('real-load').click();
    await page.getByTestId('real-loaded').waitFor({ timeout: 20_000 });
    expect(sameOrigin(requests)).toEqual([]);
    expect(failed).toEqual([]);
    expect(problems).toEqual([]);
  }, 180_000);

  it('names each way a load fails: storage full, network, missing shader-f16, too little GPU memory, device lost', async () => {
    const expected = { quota: 'RealModelStorageFullError', network: 'RealModelDownloadError', 'shader-f16': 'RealModelShaderF16Error', memory: 'RealModelMemoryError', 'device-lost': 'RealModelDeviceLostError' };
    for (const [kind, name] of Object.entries(expected)) {
      const { page, problems } = await openSection(`?webllm=scripted&webllm-fail=${kind}`);
      await page.getByTestId('real-load').click();
      const text = await page.getByTestId('real-error').innerText({ timeout: 20_000 });
      expect(text.startsWith(`${name}: `), text).toBe(true);
      expect(await page.getByTestId('real-loaded').count()).toBe(0);
      expect(problems).toEqual([]);
      await page.context().browser()?.close();
    }
  }, 240_000);
});
