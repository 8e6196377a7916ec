// Step-DPO on a micro model: the loss starts at log 2 (reference = policy), falls, the chosen
// step's log-prob rises relative to the rejected one, only LoRA moves, and bad settings are named.
import { describe, expect, it } from 'vitest';
import { WasmBackend } from '../../../src/lib/backend/wasm-backend.ts';
import { defineConfig } from '../../../src/lib/model/config.ts';
import { initWeights } from '../../../src/lib/model/weights.ts';
import { initLora } from '../../../src/lib/model/lora.ts';
import { defineLoraConfig, LORA_TARGETS } from '../../../src/lib/model/lora-config.ts';
import { ModelParams } from '../../../src/lib/model/params.ts';
import { createTokenizer } from '../../../src/lib/math/vocab.ts';
import { defaultWorldConfig } from '../../../src/lib/math/config.ts';
import { generateProblems } from '../../../src/lib/math/generator.ts';
import { createRng } from '../../../src/lib/math/rng.ts';
import { DEFAULT_STEP_DPO, splitPasses, trainStepDpo, type StepPair } from '../../../src/lib/train/step-dpo.ts';
import { fillNormal } from '../../../src/lib/model/random-init.ts';

const world = defaultWorldConfig();
const tok = createTokenizer(world);

function micro() {
  const config = defineConfig({
    modelType: 'llama', hiddenSize: 32, intermediateSize: 64, numLayers: 2, numHeads: 4, numKvHeads: 2,
    vocabSize: tok.size, tieWordEmbeddings: true, maxPositionEmbeddings: 512,
  });
  const rng = createRng(3);
  const weights = initWeights(config, rng);
  fillNormal(weights.embedTokens, 1, rng);
  const adapter = initLora(config, defineLoraConfig({ r: 8, alpha: 16, targetModules: [...LORA_TARGETS] }), rng);
  return { config, weights, params: ModelParams.create(new WasmBackend(256 * 1024 * 1024), config, weights, adapter, 'lora') };
}

const pairs: StepPair[] = generateProblems(world, { seed: 4, count: 6, difficulty: 2 }).map((p) => ({
  question: p.question,
  previousSteps: p.steps.slice(0, 1),
  chosen: p.steps[1],
  rejected: p.steps[1].replace(/= (\d+)/, (_, n) => `= ${Number(n) + 1}`),
  chosenFinal: true,
  rejectedFinal: true,
}));

