// The process-based self-rewarding search (paper §1 of DESIGN.md): for each problem, step by
// step, sample w candidate next steps, let the same model judge every pair, score by pairwise
// wins, keep (best, worst) as a preference pair on the shared prefix and append the best step.
// Rules decided here (and tested in test/unit/psr/search.test.ts):
// - identical samples are merged before judging; a step whose w samples are all one text is
//   accepted with no pair and no rollback (a confident model; a position-biased judge would
//   otherwise invent a best and a worst among equals);
// - if ≥ 2 distinct candidates all score equal, roll back: drop the last accepted step and its
//   pair (at step 1 nothing is dropped: the step is re-sampled). Rollbacks per problem are capped
//   (maxRollbacks); on a tie after the cap one tied candidate is accepted anyway (seeded), no pair;
// - a problem stops at an accepted final step, after maxSteps accepted steps, or when the
//   context is full; best/worst ties are broken by an rng derived from (seed, problem id, round),
//   so each problem's search is reproducible on its own;
// - no ground truth: this module never sees reference steps or answers, nor the step checker.
import { createRng } from '../math/rng.ts';
import { extractAnswer } from '../math/parse-output.ts';
import { ContextFullError, StepModelError } from '../errors.ts';
import { checkpoint, type TaskControl } from './control.ts';
import type { SearchEvent, SearchEventListener } from './events.ts';
import type { PreferencePair } from './pairs.ts';
import { validatePool, type SearchProblem, type SearchSettings } from './search-config.ts';
import { summarizeResults, type ProblemResult, type SearchStats, type StopReason } from './search-stats.ts';
import { judgeCandidates, mergeCandidates, pairPassesFilter, pickBestWorst, scoreWins } from './step-scoring.ts';
import type { SampledStep, StepModel } from './step-model.ts';

export interface SearchOptions {
  onEvent?: SearchEventListener;
  control?: TaskControl;
}

export interface PoolResult {
  pairs: PreferencePair[];
  results: ProblemResult[];
  stats: SearchStats;
}

interface Accepted {
  text: string;
  final: boolean;
  pair: PreferencePair | null;
}

/** Search every problem in order; all pairs (problem order, step order), per-problem results and stats. */
export async function searchPool(
  model: StepModel,
  problems: readonly SearchProblem[],
  settings: SearchSettings,
  seed: number | string,
  opts: SearchOptions = {},
): Promise<PoolResult> {
  validatePool(problems);
  const results: ProblemResult[] = [];
  for (let i = 0; i < problems.length; i++) {
    results.push(await searchProblem(model, problems[i], settings, seed, opts, { index: i, total: problems.length }));
  }
  const stats = summarizeResults(results);
  opts.onEvent?.({ type: 'pool-end', stats });
  return { pairs: results.flatMap((r) => r.pairs), results, stats };
}

