// `psr run --iterations K --problems N --seed S [--method psr|srlm] --out DIR --model DIR --adapter DIR`:
// the self-rewarding loop headless. Writes per-iteration metrics (metrics.json), the preference
// pairs of each iteration as Step-DPO JSONL, and each iteration's PEFT adapter.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from '../command.ts';
import { intFlag, seedFlag } from '../math-flags.ts';
import { createBackend, parseBackendName } from '../backends.ts';
import { loadModelDir } from '../model-dir.ts';
import { keepQuantized } from '../../lib/model/params.ts';
import { defaultWorldConfig } from '../../lib/math/config.ts';
import { buildDatasets, DEFAULT_DATASET_OPTIONS } from '../../lib/math/datasets.ts';
import { runIterations, type LoopEvent, type Method } from '../../lib/psr/loop.ts';
import { searchSettings } from '../../lib/psr/search-config.ts';
import { DEFAULT_SRLM_SETTINGS } from '../../lib/psr/srlm.ts';
import { DEFAULT_STEP_DPO } from '../../lib/train/step-dpo.ts';
import { pairsToJsonl } from '../../lib/psr/pairs.ts';
import { saveAdapter } from '../../lib/model/checkpoint.ts';
import { NodeFiles } from '../../lib/formats/node-files.ts';
import { UsageError } from '../../lib/errors.ts';
import type { JudgeSource } from '../../lib/psr/oracle-judge.ts';
import { initLora } from '../../lib/model/lora.ts';
import { defineLoraConfig, LORA_TARGETS } from '../../lib/model/lora-config.ts';
import { createRng } from '../../lib/math/rng.ts';

function numFlag(v: unknown, name: string, fallback: number, ok: (x: number) => boolean): number {
  if (v === undefined) return fallback;
  const x = Number(v);
  if (typeof v !== 'string' || !Number.isFinite(x) || !ok(x)) throw new UsageError(`--${name} got ${String(v)}; pass a number in range (default ${fallback}).`);
  return x;
}

