// Screenshots of the page after a real run, for looking at it as a student, a teacher and a
// researcher would: the search panel after a watched search, the iteration panel with an
// out-of-range input and after one iteration (and its pairs table), the bench panel and the recorded runs after
// "check it yourself", at 1366 and 390 px wide.
// Usage: npm run build && npm run screenshots -- [OUT_DIR]   (default /tmp/psr-shots)
import { mkdirSync } from 'node:fs';
import { launchChromium, watchPage } from '../test/e2e/browser.ts';
import { serveDistAt } from '../test/e2e/static-server.ts';
const out = process.argv[2] ?? '/tmp/psr-shots';
mkdirSync(out, { recursive: true });
const { url, server } = await serveDistAt('/');
const browser = await launchChromium({ webgpu: true });
for (const width of [1366, 390]) {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const problems = watchPage(page);
  await page.goto(url);
  await page.getByTestId('model-info').waitFor({ timeout: 120000 });
  await page.waitForFunction(() => !(document.querySelector('[data-testid="run-search"]') as HTMLButtonElement)?.disabled, null, { timeout: 60000 });
  await page.getByTestId('run-search').click();
  await page.getByTestId('search-pace').fill('0');
  await page.waitForFunction(() => document.querySelector('[data-testid="search-panel"] .status')?.textContent?.startsWith('Finished'), null, { timeout: 120000 });
  const sbox = await page.evaluate(() => { const r = document.querySelector('#search')!.getBoundingClientRect(); return { y: r.top + scrollY, height: r.height }; });
  await page.screenshot({ path: `${out}/search-${width}.png`, fullPage: true, clip: { x: 0, y: sbox.y, width, height: Math.min(1100, sbox.height) } });
  await page.getByTestId('loop-w').fill('40');
  await page.locator('#loop').screenshot({ path: `${out}/loop-invalid-${width}.png` });
  await page.getByTestId('loop-w').fill('4');
  await page.getByTestId('loop-start').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="loop-panel"]')?.getAttribute('data-stage') === 'done', null, { timeout: 300000 });
  const box = await page.evaluate(() => { const r = document.querySelector('#loop')!.getBoundingClientRect(); return { y: r.top + scrollY, height: r.height }; });
  await page.screenshot({ path: `${out}/loop-done-${width}.png`, fullPage: true, clip: { x: 0, y: box.y, width, height: Math.min(1300, box.height) } });
  const pbox = await page.evaluate(() => { const r = document.querySelector('[data-testid="pairs-table"]')?.getBoundingClientRect(); return r ? { y: r.top + scrollY, height: r.height } : null; });
  if (pbox) await page.screenshot({ path: `${out}/pairs-${width}.png`, fullPage: true, clip: { x: 0, y: pbox.y, width, height: Math.min(900, pbox.height) } });
  await page.locator('#bench').screenshot({ path: `${out}/bench-${width}.png` });
  // The recorded runs, with "check it yourself" on 24 problems and every run's row open.
  await page.getByTestId('recorded-chain').scrollIntoViewIfNeeded();
  await page.getByTestId('chain-check-size').selectOption('24');
  await page.getByTestId('chain-check').click();
  await page.getByTestId('chain-check-result').waitFor({ timeout: 300000 });
  await page.locator('#results details.runs > summary').click();
  await page.locator('#results').screenshot({ path: `${out}/recorded-${width}.png` });
  console.log(`${width} px: screenshots in ${out}; console errors: ${problems.length ? problems.join('; ') : 'none'}`);
  await page.close();
}
await browser.close();
server.close();
