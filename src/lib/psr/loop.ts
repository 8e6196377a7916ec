// The self-rewarding iterations M1 → M2 → … : each iteration searches a fresh problem pool with
// the current model (process-based: step-wise search and pairwise self-judging; or the
// outcome-level baseline), turns its own judgments into preference pairs, trains the LoRA
// adapter with step-DPO against the iteration's starting model, and evaluates the result.
// Reads like the paper: search → judge → pairs → train → evaluate, each stage a named event.
// The oracle only grades (pair quality, evaluation); it never feeds training.
import type { Backend } from '../backend/backend.ts';
import type { ModelConfig } from '../model/config.ts';
import type { ModelWeights } from '../model/weights.ts';
import type { QuantizedModelWeights } from '../model/quant-checkpoint.ts';
import type { LoraAdapter } from '../model/lora.ts';
import { ModelParams } from '../model/params.ts';
import type { Tokenizer } from '../tokenizer/tokenizer.ts';
import type { Problem } from '../math/generator.ts';
import type { EftExample } from '../math/datasets.ts';
import { scoreSolution } from '../math/checker.ts';
import { trainStepDpo, type DpoLogEntry, type OwnPairsChange, type StepDpoOptions } from '../train/step-dpo.ts';
import { NonFiniteError, isNamedError } from '../errors.ts';
import { searchPool } from './search.ts';
import { TinyStepModel, judgeOptionsFor, tinyStepOptionsFor } from './step-model.ts';
import type { JudgeWorkingMode } from '../math/judge-prompt.ts';
import type { SearchSettings } from './search-config.ts';
import type { SearchEvent } from './events.ts';
import type { SearchStats } from './search-stats.ts';
import type { PreferencePair } from './pairs.ts';
import { selectTrainingPairs, type TrainPairSelection } from './train-selection.ts';
import { pairQuality, qualityOf, summarizePairQuality, type PairQualitySummary } from './pair-quality.ts';
import { srlmPool, type SrlmEvent, type SrlmSettings } from './srlm.ts';
import { evaluateJudge, solveGreedy, summariseSolutions, type JudgeEvaluation, type SolveEvaluation } from './evaluate.ts';
import type { TaskControl } from './control.ts';
import { CoinJudgedStepModel, OracleJudgedStepModel, type JudgeSource } from './oracle-judge.ts';
import { auditAgainstGreedy, summariseAudit, type GreedyAudit } from './greedy-audit.ts';
import { evenSpread } from './plan.ts';

export type Method = 'psr' | 'srlm';

export interface LoopSettings {
  method: Method;
  /** Problem pools, one per iteration (their count is the number of iterations). */
  pools: Problem[][];
  search: SearchSettings;
  srlm: SrlmSettings;
  dpo: Omit<StepDpoOptions, 'seed'>;
  /** Which of an iteration's pairs it trains on (all of them by default); every pair is still reported and exported. */
  trainOn?: TrainPairSelection;
  seed: number;
  /** 'self' (the method). Controls: 'oracle' (the checker judges the model's candidates), 'random' (a seeded coin does). */
  judge?: JudgeSource;
  /** t of the starting model M_t (default 1): iterations are numbered t, t+1, … and models M_t, M_t+1, … */
  firstIteration?: number;
}

export interface EvalData {
  test: Problem[];
  eftTest: EftExample[];
  /** Longest greedy solution in tokens (320 fits six steps comfortably). */
  maxSolutionTokens?: number;
}

export interface ModelEvaluation {
  solve: SolveEvaluation;
  judge: JudgeEvaluation;
}

/** The most trained prefixes an iteration's greedy audit looks at (an even spread of them). */
export const GREEDY_AUDIT_PAIRS = 300;

export interface IterationReport {
  /** This iteration trained M{iteration+1} from M{iteration}'s own pairs. */
  iteration: number;
  method: Method;
  poolSize: number;
  pairs: number;
  /** The pairs training used (the training-pair selection: all of them by default). */
  trainedPairs: number;
  searchStats: SearchStats | null;
  srlmStats: { problems: number; pairs: number; droppedEqual: number; meanScore: number } | null;
  /** Oracle grading of the pairs (metrics only). */
  pairQuality: PairQualitySummary | null;
  /**
   * At (up to GREEDY_AUDIT_PAIRS of) the prefixes training used, the chosen step against M_t's own
   * greedy step there, both graded by the oracle after the fact (metrics only; step-wise methods).
   */
  greedyAudit?: GreedyAudit | null;
  dpo: { steps: number; firstLoss: number; lastLoss: number; lastMargin: number; lastRewardAccuracy: number } | null;
  /** What training did on the iteration's own pairs: M_t vs M_t+1 preferring the chosen step. */
  ownPairs: OwnPairsChange | null;
  /** Evaluation of the model this iteration produced. */
  evaluation: ModelEvaluation | null;
  /** Set when training stopped (NaN/Inf): the previous adapter was kept. */
  error: { name: string; message: string } | null;
  seconds: number;
}

