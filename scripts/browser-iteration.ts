// Wall time of one self-rewarding iteration in headless Chromium, at the app's default settings or
// at others typed into the loop panel (--set key=value,…; e.g. the CLI's defaults: problems=64,w=6,
// maxSteps=20,evalProblems=500,evalPairs=500): serves the existing dist/ build, opens the lab,
// waits for the model, presses Start and
// records the seconds of every stage (the loop panel's data-stage) and in total, plus the outcome
// as the page shows it (pairs, their oracle grading, before/after evaluation), and the page's main-thread
// long tasks (> 50 ms, the Long Tasks API) from Start to the end, after the model loaded. Prints one JSON object.
// Usage: npx tsx scripts/browser-iteration.ts [--webgpu] [--backend wasm|webgpu] [--set key=value,…] [--timeout-minutes N]
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { launchChromium, longTasks, recordLongTasks, watchPage } from '../test/e2e/browser.ts';
import { serveDistAt } from '../test/e2e/static-server.ts';

interface Options {
  webgpu: boolean;
  backend: 'wasm' | 'webgpu';
  timeoutMinutes: number;
  /** Loop settings typed into the panel's inputs before Start (data-testid loop-<key>). */
  set: Record<string, number>;
}

/** The repository's dist/, wherever the script is run from. */
const DIST = fileURLToPath(new URL('../dist', import.meta.url));

const USAGE = 'usage: npx tsx scripts/browser-iteration.ts [--webgpu] [--backend wasm|webgpu] [--set key=value,…] [--timeout-minutes N]';

function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

function parseArgs(argv: string[]): Options {
  const o: Options = { webgpu: false, backend: 'wasm', timeoutMinutes: 60, set: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--webgpu') o.webgpu = true;
    else if (a === '--backend') {
      const v = argv[++i];
      if (v !== 'wasm' && v !== 'webgpu') fail(`--backend must be wasm or webgpu, got ${v ?? 'nothing'}.\n${USAGE}`, 2);
      o.backend = v;
    } else if (a === '--timeout-minutes') {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v <= 0) fail(`--timeout-minutes must be a positive number, got ${argv[i] ?? 'nothing'}.\n${USAGE}`, 2);
      o.timeoutMinutes = v;
    } else if (a === '--set') {
      for (const part of (argv[++i] ?? '').split(',').filter((x) => x !== '')) {
        const m = part.match(/^([A-Za-z]+)=([-+.\de]+)$/);
        if (!m || !Number.isFinite(Number(m[2]))) fail(`--set takes key=number pairs separated by commas (e.g. problems=64,w=6), got "${part}".\n${USAGE}`, 2);
        o.set[m[1]] = Number(m[2]);
      }
    } else if (a === '--help' || a === '-h') fail(USAGE, 0);
    else fail(`unknown argument ${a}.\n${USAGE}`, 2);
  }
  // The WebGPU backend needs Chromium's WebGPU (SwiftShader here): --backend webgpu implies --webgpu.
  if (o.backend === 'webgpu') o.webgpu = true;
  return o;
}

/** Number in a data-* attribute (null when absent or not a number). */
async function numAttr(page: Page, selector: string, name: string): Promise<number | null> {
  const loc = page.locator(selector);
  if ((await loc.count()) === 0) return null;
  const v = await loc.first().getAttribute(name);
  return v === null || v === '' || !Number.isFinite(Number(v)) ? null : Number(v);
}