export const runCommand: Command = {
  name: 'run',
  summary: 'Run the self-rewarding loop headless (PSR or the SRLM baseline): pairs as Step-DPO JSONL, adapters, metrics.',
  usage:
    'run --model DIR [--adapter DIR | --rank R] --out DIR [--method psr|srlm] [--iterations K] [--problems N] [--seed S] [--dataset-seed S] ' +
    '[--w 6] [--max-steps 20] [--temperature 0.5] [--beta 0.1] [--nll 0] [--lr 5e-4] [--epochs 2] [--eval-problems N] [--eval-pairs N] [--judge self|oracle] [--backend wasm|cpu|webgpu] [--events] [--json]',
  options: {
    ...Object.fromEntries(
      ['model', 'adapter', 'rank', 'out', 'method', 'judge', 'nll', 'iterations', 'problems', 'seed', 'dataset-seed', 'w', 'max-steps', 'temperature', 'beta', 'lr', 'epochs', 'eval-problems', 'eval-pairs', 'backend'].map(
        (k) => [k, { type: 'string' as const }],
      ),
    ),
    events: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run(flags, _positionals, io) {
    for (const f of ['model', 'out']) if (typeof flags[f] !== 'string') throw new UsageError(`--${f} DIR is required.`);
    const method = (flags.method ?? 'psr') as Method;
    const judge = (flags.judge ?? 'self') as JudgeSource;
    if (judge !== 'self' && judge !== 'oracle') throw new UsageError(`--judge must be self or oracle (got ${String(flags.judge)}).`);
    if (judge === 'oracle' && method !== 'psr') throw new UsageError('--judge oracle is a control for the step-wise search; use it with --method psr.');
    if (method !== 'psr' && method !== 'srlm') throw new UsageError(`--method must be psr or srlm (got ${String(flags.method)}).`);
    const iterations = intFlag(flags, 'iterations', 1, 10, 3);
    const problems = intFlag(flags, 'problems', 1, 10000, 64);
    const seed = seedFlag(flags, 1);
    const datasetSeed = intFlag(flags, 'dataset-seed', 0, 4294967295, 1);
    const evalProblems = intFlag(flags, 'eval-problems', 1, 100000, DEFAULT_DATASET_OPTIONS.testCount);
    const evalPairs = intFlag(flags, 'eval-pairs', 1, 100000, DEFAULT_DATASET_OPTIONS.eftTestCount);
    const search = searchSettings({
      w: intFlag(flags, 'w', 2, 32, 6),
      maxSteps: intFlag(flags, 'max-steps', 1, 64, 20),
      temperature: numFlag(flags.temperature, 'temperature', 0.5, (x) => x >= 0 && x <= 5),
    });
    const dpo = {
      ...DEFAULT_STEP_DPO,
      beta: numFlag(flags.beta, 'beta', DEFAULT_STEP_DPO.beta, (x) => x > 0 && x < 100),
      nllWeight: numFlag(flags.nll, 'nll', DEFAULT_STEP_DPO.nllWeight, (x) => x >= 0 && x <= 100),
      lr: numFlag(flags.lr, 'lr', DEFAULT_STEP_DPO.lr, (x) => x > 0 && x < 1),
      epochs: intFlag(flags, 'epochs', 1, 100, DEFAULT_STEP_DPO.epochs),
    };
    const out = flags.out as string;
    await mkdir(out, { recursive: true });
    const m = await loadModelDir(flags.model as string, typeof flags.adapter === 'string' ? flags.adapter : undefined);
    // Without --adapter the loop starts from a fresh LoRA adapter (B = 0: exactly the model in --model).
    const rank = intFlag(flags, 'rank', 1, 256, 16);
    const startAdapter = m.adapter ?? initLora(m.config, defineLoraConfig({ r: rank, alpha: rank, targetModules: [...LORA_TARGETS] }), createRng(seed).fork('loop-lora'));
    // Pools grow like the paper's 400/800/1,200: N, 2N, 3N fresh problems, disjoint from the held-out sets.
    const poolSizes = Array.from({ length: iterations }, (_, i) => problems * (i + 1));
    const data = buildDatasets(defaultWorldConfig(), {
      seed: datasetSeed, ...DEFAULT_DATASET_OPTIONS, iftCount: 0, eftCount: 0, poolSizes,
      testCount: Math.max(evalProblems, DEFAULT_DATASET_OPTIONS.testCount), eftTestCount: Math.max(evalPairs, DEFAULT_DATASET_OPTIONS.eftTestCount),
    });
    const pick = <T>(xs: T[], n: number) => (n >= xs.length ? xs : Array.from({ length: n }, (_, i) => xs[Math.floor((i * xs.length) / n)]));
    const events: string[] = [];
    const { backend, dispose } = await createBackend(parseBackendName(flags.backend));
    const t0 = performance.now();
    try {
      const ctx = { backend, config: m.config, base: m.weights, quantized: keepQuantized(backend, m.quantized), tok: m.tok, eval: { test: pick(data.test, evalProblems), eftTest: pick(data.eftTest, evalPairs) } };
      const result = await runIterations(
        ctx,
        startAdapter,
        { method, pools: data.pools, search, srlm: DEFAULT_SRLM_SETTINGS, dpo, seed, judge },
        {
          onEvent(e: LoopEvent) {
            if (flags.events) events.push(JSON.stringify(e));
            if (e.type === 'stage') io.err(`[iteration ${e.iteration}] ${e.stage}\n`);
            else if (e.type === 'search' && e.event.type === 'problem-end') io.err(`  problem ${e.event.problemId}: ${e.event.steps.length} steps, ${e.event.pairs} pairs\n`);
            else if (e.type === 'evaluation') io.err(`  ${e.model}: accuracy ${(100 * e.result.solve.accuracy).toFixed(1)} %, judge ${(100 * e.result.judge.judge_accuracy).toFixed(1)} %\n`);
          },
          async onIteration(report, adapter, pairs) {
            await writeFile(join(out, `pairs-iter${report.iteration}.jsonl`), pairsToJsonl(pairs));
            const dir = join(out, `adapter-M${report.iteration + 1}`);
            await mkdir(dir, { recursive: true });
            await saveAdapter(new NodeFiles(dir), m.config, adapter);
          },
        },
      );
      const metrics = {
        method, judge, iterations, problems, pool_sizes: poolSizes, seed, dataset_seed: datasetSeed, search, dpo,
        eval_problems: ctx.eval.test.length, eval_pairs: ctx.eval.eftTest.length,
        start: result.start, reports: result.reports, seconds: (performance.now() - t0) / 1000,
        command: `npm run psr -- run --model ${flags.model}${typeof flags.adapter === 'string' ? ` --adapter ${flags.adapter}` : ` --rank ${rank}`} --method ${method}${judge === 'oracle' ? ' --judge oracle' : ''} --iterations ${iterations} --problems ${problems} --seed ${seed} --dataset-seed ${datasetSeed} ` +
          `--w ${search.w} --max-steps ${search.maxSteps} --temperature ${search.temperature} --beta ${dpo.beta} --nll ${dpo.nllWeight} --lr ${dpo.lr} --epochs ${dpo.epochs} ` +
          `--eval-problems ${ctx.eval.test.length} --eval-pairs ${ctx.eval.eftTest.length} --out ${out}`,
      };
      await writeFile(join(out, 'metrics.json'), JSON.stringify(metrics, null, 2) + '\n');
      if (flags.events) await writeFile(join(out, 'events.jsonl'), events.join('\n') + '\n');
      io.out(flags.json ? JSON.stringify(metrics, null, 2) + '\n' : `done: ${result.reports.length} iterations in ${metrics.seconds.toFixed(0)} s; metrics in ${join(out, 'metrics.json')}\n`);
      return 0;
    } finally {
      await dispose();
    }
  },
};