/** What an iteration's search produced: enough to train and evaluate without searching again. */
export interface SearchedStage {
  pairs: PreferencePair[];
  searchStats: SearchStats | null;
  srlmStats: IterationReport['srlmStats'];
}

export type LoopEvent =
  | { type: 'stage'; iteration: number; stage: 'search' | 'train' | 'evaluate' | 'done' }
  /** The search (or SRLM sampling) of an iteration is finished: its pairs, before training starts (the page keeps them to resume). */
  | ({ type: 'searched'; iteration: number; resumed: boolean } & SearchedStage)
  | { type: 'search'; iteration: number; event: SearchEvent }
  | { type: 'srlm'; iteration: number; event: SrlmEvent }
  | { type: 'train-step'; iteration: number; entry: DpoLogEntry }
  | { type: 'evaluation'; iteration: number; model: string; result: ModelEvaluation }
  | { type: 'iteration-end'; report: IterationReport };

export interface LoopContext {
  backend: Backend;
  config: ModelConfig;
  /** The frozen (dequantized) base weights. */
  base: ModelWeights;
  /** The base's quantized linears when it is stored quantized (kept quantized on the backend). */
  quantized?: QuantizedModelWeights | null;
  tok: Tokenizer;
  eval: EvalData;
  /** How the model judges (its psr_model.json's judge_working; default 'check'). */
  judgeWorking?: JudgeWorkingMode;
}

export interface LoopHooks {
  onEvent?(e: LoopEvent): void;
  /** Called with each iteration's trained adapter and its pairs (save them; the loop keeps going). */
  onIteration?(report: IterationReport, adapter: LoraAdapter, pairs: PreferencePair[]): Promise<void> | void;
  control?: TaskControl;
}

/** Evaluate the model `base + adapter` on the held-out data. */
export async function evaluateModel(ctx: LoopContext, adapter: LoraAdapter | null): Promise<ModelEvaluation> {
  const params = ModelParams.create(ctx.backend, ctx.config, ctx.base, adapter, 'none', ctx.quantized ?? null);
  try {
    const solved = await solveGreedy(params, ctx.tok, ctx.eval.test, { format: 'steps', rowsPerBatch: 32, maxNewTokens: ctx.eval.maxSolutionTokens ?? 320 });
    const judge = await evaluateJudge(params, ctx.tok, ctx.eval.eftTest, judgeOptionsFor(ctx.judgeWorking ?? 'check'));
    return { solve: summariseSolutions(solved), judge };
  } finally {
    params.free();
  }
}

/** Oracle grading of outcome-level pairs: "valid" = the whole solution reaches the right answer. */
function solutionPairQuality(pairs: PreferencePair[], stepMarker: string): PairQualitySummary {
  const split = (s: string) => s.split(stepMarker).map((x) => x.trim()).filter((x) => x !== '');
  const right = (p: PreferencePair, text: string) => scoreSolution(p.question, split(text)).finalCorrect;
  return summarizePairQuality(
    pairs.map((p) => {
      const c = right(p, p.chosen);
      const r = right(p, p.rejected);
      return { chosenValid: c, rejectedValid: r, chosenKind: c ? 'correct_final_answer' : 'wrong_final_answer', rejectedKind: r ? 'correct_final_answer' : 'wrong_final_answer', quality: qualityOf(c, r) };
    }),
  );
}

/**
 * Run the iterations starting from `adapter` (M_t, t = settings.firstIteration, default 1). Returns
 * the report of every iteration; the evaluation of the starting model comes first as an
 * 'evaluation' event with model 'M_t'.
 */
