// Launches Debian's headless Chromium through playwright-core (WebGPU on SwiftShader with
// --enable-unsafe-webgpu) and records every console error and uncaught exception of a page.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function chromiumPath(): string {
  const found = process.env.PSR_CHROMIUM ?? CHROMIUM_CANDIDATES.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      `\n\nE2E TESTS CANNOT RUN: no Chromium found (looked at ${CHROMIUM_CANDIDATES.join(', ')}).\n` +
        'Remedy on Debian/Ubuntu: sudo apt-get install -y chromium (or set PSR_CHROMIUM to a Chromium binary).\n',
    );
  }
  return found;
}

/** Headless Chromium with a fresh temporary profile (playwright makes one per launch); `webgpu: false` leaves out --enable-unsafe-webgpu, so requestAdapter() gives null here. */
export async function launchChromium({ webgpu }: { webgpu: boolean }): Promise<Browser> {
  const args = [
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
    '--no-first-run',
    '--disable-dev-shm-usage',
  ];
  if (webgpu) args.push('--enable-unsafe-webgpu');
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args });
}

/** Everything a page said that should fail a test: console errors and uncaught exceptions. */
export function watchPage(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console.error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`uncaught: ${err.name}: ${err.message}`));
  page.on('crash', () => problems.push('page crashed'));
  return problems;
}

/** A main-thread task of the page over 50 ms (the Long Tasks API), on the page's clock. */
export interface LongTask {
  start: number;
  ms: number;
}

/** Record the page's long tasks from its first script on (call before `goto`); `longTasks` reads them. */
export async function recordLongTasks(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __longTasks: { start: number; ms: number }[] };
    w.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longTasks.push({ start: Math.round(e.startTime), ms: Math.round(e.duration) });
    }).observe({ type: 'longtask', buffered: true });
  });
}

/** The long tasks recorded so far that started at or after `since` (page clock) and lasted over `overMs`. */
export function longTasks(page: Page, since: number, overMs = 50): Promise<LongTask[]> {
  return page.evaluate(
    ([t, limit]) => (window as unknown as { __longTasks: { start: number; ms: number }[] }).__longTasks.filter((e) => e.start >= t && e.ms > limit),
    [since, overMs] as const,
  );
}
