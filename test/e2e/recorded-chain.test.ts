// The recorded runs on the production build: the page reads the chain shipped with the model and
// shows its table (one row per method, with the change M1 → M4 and its interval), both charts and the
// per-run commands; "check it yourself" re-solves an even subset of the held-out problems with M1
// and the shipped adapter on the CPU backend and gets, problem by problem, the record's right/wrong.
// The model on the page stays M1; nothing scrolls sideways at 390 px.
import { afterAll, describe, expect, inject, it } from 'vitest';
import { closeLabBrowsers, modelReady, openLab } from './lab-page.ts';

const baseUrl = inject('baseUrl');
afterAll(closeLabBrowsers);

describe('the recorded runs', () => {
  it('shows the chain with intervals and reproduces it on 24 problems with the shipped adapter', async () => {
    const { page, problems, failed } = await openLab(baseUrl, '?backend=wasm', { webgpu: false, width: 390, height: 844 });
    await modelReady(page);
    const section = page.getByTestId('recorded-chain');
    // Nothing is read or drawn until the section comes near the screen.
    expect(await section.getAttribute('data-loaded')).toBe('false');
    await section.scrollIntoViewIfNeeded();
    await page.locator('[data-testid="recorded-chain"][data-loaded="true"]').waitFor({ timeout: 20_000 });
    expect(Number(await section.getAttribute('data-runs'))).toBeGreaterThanOrEqual(3);
    const rows = page.getByTestId('chain-method');
    expect(await rows.count()).toBeGreaterThanOrEqual(1);
    for (const attr of ['data-gain', 'data-lo', 'data-hi']) expect(Number.isFinite(Number(await rows.first().getAttribute(attr)))).toBe(true);
    expect(await page.getByTestId('chain-chart').getAttribute('data-points')).toBe('4');
    expect(await page.getByTestId('chain-summary').innerText()).not.toBe('');
    await section.locator('details.runs > summary').click();
    await section.locator('details.cmds > summary').click();
    // Built when the fold opens.
    await section.locator('.commands li').first().waitFor({ timeout: 5_000 });
    expect(await section.locator('.commands li').count()).toBe(Number(await section.getAttribute('data-runs')));

    await page.getByTestId('chain-check-size').selectOption('24');
    await page.getByTestId('chain-check').click();
    const result = page.getByTestId('chain-check-result');
    await result.waitFor({ timeout: 120_000 });
    expect(await result.getAttribute('data-n')).toBe('24');
    // The CPU backend repeats the record's greedy solutions exactly.
    expect(await result.getAttribute('data-same-before')).toBe('24');
    expect(await result.getAttribute('data-same-after')).toBe('24');
    expect(await page.getByTestId('model-generation').innerText()).toContain('M1');

    const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    expect(scroll).toBeLessThanOrEqual(client);
    expect(failed).toEqual([]);
    expect(problems).toEqual([]);
  }, 180_000);
});
