// `psr run` in-process on a micro checkpoint: writes metrics, Step-DPO JSONL pairs that parse
// back, and a PEFT adapter per iteration; bad flags are usage errors.
import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/cli.ts';
import { saveAdapter, saveCheckpoint } from '../../src/lib/model/checkpoint.ts';
import { NodeFiles } from '../../src/lib/formats/node-files.ts';
import { toTokenizerConfig, toTokenizerJson } from '../../src/lib/tokenizer/index.ts';
import { parsePairsJsonl } from '../../src/lib/psr/pairs.ts';
import { parseChain } from '../../src/lib/psr/chain.ts';
import { WasmBackend } from '../../src/lib/backend/wasm-backend.ts';
import { microLoop } from '../util/micro-loop.ts';
import { captureIo as io } from '../util/cli-io.ts';

describe('psr run', () => {
  it('writes metrics, pairs and adapters for one PSR iteration', async () => {
    const { ctx, adapter } = microLoop(new WasmBackend(64 * 1024 * 1024));
    const dir = await mkdtemp(join(tmpdir(), 'psr-run-'));
    const model = join(dir, 'model');
    const adapterDir = join(dir, 'm1');
    await saveCheckpoint(new NodeFiles(model), { config: ctx.config, weights: ctx.base, tokenizerJson: toTokenizerJson(ctx.tok) });
    await writeFile(join(model, 'tokenizer_config.json'), JSON.stringify(toTokenizerConfig(ctx.tok)));
    await saveAdapter(new NodeFiles(adapterDir), ctx.config, adapter);
    const out = join(dir, 'run');
    const o = io();
    const code = await runCli(
      ['run', '--model', model, '--adapter', adapterDir, '--out', out, '--iterations', '1', '--problems', '2', '--w', '3', '--max-steps', '2',
        '--temperature', '1', '--eval-problems', '2', '--eval-pairs', '2', '--json'],
      o,
    );
    expect(code, o.stderr).toBe(0);
    const metrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.reports).toHaveLength(1);
    expect(metrics.pool_sizes).toEqual([2]);
    const pairs = parsePairsJsonl(await readFile(join(out, 'pairs-iter1.jsonl'), 'utf8'));
    expect(pairs.length).toBe(metrics.reports[0].pairs);
    expect((await readdir(join(out, 'adapter-M2'))).sort()).toEqual(['adapter_config.json', 'adapter_model.safetensors']);

    // loop-table --chain: the recorded chain the page reads, with the run's last adapter beside it.
    const chainDir = join(dir, 'chain');
    const t = io();
    expect(await runCli(['loop-table', out, '--chain', chainDir, '--summary', 'one test run'], t), t.stderr).toBe(0);
    const chain = parseChain(JSON.parse(await readFile(join(chainDir, 'chain.json'), 'utf8')));
    expect(chain.summary).toBe('one test run');
    expect(chain.evalSet.problemIds).toHaveLength(2);
    expect(chain.runs[0].models.map((m) => m.correct)).toEqual([metrics.start.solve.correct, metrics.reports[0].evaluation.solve.correct]);
    expect(chain.adapter).toEqual({ path: 'adapter-M2', label: 'psr', seed: 1, model: 'M2' });
    expect(await readFile(join(chainDir, 'adapter-M2', 'adapter_model.safetensors'))).toEqual(await readFile(join(out, 'adapter-M2', 'adapter_model.safetensors')));
    const u = io();
    expect(await runCli(['loop-table', out, '--chain', chainDir, '--chain-adapter', join(dir, 'elsewhere')], u)).toBe(2);
    expect(u.stderr).toContain('is not one of the run folders');

    // pair-audit: the searched model's greedy step at every trained prefix, graded with the chosen one.
    const pa = io();
    expect(await runCli(['pair-audit', '--model', model, '--adapter', adapterDir, '--pairs', join(out, 'pairs-iter1.jsonl'), '--backend', 'wasm', '--json'], pa), pa.stderr).toBe(0);
    const audit = JSON.parse(pa.stdout);
    expect(audit.audited).toBe(pairs.length);
    expect(audit.chosenIsGreedy + audit.onlyChosen + audit.onlyGreedy).toBeLessThanOrEqual(pairs.length);
    expect(audit.advantage.value).toBeCloseTo(audit.chosenValid.value - audit.greedyValid.value, 12);
    // --run: every iteration of the folder, written beside its metrics, the same numbers; loop-table reads it.
    const pr = io();
    expect(await runCli(['pair-audit', '--model', model, '--adapter', adapterDir, '--run', out, '--backend', 'wasm'], pr), pr.stderr).toBe(0);
    const saved = JSON.parse(await readFile(join(out, 'greedy-audit.json'), 'utf8'));
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({ iteration: 1, pairs: audit.pairs, chosenIsGreedy: audit.chosenIsGreedy, onlyChosen: audit.onlyChosen });
    const lt = io();
    expect(await runCli(['loop-table', out], lt), lt.stderr).toBe(0);
    expect(lt.stdout).toContain(`${(100 * audit.chosenValid.value).toFixed(1)} vs ${(100 * audit.greedyValid.value).toFixed(1)}`);
    const none = io();
    expect(await runCli(['pair-audit', '--model', model, '--pairs', join(dir, 'nowhere.jsonl')], none)).toBe(2);
    expect(none.stderr).toContain('cannot be read');

    // --pairs-from: the same pairs trained again without a search give the same adapter (a training-settings sweep
    // compares settings on identical pairs).
    const again = join(dir, 'again');
    const q = io();
    const args = ['run', '--model', model, '--adapter', adapterDir, '--iterations', '1', '--problems', '2', '--w', '3', '--max-steps', '2',
      '--temperature', '1', '--eval-problems', '2', '--eval-pairs', '2'];
    expect(await runCli([...args, '--out', again, '--pairs-from', join(out, 'pairs-iter1.jsonl')], q), q.stderr).toBe(0);
    expect(q.stderr).not.toContain('problem ');
    const m2 = JSON.parse(await readFile(join(again, 'metrics.json'), 'utf8'));
    expect(m2.pairs_from).toBe(join(out, 'pairs-iter1.jsonl'));
    expect(m2.command).toContain('--pairs-from');
    expect(m2.reports[0].pairs).toBe(pairs.length);
    expect(m2.reports[0].searchStats).toBeNull();
    expect(m2.reports[0].dpo).toEqual(metrics.reports[0].dpo);
    expect(await readFile(join(again, 'adapter-M2', 'adapter_model.safetensors'))).toEqual(await readFile(join(out, 'adapter-M2', 'adapter_model.safetensors')));
    const empty = join(dir, 'empty.jsonl');
    await writeFile(empty, '');
    const e = io();
    expect(await runCli([...args, '--out', join(dir, 'x'), '--pairs-from', empty], e)).toBe(2);
    expect(e.stderr).toContain('holds no pairs');
  }, 60_000);

  it('rejects a bad method with exit 2', async () => {
    const o = io();
    expect(await runCli(['run', '--model', 'x', '--out', 'z', '--method', 'magic'], o)).toBe(2);
    expect(o.stderr).toContain('SettingsError: --method (Method) must be one of psr, srlm; got "magic".');
  });

  it('names a bad --judge, and refuses the oracle control outside the step-wise search', async () => {
    const o = io();
    expect(await runCli(['run', '--model', 'x', '--out', 'z', '--judge', 'gpt'], o)).toBe(2);
    expect(o.stderr).toContain('SettingsError: --judge (Judge) must be one of self, oracle, random; got "gpt".');
    const p = io();
    expect(await runCli(['run', '--model', 'x', '--out', 'z', '--method', 'srlm', '--judge', 'oracle'], p)).toBe(2);
    expect(p.stderr).toContain('--judge oracle is a control for the step-wise search');
  });
});