describe('trainStepDpo', () => {
  it('lowers the loss from log 2 and separates chosen from rejected; the base is frozen', async () => {
    const { params, weights } = micro();
    const { log, ownPairs } = await trainStepDpo(params, tok, pairs, { ...DEFAULT_STEP_DPO, lr: 1e-2, epochs: 8, pairsPerBatch: 3, seed: 1 });
    expect(log).toHaveLength(16);
    // On its own pairs the trained model prefers the chosen step more often and more strongly than the
    // reference did (in absolute terms: a pair the reference strongly got wrong may stay wrong, while
    // the DPO reward, measured against the reference, is already right).
    expect(ownPairs.pairs).toBe(pairs.length);
    expect(ownPairs.preferChosenAfter).toBeGreaterThan(ownPairs.preferChosenBefore);
    expect(ownPairs.meanLogRatioAfter).toBeGreaterThan(ownPairs.meanLogRatioBefore + 1);
    expect(log[0].loss).toBeCloseTo(Math.log(2), 5);
    expect(log.at(-1)!.loss).toBeLessThan(0.6);
    expect(log.at(-1)!.margin).toBeGreaterThan(0);
    expect(log.at(-1)!.rewardAccuracy).toBe(1);
    expect(Array.from((await params.readWeights()).layers[0].qProj)).toEqual(Array.from(weights.layers[0].qProj));
  });

  it('keeps one training workspace at a time: memory is that of the longest batch, whatever the number of batch shapes', async () => {
    // One pair per batch, each with a different number of earlier steps: a different T every step.
    const problem = generateProblems(world, { seed: 5, count: 1, difficulty: 4 })[0];
    const varied: StepPair[] = problem.steps.slice(0, 4).map((step, k) => ({
      question: problem.question,
      previousSteps: problem.steps.slice(0, k),
      chosen: step,
      rejected: `${step} more`,
      chosenFinal: k === problem.steps.length - 1,
      rejectedFinal: false,
    }));
    const peak = async (ps: StepPair[]) => {
      const { params } = micro();
      const arena = (params.backend as WasmBackend).arena;
      let most = 0;
      await trainStepDpo(params, tok, ps, { ...DEFAULT_STEP_DPO, epochs: 1, pairsPerBatch: 1, seed: 1 }, () => {
        most = Math.max(most, arena.usedBytes); // during the step, its workspace is live
      });
      return most;
    };
    expect(await peak(varied)).toBeLessThanOrEqual(await peak(varied.slice(-1)));
  });

  it('splits a batch into passes within the token budget, and the update is the one of the whole batch', async () => {
    const enc = [{ chosen: Array(40).fill(1), rejected: Array(30).fill(1) }, { chosen: Array(20).fill(1), rejected: Array(20).fill(1) }, { chosen: Array(100).fill(1), rejected: Array(5).fill(1) }];
    // Padded lengths 48, 32, 112: pairs 0+1 take 2·2·48 = 192 positions; adding pair 2 would take 2·3·112.
    expect(splitPasses([0, 1, 2], enc, 200)).toEqual([[0, 1], [2]]);
    expect(splitPasses([0, 1, 2], enc, 10_000)).toEqual([[0, 1, 2]]);
    expect(splitPasses([2, 0], enc, 32)).toEqual([[2], [0]]); // a pair alone always gets its pass
    const whole = micro();
    const split = micro();
    const opts = { ...DEFAULT_STEP_DPO, lr: 1e-2, epochs: 2, pairsPerBatch: 6, seed: 1 };
    const a = (await trainStepDpo(whole.params, tok, pairs, opts)).log;
    const b = (await trainStepDpo(split.params, tok, pairs, { ...opts, maxTokensPerPass: 2 * 2 * 128 })).log;
    expect(b.map((e) => e.loss)).toEqual(a.map((e) => expect.closeTo(e.loss, 5)));
    expect(b.map((e) => e.gradNorm)).toEqual(a.map((e) => expect.closeTo(e.gradNorm, 4)));
    const [la, lb] = [await whole.params.readAdapter(), await split.params.readAdapter()];
    const [pa, pb] = [la.layers[1].v_proj!, lb.layers[1].v_proj!];
    expect(Array.from(pa.b).some((x) => x !== 0)).toBe(true); // it trained
    Array.from(pb.b).forEach((x, i) => expect(x).toBeCloseTo(pa.b[i], 5));
    Array.from(pb.a).forEach((x, i) => expect(x).toBeCloseTo(pa.a[i], 5));
  });

  it('the SFT control trains on the chosen steps alone: other rejected steps give the same adapter, and the chosen step gets likelier', async () => {
    const opts = { ...DEFAULT_STEP_DPO, objective: 'sft' as const, lr: 1e-2, epochs: 3, pairsPerBatch: 3, seed: 1 };
    const a = micro();
    const b = micro();
    const other = pairs.map((p) => ({ ...p, rejected: p.rejected.replace(/Step \d+: /, (m) => `${m}So `) }));
    const ra = await trainStepDpo(a.params, tok, pairs, opts);
    await trainStepDpo(b.params, tok, other, opts);
    const [la, lb] = [await a.params.readAdapter(), await b.params.readAdapter()];
    expect(Array.from(la.layers[0].q_proj!.b).some((x) => x !== 0)).toBe(true);
    expect(Array.from(lb.layers[0].q_proj!.b)).toEqual(Array.from(la.layers[0].q_proj!.b));
    // Its loss is the chosen steps' per-token NLL (not log 2), and it falls.
    expect(ra.log[0].loss).toBeGreaterThan(1);
    expect(ra.log.at(-1)!.loss).toBeLessThan(ra.log[0].loss);
    expect(ra.log.at(-1)!.chosenLogp).toBeGreaterThan(ra.log[0].chosenLogp);
    // DPO with the same data does depend on the rejected steps.
    const c = micro();
    const d = micro();
    await trainStepDpo(c.params, tok, pairs, { ...opts, objective: 'dpo' });
    await trainStepDpo(d.params, tok, other, { ...opts, objective: 'dpo' });
    expect(Array.from((await d.params.readAdapter()).layers[0].q_proj!.b)).not.toEqual(Array.from((await c.params.readAdapter()).layers[0].q_proj!.b));
  });

  // Bad β, lr, … are refused where settings enter (test/unit/settings); here only the data.
  it('names an empty pair list', async () => {
    const { params } = micro();
    await expect(trainStepDpo(params, tok, [], { ...DEFAULT_STEP_DPO, seed: 1 })).rejects.toThrow(/no preference pairs/);
  });
});
