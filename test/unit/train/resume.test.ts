// Resumable training: a run stopped at a checkpoint (or asked to stop, as on SIGINT) and resumed
// from the checkpoint written to disk gives bit for bit the weights of a run that was never
// stopped, on both CPU backends — for the SFT loop and for pretraining M0 with its data stream
// (replayed up to the checkpoint's step). A checkpoint that does not fit the run is refused by name.
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../../src/lib/backend/cpu-backend.ts';
import { WasmBackend } from '../../../src/lib/backend/wasm-backend.ts';
import type { Backend } from '../../../src/lib/backend/backend.ts';
import { defineConfig } from '../../../src/lib/model/config.ts';
import { initWeights } from '../../../src/lib/model/weights.ts';
import { ModelParams } from '../../../src/lib/model/params.ts';
import { trainSft, type SftTrainConfig } from '../../../src/lib/train/trainer.ts';
import { loadTrainState, saveTrainState, type TrainSnapshot } from '../../../src/lib/train/train-state.ts';
import { DEFAULT_BASE_TRAIN, trainBaseModel, type BaseTrainOptions } from '../../../src/lib/train/base-model.ts';
import { MemoryFiles } from '../../../src/lib/formats/memory-files.ts';
import { createTokenizer } from '../../../src/lib/math/vocab.ts';
import { defaultWorldConfig } from '../../../src/lib/math/config.ts';
import { memoriseExample } from '../../util/memorise.ts';
import { seededRng } from '../model/helpers.ts';

const config = defineConfig({
  modelType: 'llama', hiddenSize: 24, intermediateSize: 48, numLayers: 2, numHeads: 4, numKvHeads: 2,
  vocabSize: 20, tieWordEmbeddings: true, maxPositionEmbeddings: 16,
});
const cfg: SftTrainConfig = {
  steps: 12, batchRows: 3, seqLen: 6, logEvery: 4,
  lr: { maxLr: 3e-2, minLr: 3e-3, warmupSteps: 3 },
  adamw: { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.01, maxGradNorm: 1 },
};

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** A batch that depends on the step (so a wrong data position would show). */
function batchAt(step: number) {
  const ex = memoriseExample();
  const ids = ex.batch.tokens as Int32Array;
  for (let i = 0; i < ids.length; i++) if (ids[i] > 0) ids[i] = 1 + ((ids[i] + step) % 19);
  return ex;
}

const BACKENDS: [string, () => Backend][] = [['cpu', () => new CpuBackend()], ['wasm', () => new WasmBackend(64 * 1024 * 1024)]];

describe.each(BACKENDS)('trainSft resumes exactly (%s)', (_name, make) => {
  it('stopped after 5 steps, saved, loaded and resumed = never stopped', async () => {
    const straight = ModelParams.create(make(), config, initWeights(config, seededRng(4)), null, 'full');
    const fullLog = await trainSft(straight, batchAt, cfg);
    const want = await straight.readWeights();

    const disk = new MemoryFiles();
    const first = ModelParams.create(make(), config, initWeights(config, seededRng(4)), null, 'full');
    await trainSft(first, batchAt, cfg, {
      shouldStop: (step) => step === 4,
      onCheckpoint: async (snap) => void (await saveTrainState(disk, { ...snap, run: { what: 'test' } })),
    });
    const snap = await loadTrainState(disk);
    expect(snap.step).toBe(5);
    expect(snap.run).toEqual({ what: 'test' });
    // A fresh process: new params from the same init, the state from disk.
    const second = ModelParams.create(make(), config, initWeights(config, seededRng(4)), null, 'full');
    const log = await trainSft(second, batchAt, cfg, { resume: snap });
    const got = await second.readWeights();
    expect(bits(got.embedTokens)).toEqual(bits(want.embedTokens));
    for (const [l, layer] of want.layers.entries()) {
      for (const [k, v] of Object.entries(layer)) if (v) expect(bits((got.layers[l] as unknown as Record<string, Float32Array>)[k]), `layer ${l} ${k}`).toEqual(bits(v as Float32Array));
    }
    expect(log.at(-1)!.step).toBe(12);
    expect(log.at(-1)!.loss).toBe(fullLog.at(-1)!.loss);
  });
});

