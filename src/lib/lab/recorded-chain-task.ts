// "Check it yourself": the recorded chain (psr/chain.ts) ships beside the model with the final
// adapter of one of its runs. The page re-solves the chain's held-out problems (all of them, or an
// even subset) greedily with M1 — the model as shipped — and with M1 + that adapter, in this tab,
// and compares each answer with the record. Nothing here trains; the oracle only grades.
import type { FileSource } from '../formats/files.ts';
import type { LoadedModel } from '../model/load-model.ts';
import type { Backend } from '../backend/backend.ts';
import { ModelParams } from '../model/params.ts';
import type { QuantizedModelWeights } from '../model/quant-checkpoint.ts';
import { loadAdapter } from '../model/checkpoint.ts';
import { planLoop } from '../psr/plan.ts';
import { solveGreedy } from '../psr/evaluate.ts';
import { checkSubset, parseChain, type RecordedChain } from '../psr/chain.ts';
import { presetSettings } from '../settings/table.ts';
import { ImportError, InvalidInputError } from '../errors.ts';
import type { RecordedCheckResult } from './types.ts';

/** The chain's file, relative to the model folder. */
export const CHAIN_DIR = 'chain/';
const CHAIN_FILE = 'chain.json';
/** As the loop's evaluation solves (psr/loop.ts evaluateModel). */
const SOLVE = { format: 'steps', rowsPerBatch: 32, maxNewTokens: 320 } as const;

/** The model folder's recorded chain, or null when it ships none. */
export async function readRecordedChain(files: FileSource): Promise<RecordedChain | null> {
  if (!(await files.exists(CHAIN_FILE))) return null;
  const text = new TextDecoder().decode(await files.read(CHAIN_FILE));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ImportError(`${CHAIN_DIR}${CHAIN_FILE} is not JSON; write it again with \`psr loop-table DIR… --chain OUT\`.`);
  }
  return parseChain(json);
}

export interface RecordedCheckInput {
  model: LoadedModel;
  backend: Backend;
  quantized: QuantizedModelWeights | null;
  chain: RecordedChain;
  /** The model folder's chain/ (the adapter's folder is read below it). */
  files: (path: string) => FileSource;
  /** Problems to solve: an even subset of the chain's evaluation set (all when ≥ its size). */
  problems: number;
  onProgress: (fraction: number) => void;
}

export async function checkRecordedChain(input: RecordedCheckInput): Promise<RecordedCheckResult> {
  const { chain, model } = input;
  if (!chain.adapter) throw new InvalidInputError('this recorded chain ships no adapter, so there is nothing to check; the table above is all there is.');
  if (!Number.isInteger(input.problems) || input.problems < 1) throw new InvalidInputError(`the check needs a whole number of problems, at least 1 (got ${input.problems}).`);
  const t0 = performance.now();
  const e = chain.evalSet;
  // The same held-out problems `psr run` evaluated: the plan's even spread for the chain's dataset seed and levels.
  const settings = { ...presetSettings('demo'), datasetSeed: e.datasetSeed, evalProblems: e.problems, evalDifficulties: [...e.difficulties], evalPairs: 1, problems: 1 };
  const test = planLoop(settings, { firstIteration: 1, iterations: 1, world: model.world, frontier: model.meta.frontier }).eval.test;
  if (test.map((p) => p.id).join() !== e.problemIds.join()) {
    throw new ImportError(`this model's world does not give the ${e.problems} held-out problems the record was evaluated on; the record belongs to another model (write it again with \`psr loop-table … --chain\` from runs of this one).`);
  }
  const indices = checkSubset(test.length, input.problems);
  const problems = indices.map((i) => test[i]);
  const adapter = await loadAdapter(input.files(chain.adapter.path.endsWith('/') ? chain.adapter.path : `${chain.adapter.path}/`), model.config);
  const solveWith = async (a: typeof adapter | null, from: number) => {
    const params = ModelParams.create(input.backend, model.config, model.weights, a, 'none', input.quantized);
    try {
      const solved = await solveGreedy(params, model.tok, problems, SOLVE, (done, total) => input.onProgress(from + 0.5 * (done / total)));
      return solved.map((s) => s.correct);
    } finally {
      params.free();
    }
  };
  // M1 is the model as shipped (its own adapter, if it has one); the record's last model adds the shipped adapter.
  const before = await solveWith(model.adapter, 0);
  const after = await solveWith(adapter, 0.5);
  input.onProgress(1);
  return {
    indices,
    problemIds: problems.map((p) => p.id),
    before,
    after,
    beforeLabel: 'M1',
    afterLabel: chain.adapter.model,
    ms: performance.now() - t0,
  };
}
