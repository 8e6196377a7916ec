// One iteration plan for the app and the CLI: the page's iteration (EngineApi.runIteration) and
// `psr run --iterations 1` with the same settings search the same pool and make the same pairs and
// the same adapter. Settings are checked where they enter, with the table's labels and ranges, and
// the benchmark takes the task gate like every other task.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/cli.ts';
import { Engine } from '../../../src/lib/engine.ts';
import { NodeFiles } from '../../../src/lib/formats/node-files.ts';
import { NoAdapterError } from '../../../src/lib/errors.ts';
import { captureIo } from '../../util/cli-io.ts';
import { diskEngine, microModelDir } from './micro-model-dir.ts';
import { rejection } from '../../util/rejection.ts';

let dir: string;
let out: string;
beforeAll(async () => {
  dir = await microModelDir();
  out = await mkdtemp(join(tmpdir(), 'psr-lab-parity-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(out, { recursive: true, force: true });
});

describe('the app and the CLI run the same iteration plan', () => {
  it('same settings: same pool, same pairs, same adapter', async () => {
    const settings = { problems: 2, w: 3, temperature: 1, maxSteps: 2, evalProblems: 2, evalPairs: 2, epochs: 1, seed: 3 };
    const io = captureIo();
    const code = await runCli(
      ['run', '--model', dir, '--out', out, '--iterations', '1', '--backend', 'wasm', '--problems', '2', '--w', '3', '--temperature', '1',
        '--max-steps', '2', '--eval-problems', '2', '--eval-pairs', '2', '--epochs', '1', '--seed', '3'],
      io,
    );
    expect(code, io.stderr).toBe(0);
    const engine = diskEngine();
    await engine.loadModel({ baseUrl: dir, backend: 'wasm' });
    const app = await engine.runIteration(settings);
    const cliMetrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'));
    expect(cliMetrics.reports[0].poolSize).toBe(app.report.poolSize);
    expect(app.report.pairs).toBeGreaterThan(0);
    expect(cliMetrics.reports[0].pairs).toBe(app.report.pairs);
    expect(await engine.exportPairs()).toBe(await readFile(join(out, 'pairs-iter1.jsonl'), 'utf8'));
    const { files } = await engine.exportAdapter();
    const cliAdapter = new NodeFiles(join(out, 'adapter-M2'));
    for (const f of files) expect(Buffer.from(f.bytes).equals(Buffer.from(await cliAdapter.read(f.name))), f.name).toBe(true);
    // And the evaluation: the same even spread of the held-out sets.
    expect(app.report.evaluation?.solve.accuracy).toBe(cliMetrics.reports[0].evaluation.solve.accuracy);
  }, 120_000);
});

describe('settings enter through the table', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = diskEngine();
    await engine.loadModel({ baseUrl: dir, backend: 'wasm' });
  });

  it('a bad value is a SettingsError with the input\'s label and range, and the model is unchanged', async () => {
    const e = await rejection(engine.runIteration({ w: 40 }));
    expect(e.name).toBe('SettingsError');
    expect(e.message).toBe('Candidates per step (w) must be a whole number from 2 to 32; got 40.');
    expect((await rejection(engine.runIteration({ evalProblems: null as unknown as number }))).message).toBe(
      'Evaluation problems must be a whole number from 1 to 500; got null.',
    );
    expect((await engine.modelInfo())?.generation).toBe(1);
  });

  it('a setting a task does not take is refused by name', async () => {
    expect((await rejection(engine.runIteration({ backend: 'cpu' } as never))).message).toMatch(/An iteration takes no setting "backend"/);
    const p = await engine.newProblem(1, 1);
    expect((await rejection(engine.searchOneProblem(p.question, { epochs: 2 } as never))).message).toMatch(/A watched search takes no setting "epochs"/);
    expect((await rejection(engine.solve(p.question, undefined, { maxSteps: 0 }))).message).toMatch(/^Most steps per solution must be/);
    expect((await rejection(engine.loadModel({ baseUrl: dir, backend: 'tpu' as never }))).message).toMatch(/^Backend must be one of auto, webgpu, wasm, cpu/);
  });
});

describe('the benchmark takes the task gate', () => {
  it('is refused while a task runs, and refuses other tasks while it runs', async () => {
    let release!: () => void;
    const gpuAsked = new Promise<void>((r) => (release = r));
    // A device that is slow to come and then missing: the benchmark holds the gate meanwhile.
    const engine = new Engine(
      async () => {
        await gpuAsked;
        throw new NoAdapterError('no GPU adapter in this test.');
      },
      { files: (d) => new NodeFiles(d), wasmBytes: 96 * 1024 * 1024 },
    );
    await engine.loadModel({ baseUrl: dir, backend: 'wasm' });
    const p = await engine.newProblem(2, 2);
    const search = engine.searchOneProblem(p.question, { w: 4, temperature: 1, maxSteps: 6 });
    const refused = await rejection(engine.bench({ quick: true, ort: false }));
    expect(refused.name).toBe('EngineBusyError');
    expect(refused.message).toMatch(/busy with "search", and a benchmark measured under load would be wrong/);
    await engine.cancel();
    await rejection(search);

    const bench = engine.bench({ quick: true, ort: false });
    await new Promise((r) => setTimeout(r, 10));
    expect(await engine.taskStatus()).toEqual({ task: 'benchmark', paused: false });
    const blocked = await rejection(engine.runIteration({ problems: 1 }));
    expect(blocked.name).toBe('EngineBusyError');
    expect(blocked.message).toMatch(/busy with "benchmark"/);
    release();
    expect((await rejection(bench)).name).toBe('NoAdapterError');
    expect(await engine.taskStatus()).toEqual({ task: null, paused: false });
  });
});