/** The search for one problem; `position` only labels the problem-start event. */
export async function searchProblem(
  model: StepModel,
  problem: SearchProblem,
  settings: SearchSettings,
  seed: number | string,
  opts: SearchOptions = {},
  position: { index: number; total: number } = { index: 0, total: 1 },
): Promise<ProblemResult> {
  validatePool([problem]);
  const { id: problemId, question } = problem;
  const emit = (e: SearchEvent) => opts.onEvent?.(e);
  const where = (step: number) => `at step ${step} of problem ${problemId}`;
  const root = createRng(seed).fork(`problem:${problemId}`);
  const accepted: Accepted[] = [];
  const counts = { rounds: 0, roundsWithPair: 0, rollbacks: 0, droppedPairs: 0, allIdentical: 0, tiedAccepts: 0, filteredPairs: 0 };
  let stop: StopReason;
  emit({ type: 'problem-start', index: position.index, total: position.total, problemId, question });

  for (;;) {
    if (accepted.length > 0 && accepted[accepted.length - 1].final) {
      stop = 'final';
      break;
    }
    if (accepted.length >= settings.maxSteps) {
      stop = 'max-steps';
      break;
    }
    const step = accepted.length + 1;
    const round = ++counts.rounds;
    const rng = root.fork(`round:${round}`);
    const previousSteps = accepted.map((a) => a.text);
    const accept = (text: string, final: boolean, pair: PreferencePair | null, reason: 'best' | 'all-identical' | 'tie-after-cap') => {
      accepted.push({ text, final, pair });
      emit({ type: 'accept', problemId, step, round, text, final, reason });
    };

    await checkpoint(opts.control, `before sampling ${where(step)}`);
    let samples: SampledStep[];
    try {
      samples = await model.sampleSteps(question, previousSteps, settings.w, { temperature: settings.temperature, topP: settings.topP }, rng.fork('sample'));
    } catch (e) {
      if (e instanceof ContextFullError) {
        stop = 'context-full';
        break;
      }
      throw e;
    }
    checkSamples(samples, settings.w);
    const candidates = mergeCandidates(samples);
    emit({ type: 'candidates', problemId, step, round, candidates });
    await checkpoint(opts.control, `after sampling ${where(step)}`);

    if (candidates.length === 1) {
      counts.allIdentical++;
      accept(candidates[0].text, candidates[0].final, null, 'all-identical');
      continue;
    }

    let judgments;
    try {
      judgments = await judgeCandidates(model, question, previousSteps, candidates, settings.judgeOrder, rng.fork('order'));
    } catch (e) {
      if (e instanceof ContextFullError) {
        stop = 'context-full';
        break;
      }
      throw e;
    }
    for (const j of judgments) emit({ type: 'judgment', problemId, step, round, ...j });
    await checkpoint(opts.control, `after judging ${where(step)}`);

    const wins = scoreWins(candidates.length, judgments, settings.tieThreshold);
    const scores = candidates.map((c, i) => ({ text: c.text, score: wins[i], count: c.count }));
    const ties = rng.fork('ties');
    const pick = pickBestWorst(wins, ties);
    emit({ type: 'scores', problemId, step, round, scores, best: pick?.best ?? null, worst: pick?.worst ?? null, allEqual: pick === null });

    if (!pick) {
      if (counts.rollbacks < settings.maxRollbacks) {
        counts.rollbacks++;
        const dropped = accepted.pop() ?? null;
        if (dropped?.pair) counts.droppedPairs++;
        emit({
          type: 'rollback',
          problemId,
          step,
          round,
          reason: `all ${candidates.length} distinct candidates scored ${wins[0]}`,
          droppedStep: dropped?.text ?? null,
          droppedPair: dropped?.pair ?? null,
        });
        continue;
      }
      counts.tiedAccepts++;
      const c = candidates[ties.int(0, candidates.length - 1)];
      accept(c.text, c.final, null, 'tie-after-cap');
      continue;
    }

    const best = candidates[pick.best];
    const worst = candidates[pick.worst];
    if (!pairPassesFilter(judgments, pick.best, pick.worst, settings.pairMargin)) {
      // The judge was not sure enough of best over worst: keep the step, not the pair.
      counts.filteredPairs++;
      accept(best.text, best.final, null, 'best');
      continue;
    }
    const pair: PreferencePair = {
      problemId,
      question,
      previousSteps,
      chosen: best.text,
      rejected: worst.text,
      chosenFinal: best.final,
      rejectedFinal: worst.final,
      chosenScore: wins[pick.best],
      rejectedScore: wins[pick.worst],
      scores,
      stepIndex: step,
      iteration: settings.iteration,
    };
    counts.roundsWithPair++;
    emit({ type: 'pair', problemId, pair });
    accept(best.text, best.final, pair, 'best');
  }

  const steps = accepted.map((a) => a.text);
  const finished = stop === 'final';
  const finalAnswer = finished ? extractAnswer(steps[steps.length - 1]) : null;
  const pairs = accepted.flatMap((a) => (a.pair ? [a.pair] : []));
  emit({ type: 'problem-end', problemId, steps, pairs: pairs.length, finalAnswer, rollbacks: counts.rollbacks, finished, stop });
  return { problemId, steps, pairs, finished, stop, finalAnswer, ...counts };
}

function checkSamples(samples: SampledStep[], w: number): void {
  if (!Array.isArray(samples) || samples.length !== w) {
    throw new StepModelError(`the model returned ${Array.isArray(samples) ? samples.length : 'no'} candidates, ${w} were asked for; a StepModel must return exactly w samples.`);
  }
  samples.forEach((s, i) => {
    if (typeof s?.text !== 'string' || typeof s.final !== 'boolean' || !Array.isArray(s.tokenLogprobs)) {
      throw new StepModelError(`candidate ${i} is not {text: string, final: boolean, tokens, tokenLogprobs}; fix the StepModel's sampleSteps.`);
    }
  });
}
