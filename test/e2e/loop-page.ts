// Helpers of the "Run an iteration" e2e tests (loop.test.ts, loop-control.test.ts): small settings, the
// page on the CPU backend, and what the loop panel shows (model generation, progress, loads).
import { expect, inject } from 'vitest';
import type { Page } from 'playwright-core';
import { openLab } from './lab-page.ts';

const baseUrl = inject('baseUrl');

/** Small enough for a CPU iteration in a couple of minutes on a busy 2-core machine. */
export const SMALL = { problems: 2, w: 3, maxSteps: 3, evalProblems: 4, evalPairs: 4, epochs: 1 } as const;
export const ITERATION_TIMEOUT = 180_000;

// No --enable-unsafe-webgpu: the CPU backend is what runs, and the page starts faster without SwiftShader.
export const openPage = (query: string) => openLab(baseUrl, query, { webgpu: false });

/** The page's model generation t of "Mt". */
export async function generation(page: Page): Promise<number> {
  const text = await page.getByTestId('model-generation').innerText();
  expect(text).toMatch(/^M\d+$/);
  return Number(text.slice(1));
}

/** Wait until the model panel has finished one more load (with its restore) than `before`. */
export async function loadedAgain(page: Page, before: number): Promise<void> {
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid="model-panel"]')?.getAttribute('data-loads')) > n, before, { timeout: 60_000 });
}

export const loadsSoFar = async (page: Page) => Number(await page.getByTestId('model-panel').getAttribute('data-loads'));

/** What moves while an iteration runs: the status line and the panel's progress counters. */
export async function progress(page: Page): Promise<string> {
  const panel = page.getByTestId('loop-panel');
  const attrs = await Promise.all(['data-stage', 'data-problems-done', 'data-train-steps'].map((a) => panel.getAttribute(a)));
  return `${attrs.join('|')}|${await page.getByTestId('loop-status').innerText()}`;
}

/** Fetch a blob: link's body inside the page (blob URLs belong to the page). */
export function fetchText(page: Page, href: string): Promise<string> {
  return page.evaluate((u) => fetch(u).then((r) => r.text()), href);
}