async function evaluation(page: Page, model: 'before' | 'after'): Promise<Record<string, number | null>> {
  const out: Record<string, number | null> = {};
  for (const row of await page.locator('[data-testid="eval-row"]').all()) {
    const key = (await row.getAttribute('data-key')) ?? '?';
    const v = await row.locator(`td[data-model="${model}"]`).getAttribute('data-value');
    out[key] = v === null || v === '' ? null : Number(v);
  }
  return out;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  if (!existsSync(join(DIST, 'index.html'))) {
    fail(`${join(DIST, 'index.html')} is missing: this script times the production build. Build it first with \`npx vite build\` in the repository root.`, 1);
  }
  const loadStart = loadavg();
  const { url, server } = await serveDistAt('/', DIST);
  const browser = await launchChromium({ webgpu: o.webgpu });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = watchPage(page);
    // Every main-thread task over 50 ms, from the start (the page's own clock).
    await recordLongTasks(page);
    const t0 = performance.now();
    await page.goto(`${url}?backend=${o.backend}`);
    await page.locator('[data-testid="model-panel"][data-state="ready"]').waitFor({ timeout: 120_000 });
    const modelSeconds = (performance.now() - t0) / 1000;
    const backendUsed = await page.getByTestId('model-backend').getAttribute('data-backend');
    const from = await page.getByTestId('model-generation').innerText();
    for (const [key, value] of Object.entries(o.set)) {
      const input = page.getByTestId(`loop-${key}`);
      if ((await input.count()) === 0) fail(`the loop panel has no setting "${key}" (inputs: data-testid loop-<key>).`, 2);
      await input.fill(String(value));
    }
    const settings: Record<string, number> = {};
    for (const input of await page.locator('[data-testid="loop-panel"] input[data-testid^="loop-"]').all()) {
      settings[((await input.getAttribute('data-testid')) ?? '').slice('loop-'.length)] = Number(await input.inputValue());
    }

    // Record every change of the panel's stage with the page's clock.
    const started = await page.evaluate(() => {
      const panel = document.querySelector('[data-testid="loop-panel"]')!;
      const w = window as unknown as { __stages: { stage: string; t: number }[] };
      w.__stages = [];
      new MutationObserver(() => {
        const stage = panel.getAttribute('data-stage') ?? '?';
        if (w.__stages.at(-1)?.stage !== stage) w.__stages.push({ stage, t: performance.now() });
      }).observe(panel, { attributes: true, attributeFilter: ['data-stage'] });
      return performance.now();
    });
    const startedNode = performance.now();
    await page.getByTestId('loop-start').click();
    await page.locator('[data-testid="loop-panel"][data-running="true"]').waitFor({ timeout: 30_000 });
    await page.locator('[data-testid="loop-panel"][data-running="false"]').waitFor({ timeout: o.timeoutMinutes * 60_000 });
    const totalSeconds = (performance.now() - startedNode) / 1000;
    const loadEnd = loadavg();

    const marks = await page.evaluate(() => (window as unknown as { __stages: { stage: string; t: number }[] }).__stages);
    const finalStage = marks.at(-1)?.stage ?? 'idle';
    const stages = marks.slice(0, -1).map((m, i) => ({ stage: m.stage, seconds: +((marks[i + 1].t - m.t) / 1000).toFixed(2) }));
    const firstMark = marks[0]?.t ?? started;
    const pairs = await numAttr(page, '[data-testid="pairs-count"]', 'data-count');
    const long = await longTasks(page, started);
    const q = '[data-testid="pair-quality"]';
    const result = {
      backend: backendUsed,
      webgpuFlag: o.webgpu,
      cpus: cpus().length,
      loadavg: { start: loadStart.map((x) => +x.toFixed(2)), end: loadEnd.map((x) => +x.toFixed(2)) },
      modelLoadSeconds: +modelSeconds.toFixed(2),
      settings,
      from,
      to: await page.getByTestId('model-generation').innerText(),
      finalStage,
      status: (await page.getByTestId('loop-status').innerText()).trim(),
      error: (await page.getByTestId('loop-error').count()) > 0 ? await page.getByTestId('loop-error').innerText() : null,
      totalSeconds: +totalSeconds.toFixed(2),
      /** The engine's own measure of the iteration (IterationOutcome.ms). */
      iterationSeconds: await numAttr(page, '[data-testid="loop-panel"]', 'data-seconds'),
      /** From Start to the first stage the page showed (messages to the worker, setup). */
      startupSeconds: +((firstMark - started) / 1000).toFixed(2),
      stages,
      pairs,
      pairQuality: {
        'correct-order': await numAttr(page, q, 'data-correct-order'),
        'both-valid': await numAttr(page, q, 'data-both-valid'),
        'both-invalid': await numAttr(page, q, 'data-both-invalid'),
        inverted: await numAttr(page, q, 'data-inverted'),
      },
      dpoSteps: await numAttr(page, '[data-testid="loop-panel"]', 'data-train-steps'),
      before: await evaluation(page, 'before'),
      after: await evaluation(page, 'after'),
      /** Main-thread tasks over 50 ms from Start to the end of the iteration (what would make the page stutter). */
      mainThread: {
        longTasks: long.length,
        longestMs: long.reduce((m, e) => Math.max(m, e.ms), 0),
        totalLongMs: long.reduce((a, e) => a + e.ms, 0),
        longest: [...long].sort((a, b) => b.ms - a.ms).slice(0, 5).map((e) => ({ atSeconds: +((e.start - started) / 1000).toFixed(2), ms: e.ms })),
      },
      pageProblems: problems,
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    if (finalStage !== 'done' || problems.length > 0) process.exitCode = 1;
  } finally {
    await browser.close();
    server.close();
  }
}

main().catch((e: unknown) => fail(`browser-iteration failed: ${(e as Error).stack ?? String(e)}`, 1));
