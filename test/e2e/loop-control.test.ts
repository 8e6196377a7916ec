// "Run an iteration" for a class and when it goes wrong: step-through waits after each searched problem
// and each training step until Next; "Run a toy iteration" on the first screen starts one with the
// defaults; Cancel keeps the model, which still solves. Headless Chromium on the production build, CPU backend.
import { afterAll, describe, expect, it } from 'vitest';
import { SCREENSHOT_DIR, closeLabBrowsers, modelReady, solveShown } from './lab-page.ts';
import { ITERATION_TIMEOUT, SMALL, generation, openPage, progress } from './loop-page.ts';

afterAll(closeLabBrowsers);

describe('run an iteration: step through, cancel (CPU backend)', () => {
  it('steps through an iteration: it waits after each searched problem and each training step until Next', async () => {
    const { page, problems, failed } = await openPage('?backend=wasm');
    await modelReady(page);
    const panel = page.getByTestId('loop-panel');
    for (const [key, value] of Object.entries(SMALL)) await page.getByTestId(`loop-${key}`).fill(String(value));
    await page.getByTestId('loop-step-through').check();
    await page.getByTestId('loop-start').click();
    const stops = async () => Number(await panel.getAttribute('data-step-stops'));
    const waiting = page.getByTestId('loop-waiting');
    const texts: string[] = [];
    // Wait for the next stop (or the end), then note what it says.
    const nextStop = async (seen: number) => {
      await page.waitForFunction(
        (n) => {
          const p = document.querySelector('[data-testid="loop-panel"]');
          return Number(p?.getAttribute('data-step-stops')) > n || p?.getAttribute('data-running') === 'false';
        },
        seen,
        { timeout: ITERATION_TIMEOUT },
      );
      if ((await panel.getAttribute('data-running')) === 'true') texts.push(await waiting.innerText());
    };
    await nextStop(0);
    expect(texts[0]).toMatch(new RegExp(`^Waiting after the search of problem 1 of ${SMALL.problems}: \\d+ steps? accepted, \\d+ pairs? kept\\. Press Next to go on\\.$`));
    // It really waits: paused, and nothing moves until Next.
    await page.getByTestId('loop-status').filter({ hasText: '(waiting for Next)' }).waitFor({ timeout: 10_000 });
    const held = await progress(page);
    await page.waitForTimeout(1500);
    expect(await progress(page)).toBe(held);
    expect(await panel.getAttribute('data-problems-done')).toBe('1');
    await page.locator('#loop').screenshot({ path: `${SCREENSHOT_DIR}/loop-step-through-waiting.png` });
    while ((await panel.getAttribute('data-running')) === 'true') {
      const seen = await stops();
      await page.getByTestId('loop-next').click();
      await nextStop(seen);
    }
    await page.locator('[data-testid="loop-panel"][data-running="false"][data-stage="done"]').waitFor({ timeout: 10_000 });
    // One stop per searched problem, then one per training step, in that order.
    const trainSteps = Number(await panel.getAttribute('data-train-steps'));
    expect(texts.filter((x) => x.includes('the search of problem'))).toHaveLength(SMALL.problems);
    expect(texts.filter((x) => /training step \d+: loss/.test(x))).toHaveLength(trainSteps);
    expect(texts).toHaveLength(SMALL.problems + trainSteps);
    expect(await waiting.count()).toBe(0);
    expect(failed).toEqual([]);
    expect(problems).toEqual([]);
  }, 400_000);

  it('"Run a toy iteration" starts one with the defaults; Cancel: the status says so, the model stays Mk and still solves', async () => {
    const { page, problems, failed } = await openPage('?backend=wasm');
    await modelReady(page);
    const t = await generation(page);

    // The first screen's "Run a toy iteration" starts one with the page's defaults (shown in the inputs).
    await page.getByTestId('loop-problems').fill('3');
    await page.getByTestId('run-toy').click();
    await page.locator('[data-testid="loop-panel"][data-running="true"]').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('loop-problems').inputValue()).not.toBe('3');
    expect(await page.getByTestId('run-toy').isDisabled()).toBe(true);
    await page.getByTestId('loop-cancel').click({ timeout: 10_000 });
    await page.locator('[data-testid="loop-panel"][data-running="false"]').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('loop-panel').getAttribute('data-stage')).toBe('cancelled');
    const status = await page.getByTestId('loop-status').innerText();
    expect(status).toMatch(/^Cancelled/);
    expect(status).toContain(`still M${t}`);
    expect(await page.getByTestId('model-generation').innerText()).toBe(`M${t}`);
    expect(await page.getByTestId('loop-error').count()).toBe(0);
    expect(await page.getByTestId('loop-start').isEnabled()).toBe(true);
    expect(await page.getByTestId('run-toy').isEnabled()).toBe(true);

    await solveShown(page);
    expect(failed).toEqual([]);
    expect(problems).toEqual([]);
  }, 180_000);
});