describe('checkpoints on a schedule, and refusals', () => {
  it('checkpointEveryTokens hands out snapshots every so many trained tokens', async () => {
    const p = ModelParams.create(new CpuBackend(), config, initWeights(config, seededRng(5)), null, 'full');
    const steps: number[] = [];
    // 3 rows × 6 positions = 18 tokens a step: every 90 tokens is every 5 steps (none at the last step).
    await trainSft(p, batchAt, cfg, { checkpointEveryTokens: 90, onCheckpoint: (s) => void steps.push(s.step) });
    expect(steps).toEqual([5, 10]);
  });

  it('a checkpoint of another run or a damaged one is a TrainStateError', async () => {
    const disk = new MemoryFiles();
    const p = ModelParams.create(new CpuBackend(), config, initWeights(config, seededRng(6)), null, 'full');
    let snap: TrainSnapshot | null = null;
    await trainSft(p, batchAt, cfg, { shouldStop: (s) => s === 1, onCheckpoint: async (s) => void (snap = { ...s, run: null }) });
    await saveTrainState(disk, snap!);
    const q = ModelParams.create(new CpuBackend(), config, initWeights(config, seededRng(6)), null, 'full');
    await expect(trainSft(q, batchAt, { ...cfg, steps: 20 }, { resume: snap })).rejects.toThrow(/a run of 12 steps, this one has 20/);
    await expect(loadTrainState(new MemoryFiles())).rejects.toMatchObject({ name: 'TrainStateError' });
    await disk.write('train-state.json', new TextEncoder().encode('{"format":"psr-lab-train-state/1","step":3,"totalSteps":12,"tensorFile":"train-state-2.safetensors","tensors":[]}'));
    await expect(loadTrainState(disk)).rejects.toThrow(/is of step 2, not 3/);
  });
});

describe('pretraining M0 resumes exactly', () => {
  it('the data stream is replayed to the checkpoint: same weights as an uninterrupted run (wasm)', async () => {
    const world = defaultWorldConfig();
    const tok = createTokenizer(world);
    const opts: BaseTrainOptions = {
      ...DEFAULT_BASE_TRAIN, seed: 3, datasetSeed: 1, tokens: 6 * 4 * 64, batchRows: 4, seqLen: 64, warmupSteps: 2,
      shape: { hiddenSize: 16, intermediateSize: 32, numLayers: 1, numHeads: 2, numKvHeads: 1 },
    };
    const wasm = () => new WasmBackend(64 * 1024 * 1024);
    const straight = await trainBaseModel(wasm(), world, tok, opts);
    let snap: TrainSnapshot | null = null;
    await trainBaseModel(wasm(), world, tok, opts, { shouldStop: (s) => s === 2, onCheckpoint: (s) => void (snap = { ...s, run: null }) });
    expect(snap!.step).toBe(3);
    const resumed = await trainBaseModel(wasm(), world, tok, opts, { resume: snap });
    expect(bits(resumed.weights.embedTokens)).toEqual(bits(straight.weights.embedTokens));
    expect(bits(resumed.weights.layers[0].downProj)).toEqual(bits(straight.weights.layers[0].downProj));
    expect(resumed.summary.steps).toBe(6);
  }, 120_000);
});

describe('the CLI side', () => {
  it('--resume refuses flags that would change the run, and a folder without a checkpoint', async () => {
    const { runCli } = await import('../../../src/cli/cli.ts');
    const { captureIo } = await import('../../util/cli-io.ts');
    const a = captureIo();
    expect(await runCli(['train-base', '--resume', '/nonexistent-psr-run', '--tokens', '5000'], a)).toBe(2);
    expect(a.stderr).toContain('--resume continues a run with the options it recorded; drop --tokens.');
    const b = captureIo();
    expect(await runCli(['cold-start', '--resume', '/nonexistent-psr-run'], b)).toBe(1);
    expect(b.stderr).toMatch(/^TrainStateError: the training checkpoint is unusable: train-state.json is missing/);
  });
});
