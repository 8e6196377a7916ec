// "Run an iteration" in headless Chromium on the production build, on the CPU backend
// (?backend=wasm): small settings through the inputs (a bad one marked first), Start / Pause / Resume,
// the before/after table, Mk → Mk+1, pairs consistent with their oracle grading, the exports parsed and
// imported back (adapter, pairs, results), the imported adapter checked by onnxruntime-web ("Check with
// ONNX Runtime"); an iteration interrupted by a reload and resumed, then a second one, kept across a
// reload. Step-through and Cancel are in loop-control.test.ts. Assertions hold for any shipped model.
import { afterAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { unzipSync } from 'fflate';
import { closeLabBrowsers, keepScreenshot, longTasksSince, modelReady, pageNow } from './lab-page.ts';
import { ITERATION_TIMEOUT, SMALL, fetchText, generation, loadedAgain, loadsSoFar, openPage, progress } from './loop-page.ts';

afterAll(closeLabBrowsers);

describe('run an iteration (CPU backend)', () => {
  it('runs Mk → Mk+1 with pause / resume, shows before/after and the graded pairs, and exports pairs and adapter', async () => {
    const { page, problems, failed } = await openPage('?backend=wasm');
    await modelReady(page);
    const t = await generation(page);
    const panel = page.getByTestId('loop-panel');
    expect(await panel.getAttribute('data-stage')).toBe('idle');

    // A bad setting marks its field with the label's range and keeps Start off; nothing runs, the model stays.
    const w = page.getByTestId('loop-w');
    await w.fill('1000');
    expect(await w.getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByTestId('loop-w-problem').innerText()).toMatch(/^Candidates per step \(w\) must be a whole number from 2 to \d+; got 1000\.$/);
    expect(await page.getByTestId('loop-start').isDisabled()).toBe(true);
    expect(await panel.getAttribute('data-stage')).toBe('idle');
    expect(await generation(page)).toBe(t);

    for (const [key, value] of Object.entries(SMALL)) await page.getByTestId(`loop-${key}`).fill(String(value));
    expect(await w.getAttribute('aria-invalid')).toBe('false');
    expect(await page.getByTestId('loop-w-problem').count()).toBe(0);
    expect(await page.getByTestId('loop-start').isEnabled()).toBe(true);
    // measured from Start: the load itself can hold one longer task (≈ 130 ms seen just after the model is ready)
    const loaded = await pageNow(page);
    await page.getByTestId('loop-start').click();
    await page.locator('[data-testid="loop-panel"][data-running="true"]').waitFor({ timeout: 10_000 });

    // The pipeline on the first screen lights up the stage the iteration is in.
    await page.locator('[data-testid="pipeline"]:not([data-lit=""])').waitFor({ state: 'attached', timeout: 30_000 });
    // Pause: the status says so and nothing advances (the unit of work in flight may still land first).
    await page.getByTestId('loop-pause').click();
    await page.getByTestId('loop-status').filter({ hasText: '(paused)' }).waitFor({ timeout: 30_000 });
    await page.getByTestId('loop-resume').waitFor();
    await page.waitForTimeout(500);
    const held = await progress(page);
    await page.waitForTimeout(1200);
    expect(await progress(page)).toBe(held);
    expect(await page.getByTestId('loop-status').innerText()).toContain('(paused)');
    // The benchmark waits for an idle engine: its button is off and the page says why.
    expect(await page.getByTestId('run-bench').isDisabled()).toBe(true);
    expect(await page.getByTestId('bench-busy').innerText()).toMatch(/The engine is busy with “iteration”/);

    expect(await page.getByTestId('loop-clock').innerText()).toMatch(/^\d+ s so far/);
    await page.getByTestId('loop-resume').click();
    await page.getByTestId('loop-pause').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('loop-status').innerText()).not.toContain('(paused)');
    await page.locator('[data-testid="loop-panel"][data-running="false"][data-stage="done"]').waitFor({ timeout: ITERATION_TIMEOUT });

    // The page's model is the new one, and the status says so.
    expect(await page.getByTestId('model-generation').innerText()).toBe(`M${t + 1}`);
    expect(await page.getByTestId('loop-status').innerText()).toMatch(new RegExp(`Done: the model is now M${t + 1}\\.|Stopped: \\w+\\. M${t} was kept\\.`));
    // The iteration's own wall time includes the ~1.7 s it stood paused.
    expect(Number(await panel.getAttribute('data-seconds'))).toBeGreaterThanOrEqual(1.7);

    // Before / after: both models, a number in every cell.
    const table = page.getByTestId('eval-table');
    expect(await table.locator('thead th').allInnerTexts()).toEqual(['', `M${t}`, `M${t + 1}`, 'change']);
    const rows = table.getByTestId('eval-row');
    expect(await rows.count()).toBeGreaterThanOrEqual(1);
    for (const row of await rows.all()) {
      for (const model of ['before', 'after']) {
        const cell = row.locator(`td[data-model="${model}"]`);
        const value = Number(await cell.getAttribute('data-value'));
        expect(Number.isFinite(value), `${await row.getAttribute('data-key')} ${model}`).toBe(true);
        expect(await cell.innerText()).toMatch(/^-?\d+\.\d+( %)?$/);
      }
    }
    const accuracy = table.locator('[data-testid="eval-row"][data-key="accuracy"] td[data-model="after"]');
    const acc = Number(await accuracy.getAttribute('data-value'));
    // The accuracy change comes with its interval over the evaluated problems.
    expect(await page.getByTestId('accuracy-interval').innerText()).toMatch(/^\s?\[[+-]\d+, [+-]\d+\]$/);
    expect(acc).toBeGreaterThanOrEqual(0);
    expect(acc).toBeLessThanOrEqual(1);

    // Pairs: the heading, the oracle grading and the table agree.
    const heading = page.getByTestId('pairs-count');
    const n = Number(await heading.getAttribute('data-count'));
    expect(await heading.innerText()).toBe(`Pairs (${n})`);
    const quality = page.getByTestId('pair-quality');
    const counts = await Promise.all(
      ['data-correct-order', 'data-both-valid', 'data-both-invalid', 'data-inverted'].map(async (a) => Number(await quality.getAttribute(a))),
    );
    expect(counts.reduce((a, b) => a + b, 0)).toBe(n);
    expect((await quality.innerText()).match(/\d+/g)?.map(Number)).toEqual(counts);
    expect(await page.getByTestId('pair-row').count()).toBe(Math.min(n, 50));
    if (n > 0) {
      // Grouped by problem, the question once per group; the filter keeps one oracle class.
      const groups = await page.getByTestId('pair-group').count();
      expect(groups).toBeGreaterThanOrEqual(1);
      // One group per problem: no two neighbouring groups show the same question.
      const questions = await page.getByTestId('pair-group').evaluateAll((gs) => gs.map((g) => g.querySelector('.q')?.textContent ?? ''));
      expect(questions.every((q, i) => i === 0 || q !== questions[i - 1])).toBe(true);
      const [cls, k] = (['both-invalid', 'correct-order', 'both-valid', 'inverted'] as const).map((c, i) => [c, counts[[2, 0, 1, 3][i]]] as const).find(([, c]) => c > 0)!;
      await page.getByTestId('pairs-filter').selectOption(cls);
      expect(await page.getByTestId('pair-row').count()).toBe(Math.min(k, 50));
      expect(new Set(await page.getByTestId('pair-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-quality'))))).toEqual(new Set([cls]));
      await page.getByTestId('pairs-filter').selectOption('all');
    }
    if (n > 0) {
      // What training did on its own pairs: shares in [0, 1], in the sentence as percentages.
      const own = page.getByTestId('own-pairs');
      const [before, after] = [Number(await own.getAttribute('data-before')), Number(await own.getAttribute('data-after'))];
      expect(before >= 0 && before <= 1 && after >= 0 && after <= 1).toBe(true);
      expect(await own.innerText()).toContain(`in ${(100 * after).toFixed(0)} %`);
      // What the judge adds over the model's own greedy steps at the trained prefixes.
      const audit = page.getByTestId('greedy-audit');
      const [chosen, greedy] = [Number(await audit.getAttribute('data-chosen')), Number(await audit.getAttribute('data-greedy'))];
      expect(chosen >= 0 && chosen <= 1 && greedy >= 0 && greedy <= 1).toBe(true);
      expect(await audit.innerText()).toContain(`valid in ${(100 * chosen).toFixed(0)} %`);
    }

    // Pairs export: Step-DPO JSONL, one row per pair.
    const exportPairs = page.getByTestId('export-pairs');
    if (n === 0) {
      expect(await exportPairs.isDisabled()).toBe(true);
    } else {
      await exportPairs.click();
      const link = page.getByTestId('pairs-link');
      await link.waitFor({ timeout: 10_000 });
      expect(await link.getAttribute('download')).toMatch(/\.jsonl$/);
      const text = await fetchText(page, (await link.getAttribute('href'))!);
      const lines = text.split('\n').filter((l) => l.trim() !== '');
      expect(lines).toHaveLength(n);
      for (const line of lines) {
        const row = JSON.parse(line) as Record<string, unknown>;
        for (const field of ['prompt', 'initial_reason_steps', 'chosen', 'rejected']) expect(typeof row[field], field).toBe('string');
        expect((row.prompt as string).length).toBeGreaterThan(0);
      }
    }

    // Adapter export: PEFT's adapter_config.json and adapter_model.safetensors.
    await page.getByTestId('export-adapter').click();
    const links = page.getByTestId('adapter-link');
    await links.first().waitFor({ timeout: 20_000 });
    expect(await links.count()).toBe(2);
    const byName = new Map<string, string>();
    for (const l of await links.all()) byName.set((await l.getAttribute('download'))!, (await l.getAttribute('href'))!);
    const configName = [...byName.keys()].find((k) => k.endsWith('adapter_config.json'));
    const weightsName = [...byName.keys()].find((k) => k.endsWith('adapter_model.safetensors'));
    expect(configName, [...byName.keys()].join(', ')).toBeDefined();
    expect(weightsName, [...byName.keys()].join(', ')).toBeDefined();
    // The page stayed responsive: the engine works in its worker, so from Start through the
    // iteration, its tables and charts and the pairs and adapter exports, no main-thread task froze the page
    // (over FREEZE_MS; checked before this test's own reads of the exported files run in the page).
    expect(await longTasksSince(page, loaded), 'long tasks from the iteration and the exports').toEqual([]);
    const config = JSON.parse(await fetchText(page, byName.get(configName!)!)) as { r: number; target_modules: string[] };
    expect(Number.isInteger(config.r) && config.r > 0).toBe(true);
    expect(config.target_modules.length).toBeGreaterThan(0);

    const st = await page.evaluate(async (u) => {
      const buf = await (await fetch(u)).arrayBuffer();
      const headerBytes = Number(new DataView(buf).getBigUint64(0, true));
      return { size: buf.byteLength, headerBytes, header: new TextDecoder().decode(new Uint8Array(buf, 8, Math.min(headerBytes, buf.byteLength - 8))) };
    }, byName.get(weightsName!)!);
    expect(8 + st.headerBytes).toBeLessThanOrEqual(st.size);
    const header = JSON.parse(st.header) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
    const tensors = Object.entries(header).filter(([k]) => k !== '__metadata__');
    expect(tensors.length).toBeGreaterThan(0);
    let end = 0;
    for (const [name, e] of tensors) {
      expect(name).toMatch(/\.lora_[AB]\.weight$/);
      expect(typeof e.dtype).toBe('string');
      expect(e.data_offsets[1]).toBeGreaterThan(e.data_offsets[0]);
      end = Math.max(end, e.data_offsets[1]);
      if (name.endsWith('lora_A.weight')) {
        expect(e.shape[0]).toBe(config.r);
        expect(header[name.replace('lora_A', 'lora_B')], `${name} without its lora_B`).toBeDefined();
      }
    }
    expect(8 + st.headerBytes + end).toBe(st.size);

    // Everything in one zip: adapter, pairs (when there are some), metrics and a README.
    const zipStart = await pageNow(page);
    await page.getByTestId('export-all').click();
    await page.getByTestId('bundle-link').waitFor({ timeout: 20_000 });
    expect(await longTasksSince(page, zipStart), 'long tasks from making the zip').toEqual([]);
    const zipBytes = await page.evaluate(async (u) => Array.from(new Uint8Array(await (await fetch(u)).arrayBuffer())), (await page.getByTestId('bundle-link').getAttribute('href'))!);
    const zipped = unzipSync(new Uint8Array(zipBytes));
    const names = Object.keys(zipped).map((f) => f.replace(/^[^/]+\//, '')).sort();
    // (after the long-task checks: a full-page screenshot makes the page lay out and paint all of itself)
    await keepScreenshot(page, 'lab-1280-after-iteration');
    const metricsJson = Buffer.from(Object.entries(zipped).find(([f]) => f.endsWith('/metrics.json'))![1]);
    const pairsJsonl = n > 0 ? Buffer.from(Object.entries(zipped).find(([f]) => f.endsWith('/pairs.jsonl'))![1]) : null;
    expect(names).toEqual(['README.md', 'adapter/adapter_config.json', 'adapter/adapter_model.safetensors', 'metrics.csv', 'metrics.json', ...(n > 0 ? ['pairs.jsonl'] : [])].sort());

    // The adapter's bytes, for importing them back later (blob: links die with the page).
    const adapterFiles = await Promise.all(
      [...byName.entries()].map(async ([name, href]) => ({
        name,
        mimeType: 'application/octet-stream',
        buffer: Buffer.from(await page.evaluate(async (u) => Array.from(new Uint8Array(await (await fetch(u)).arrayBuffer())), href)),
      })),
    );
    const trained = (await generation(page)) === t + 1;
    const shownAfter = await generation(page);
    // The results view has the iteration (table and chart), and the work is saved in the browser.
    expect(await page.getByTestId('history-row').count()).toBe(1);
    expect(Number(await page.getByTestId('history-chart').getAttribute('data-points'))).toBe(trained ? 2 : 1);
    if (n > 0) expect(Number(await page.getByTestId('chart-loss').getAttribute('data-points'))).toBeGreaterThan(0);
    expect(await page.getByTestId('history-row').first().getAttribute('data-from')).toBe(`M${t}`);
    await page.locator('[data-testid="saved-work"][data-status="saved"]').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('saved-status').innerText()).toContain(`Saved M${shownAfter}`);

    // Switching the backend loads the model again and keeps the trained adapter.
    if (trained) expect(await page.getByTestId('backend-note').innerText()).toContain(`keeps M${t + 1}`);
    const loads = await loadsSoFar(page);
    await page.locator('input[name="backend"][value="auto"]').click();
    await loadedAgain(page, loads);
    expect(await generation(page)).toBe(shownAfter);

    // A reload brings back the model, the results and the pairs from IndexedDB.
    await page.reload();
    await modelReady(page);
    await page.locator('[data-testid="saved-work"][data-status="restored"]').waitFor({ timeout: 30_000 });
    expect(await generation(page)).toBe(shownAfter);
    expect(await page.getByTestId('history-row').count()).toBe(1);
    expect(Number(await page.getByTestId('pairs-count').getAttribute('data-count'))).toBe(n);
    expect(await page.getByTestId('export-pairs').isDisabled()).toBe(n === 0);

    // A bad import gets a named error and changes nothing.
    await page.getByTestId('import-adapter').setInputFiles([{ name: 'adapter_config.json', mimeType: 'application/json', buffer: Buffer.from('{"r": 4}') }]);
    await page.getByTestId('import-error').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('import-error').getAttribute('data-name')).toBe('ImportError');
    await page.getByTestId('import-pairs').setInputFiles([{ name: 'pairs.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from('{"prompt": 3}\n') }]);
    await page.locator('[data-testid="import-error"][data-name="PairFormatError"]').waitFor({ timeout: 10_000 });
    expect(await generation(page)).toBe(shownAfter);

    // Clear: back to the folder's model; importing the exported adapter makes it the trained model again.
    const before = await loadsSoFar(page);
    await page.getByTestId('clear-saved').click();
    await page.locator('[data-testid="saved-work"][data-status="cleared"]').waitFor({ timeout: 10_000 });
    await loadedAgain(page, before);
    expect(await generation(page)).toBe(t);
    expect(await page.getByTestId('history-row').count()).toBe(0);
    expect(adapterFiles.every((f) => f.buffer.length > 0)).toBe(true);
    await page.getByTestId('import-adapter').setInputFiles(adapterFiles);
    await page.getByTestId('import-message').waitFor({ timeout: 20_000 });
    expect(await generation(page)).toBe(shownAfter);
    // ... the exported results come back into the results view, and the exported pairs export again as they were.
    await page.getByTestId('import-results').setInputFiles([{ name: 'metrics.json', mimeType: 'application/json', buffer: metricsJson }]);
    await page.getByTestId('import-message').filter({ hasText: 'Imported 1 iteration from metrics.json' }).waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('history-row').count()).toBe(1);
    expect(await page.getByTestId('history-row').first().getAttribute('data-from')).toBe(`M${t}`);
    if (pairsJsonl) {
      await page.getByTestId('import-pairs').setInputFiles([{ name: 'pairs.jsonl', mimeType: 'application/jsonl', buffer: pairsJsonl }]);
      await page.getByTestId('import-message').filter({ hasText: `Imported ${n} pairs` }).waitFor({ timeout: 10_000 });
      await page.getByTestId('export-pairs').click();
      await page.getByTestId('pairs-link').waitFor({ timeout: 10_000 });
      expect(await fetchText(page, (await page.getByTestId('pairs-link').getAttribute('href'))!)).toBe(pairsJsonl.toString('utf8'));
    }
    // A results file of another model is refused by name and changes nothing.
    const foreign = Buffer.from(JSON.stringify({ ...JSON.parse(metricsJson.toString('utf8')), model: 'another-model' }));
    await page.getByTestId('import-results').setInputFiles([{ name: 'metrics.json', mimeType: 'application/json', buffer: foreign }]);
    await page.locator('[data-testid="import-error"][data-name="ImportError"]').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('history-row').count()).toBe(1);

    // "Check with ONNX Runtime" on the imported M_{t+1}: the trained adapter merged into the export, run by
    // onnxruntime-web (loaded now, under the production page's Content-Security-Policy), gives our solution.
    await page.getByTestId('onnx-check').locator('summary').click();
    await page.getByTestId('onnx-check-run').click();
    await page.getByTestId('onnx-verdict').waitFor({ timeout: 90_000 });
    expect(await page.getByTestId('onnx-verdict').innerText()).toMatch(/^Same solution from both engines/);
    expect(Number(await page.getByTestId('onnx-diff').innerText())).toBeLessThanOrEqual(1e-4);
    expect(await page.getByTestId('onnx-check').innerText()).toContain(`This page (M${shownAfter}, wasm)`);
    // ... and the same model downloads as ONNX: model.onnx with config, tokenizer and world beside it, in one zip.
    await page.getByTestId('onnx-download').click();
    await page.getByTestId('onnx-link').waitFor({ timeout: 30_000 });
    const onnxLink = page.getByTestId('onnx-link');
    expect(await onnxLink.innerText()).toBe(`psr-lab-M${shownAfter}-onnx.zip`);
    const onnxZip = await page.evaluate(async (u) => Array.from(new Uint8Array(await (await fetch(u)).arrayBuffer())), (await onnxLink.getAttribute('href'))!);
    const onnxFiles = unzipSync(new Uint8Array(onnxZip));
    expect(Object.keys(onnxFiles).map((f) => f.replace(/^[^/]+\//, '')).sort()).toEqual(['config.json', 'model.onnx', 'tokenizer.json', 'tokenizer_config.json', 'world.json']);
    expect(Object.entries(onnxFiles).find(([k]) => k.endsWith('model.onnx'))![1].length).toBeGreaterThan(1_000_000);
    // ... and with 4-bit linears (ONNX Runtime's MatMulNBits): a smaller model.onnx that names that operator.
    await page.getByTestId('onnx-quant').selectOption('q4');
    await page.getByTestId('onnx-download').click();
    await page.getByTestId('onnx-link').filter({ hasText: '-q4.zip' }).waitFor({ timeout: 30_000 });
    const q4Zip = await page.evaluate(async (u) => Array.from(new Uint8Array(await (await fetch(u)).arrayBuffer())), (await onnxLink.getAttribute('href'))!);
    const q4Model = Object.entries(unzipSync(new Uint8Array(q4Zip))).find(([k]) => k.endsWith('model.onnx'))![1];
    expect(q4Model.length).toBeLessThan(Object.entries(onnxFiles).find(([k]) => k.endsWith('model.onnx'))![1].length / 3);
    expect(new TextDecoder().decode(q4Model)).toContain('MatMulNBits');

    expect(await page.getByTestId('loop-error').count()).toBe(0);
    expect(failed).toEqual([]);
    expect(problems).toEqual([]);
  }, 400_000);

  it('resumes an iteration interrupted by a reload after its search: it trains on the kept pairs and the model becomes Mk+1; a second iteration accumulates and survives a reload', async () => {
    const { page, problems, failed } = await openPage('?backend=wasm');
    await modelReady(page);
    const t = await generation(page);
    // Many epochs on few pairs: training lasts long enough to reload in the middle of it.
    for (const [key, value] of Object.entries({ ...SMALL, epochs: 30 })) await page.getByTestId(`loop-${key}`).fill(String(value));
    await page.getByTestId('loop-start').click();
    await page.locator('[data-testid="loop-panel"][data-stage="train"][data-search-kept="true"]').waitFor({ timeout: ITERATION_TIMEOUT });
    await page.reload();
    await modelReady(page);
    await loadedAgain(page, 0); // the fresh page's first load, with its restore from storage
    const banner = page.getByTestId('loop-interrupted');
    await banner.waitFor({ timeout: 20_000 });
    const text = await banner.innerText();
    expect(text).toContain(`An iteration M${t} → M${t + 1} stopped after its search`);
    const kept = Number(text.match(/\((\d+) pairs?,/)![1]);
    expect(await generation(page)).toBe(t);

    await page.getByTestId('loop-resume-interrupted').click();
    await page.locator('[data-testid="loop-panel"][data-running="true"]').waitFor({ timeout: 10_000 });
    await page.locator('[data-testid="loop-panel"][data-running="false"][data-stage="done"]').waitFor({ timeout: ITERATION_TIMEOUT });
    expect(await generation(page)).toBe(t + 1);
    expect(Number(await page.getByTestId('loop-panel').getAttribute('data-problems-done'))).toBe(0); // no search this time
    expect(Number(await page.getByTestId('pairs-count').getAttribute('data-count'))).toBe(kept);
    expect(await banner.count()).toBe(0);
    // The finished iteration replaced the kept one in storage: a reload restores M(t+1) and offers nothing to resume.
    await page.reload();
    await modelReady(page);
    await loadedAgain(page, 0);
    await page.getByTestId('saved-status').filter({ hasText: `Restored M${t + 1}` }).waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('loop-interrupted').count()).toBe(0);

    // A second iteration from the restored M(t+1): both are in the results view, and a reload keeps them and the model.
    expect(await page.getByTestId('history-row').count()).toBe(1);
    for (const [key, value] of Object.entries(SMALL)) await page.getByTestId(`loop-${key}`).fill(String(value));
    await page.getByTestId('loop-start').click();
    await page.locator('[data-testid="loop-panel"][data-running="true"]').waitFor({ timeout: 10_000 });
    await page.locator('[data-testid="loop-panel"][data-running="false"][data-stage="done"]').waitFor({ timeout: ITERATION_TIMEOUT });
    const latest = await generation(page); // M(t+2), or M(t+1) kept when the search found no pair
    expect([t + 1, t + 2]).toContain(latest);
    const fromTo = (p: Page) => p.getByTestId('history-row').evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-from')}→${r.getAttribute('data-to')}`));
    const chain = await fromTo(page);
    expect(chain).toHaveLength(2);
    expect(chain[0]).toBe(`M${t}→M${t + 1}`);
    expect(chain[1]).toMatch(new RegExp(`^M${t + 1}→M${latest}$`));
    await page.locator('[data-testid="saved-work"][data-status="saved"]').waitFor({ timeout: 20_000 });
    await page.reload();
    await modelReady(page);
    await loadedAgain(page, 0);
    await page.getByTestId('saved-status').filter({ hasText: `Restored M${latest}` }).waitFor({ timeout: 20_000 });
    expect(await generation(page)).toBe(latest);
    expect(await fromTo(page)).toEqual(chain);
    await keepScreenshot(page, 'lab-1280-two-iterations-restored');
    expect(failed).toEqual([]);
    expect(problems).toEqual([]);
  }, 400_000);

});