export async function runIterations(
  ctx: LoopContext,
  start: LoraAdapter,
  settings: LoopSettings,
  hooks: LoopHooks = {},
  opts: { evaluateStart: boolean; resumeFrom?: SearchedStage } = { evaluateStart: true },
): Promise<{ reports: IterationReport[]; start: ModelEvaluation | null; final: LoraAdapter }> {
  const emit = (e: LoopEvent) => hooks.onEvent?.(e);
  const first = settings.firstIteration ?? 1;
  let adapter = start;
  let startEval: ModelEvaluation | null = null;
  if (opts.evaluateStart) {
    emit({ type: 'stage', iteration: 0, stage: 'evaluate' });
    startEval = await evaluateModel(ctx, adapter);
    emit({ type: 'evaluation', iteration: 0, model: `M${first}`, result: startEval });
  }
  const reports: IterationReport[] = [];
  for (const [k, pool] of settings.pools.entries()) {
    const t = first + k;
    const t0 = performance.now();
    const params = ModelParams.create(ctx.backend, ctx.config, ctx.base, adapter, 'lora', ctx.quantized ?? null);
    const report: IterationReport = {
      iteration: t, method: settings.method, poolSize: pool.length, pairs: 0, trainedPairs: 0, searchStats: null, srlmStats: null,
      pairQuality: null, greedyAudit: null, dpo: null, ownPairs: null, evaluation: null, error: null, seconds: 0,
    };
    let pairs: PreferencePair[] = [];
    try {
      const resumed = k === 0 ? opts.resumeFrom : undefined;
      const problems = pool.map((p) => ({ id: p.id, question: p.question }));
      if (resumed) {
        // The first iteration's search already ran (an interrupted iteration resumed): train on its pairs.
        pairs = resumed.pairs;
        report.searchStats = resumed.searchStats;
        report.srlmStats = resumed.srlmStats;
        report.pairQuality = settings.method === 'psr' ? pairQuality(pairs).summary : solutionPairQuality(pairs, '<step>');
      } else if (settings.method === 'psr') {
        emit({ type: 'stage', iteration: t, stage: 'search' });
        const own = new TinyStepModel(params, ctx.tok, tinyStepOptionsFor(ctx.judgeWorking ?? 'check'));
        const model = settings.judge === 'oracle' ? new OracleJudgedStepModel(own) : settings.judge === 'random' ? new CoinJudgedStepModel(own, `${settings.seed}:${t}`) : own;
        const r = await searchPool(model, problems, { ...settings.search, iteration: t }, `${settings.seed}:${t}`, {
          onEvent: (event) => emit({ type: 'search', iteration: t, event }),
          control: hooks.control,
        });
        pairs = r.pairs;
        report.searchStats = r.stats;
        report.pairQuality = pairQuality(pairs).summary;
      } else {
        emit({ type: 'stage', iteration: t, stage: 'search' });
        const r = await srlmPool(params, ctx.tok, problems, { ...settings.srlm, iteration: t }, settings.seed * 1000 + t,
          (event) => emit({ type: 'srlm', iteration: t, event }), hooks.control);
        pairs = r.pairs;
        report.srlmStats = r.stats;
        report.pairQuality = solutionPairQuality(pairs, '<step>');
      }
      report.pairs = pairs.length;
      emit({ type: 'searched', iteration: t, resumed: resumed !== undefined, pairs, searchStats: report.searchStats, srlmStats: report.srlmStats });
      const trained = selectTrainingPairs(pairs, settings.trainOn);
      report.trainedPairs = trained.length;
      if (settings.method === 'psr' && trained.length > 0) {
        // Before training: M_t's greedy step at the trained prefixes (what training can add over it).
        const audited = evenSpread(trained, GREEDY_AUDIT_PAIRS);
        report.greedyAudit = summariseAudit(await auditAgainstGreedy(new TinyStepModel(params, ctx.tok, tinyStepOptionsFor(ctx.judgeWorking ?? 'check')), audited), `${settings.seed}:${t}`);
      }
      if (trained.length > 0) {
        emit({ type: 'stage', iteration: t, stage: 'train' });
        const { log, ownPairs } = await trainStepDpo(params, ctx.tok, trained, { ...settings.dpo, seed: settings.seed * 1000 + t }, (entry) =>
          emit({ type: 'train-step', iteration: t, entry }),
        );
        report.ownPairs = ownPairs;
        const last = log.at(-1)!;
        report.dpo = { steps: log.length, firstLoss: log[0].loss, lastLoss: last.loss, lastMargin: last.margin, lastRewardAccuracy: last.rewardAccuracy };
        adapter = await params.readAdapter();
      }
    } catch (e) {
      if (!(e instanceof NonFiniteError) && !isNamedError(e, 'NonFiniteError')) throw e;
      // Keep the adapter the iteration started from; report and stop iterating.
      report.error = { name: (e as Error).name, message: (e as Error).message };
    } finally {
      params.free();
    }
    emit({ type: 'stage', iteration: t, stage: 'evaluate' });
    report.evaluation = await evaluateModel(ctx, adapter);
    emit({ type: 'evaluation', iteration: t, model: `M${t + 1}`, result: report.evaluation });
    report.seconds = (performance.now() - t0) / 1000;
    reports.push(report);
    emit({ type: 'iteration-end', report });
    await hooks.onIteration?.(report, adapter, pairs);
    if (report.error) break;
  }
  emit({ type: 'stage', iteration: first + reports.length - 1, stage: 'done' });
  return { reports, start: startEval, final: adapter };
}
