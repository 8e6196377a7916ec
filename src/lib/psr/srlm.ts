// The outcome-level Self-Rewarding baseline (Yuan et al. 2024), on the same model and pools:
// per problem sample N whole solutions, let the model score each whole solution itself (the
// additive 0–5 rubric learned in the cold start; the score is the expected digit after
// `<score>` — the mean of infinitely many sampled judgments, where the SRLM paper averages three —
// so near-equal solutions rarely tie), and keep (best, worst) as a DPO pair on the bare question;
// problems whose best and worst scores are equal are dropped. No ground truth here either.
import type { ModelParams } from '../model/params.ts';
import { Decoder } from '../model/decoder.ts';
import { generate } from '../model/sampling.ts';
import type { Tokenizer } from '../tokenizer/tokenizer.ts';
import { formatSolutionScorePrompt, formatStepPrompt } from '../math/formats.ts';
import { createRng } from '../math/rng.ts';
import { STEP } from '../tokenizer/special.ts';
import { checkpoint, type TaskControl } from './control.ts';
import type { PreferencePair } from './pairs.ts';
import type { SearchProblem } from './search-config.ts';
import { SearchConfigError } from '../errors.ts';
import { SETTINGS } from '../settings/table.ts';

export interface SrlmSettings {
  /** Whole solutions sampled per problem (Yuan et al.: 4). */
  n: number;
  temperature: number;
  topP: number;
  /** Longest solution in tokens. */
  maxTokens: number;
  iteration: number;
}

export const DEFAULT_SRLM_SETTINGS: Readonly<SrlmSettings> = Object.freeze({
  n: SETTINGS.srlmSamples.default,
  temperature: SETTINGS.temperature.default,
  topP: SETTINGS.topP.default,
  maxTokens: 320,
  iteration: 1,
});

export type SrlmEvent =
  | { type: 'srlm-problem'; index: number; total: number; problemId: string; solutions: { steps: string[]; score: number }[]; kept: boolean };

export interface SrlmResult {
  pairs: PreferencePair[];
  stats: { problems: number; pairs: number; droppedEqual: number; meanScore: number };
}

/**
 * Score whole solutions with the model's own rubric: the expected digit Σ k·P(k) over 0..5 after
 * `<score>` (P renormalised over the six digits). The most likely digit alone collapsed here: our
 * M1 gives nearly every solution a 5, which left no pairs at all.
 */
export async function scoreSolutions(params: ModelParams, tok: Tokenizer, question: string, solutions: string[][]): Promise<number[]> {
  const prompts = solutions.map((steps) => Array.from(tok.encode(formatSolutionScorePrompt(question, steps), { strict: false }).ids));
  const maxPos = params.config.maxPositionEmbeddings;
  const fits = prompts.map((p) => p.length < maxPos);
  const dec = new Decoder(params, prompts.length, Math.min(maxPos, Math.max(1, ...prompts.map((p) => (p.length < maxPos ? p.length : 1)))));
  try {
    const logits = await dec.prefill(prompts.map((p, i) => (fits[i] ? p : p.slice(0, 1))));
    const V = params.config.vocabSize;
    const digits = [0, 1, 2, 3, 4, 5].map((d) => tok.id(String(d)));
    return prompts.map((_, b) => {
      if (!fits[b]) return 0; // a solution too long to even read scores nothing
      const l = digits.map((id) => logits[b * V + id]);
      const top = Math.max(...l);
      const w = l.map((x) => Math.exp(x - top));
      return w.reduce((a, x, k) => a + k * x, 0) / w.reduce((a, x) => a + x, 0);
    });
  } finally {
    dec.free();
  }
}

export async function srlmPool(
  params: ModelParams,
  tok: Tokenizer,
  problems: readonly SearchProblem[],
  settings: SrlmSettings,
  seed: number,
  onEvent?: (e: SrlmEvent) => void,
  control?: TaskControl,
): Promise<SrlmResult> {
  if (problems.length === 0) throw new SearchConfigError('SRLM: the problem pool is empty; give it at least one problem.');
  const pairs: PreferencePair[] = [];
  let dropped = 0;
  let scoreSum = 0;
  const stepId = tok.id(STEP);
  for (const [i, p] of problems.entries()) {
    await checkpoint(control, 'srlm');
    const rng = createRng(seed).fork(`srlm:${p.id}`);
    const prompt = Array.from(tok.encode(formatStepPrompt(p.question, []), { strict: true }).ids);
    const maxPos = params.config.maxPositionEmbeddings;
    const dec = new Decoder(params, settings.n, Math.min(maxPos, prompt.length + settings.maxTokens + 1));
    let solutions: string[][];
    try {
      const first = await dec.prefillShared(prompt);
      const gens = await generate(dec, first, { temperature: settings.temperature, topP: settings.topP, maxNewTokens: Math.min(settings.maxTokens, dec.S - prompt.length - 1), stopTokens: [tok.eosId] }, rng);
      solutions = gens.map((g) => {
        const ids = g.tokens.filter((t) => t !== tok.eosId);
        return tok.decode(ids).split(tok.vocab[stepId]).map((s) => s.trim()).filter((s) => s !== '');
      });
    } finally {
      dec.free();
    }
    const scores = await scoreSolutions(params, tok, p.question, solutions);
    scoreSum += scores.reduce((a, b) => a + b, 0);
    const order = rng.shuffle(scores.map((_, k) => k)); // seeded tie-breaks
    const best = order.reduce((a, k) => (scores[k] > scores[a] ? k : a), order[0]);
    const worst = order.reduce((a, k) => (scores[k] < scores[a] ? k : a), order[0]);
    const kept = scores[best] !== scores[worst] && solutions[best].join(' ') !== solutions[worst].join(' ');
    if (kept) {
      const join = (steps: string[]) => steps.join(` ${tok.vocab[stepId]} `);
      pairs.push({
        problemId: p.id, question: p.question, previousSteps: [], chosen: join(solutions[best]), rejected: join(solutions[worst]),
        chosenFinal: true, rejectedFinal: true, chosenScore: scores[best], rejectedScore: scores[worst],
        scores: solutions.map((s, k) => ({ text: join(s), score: scores[k], count: 1 })), stepIndex: 1, iteration: settings.iteration,
      });
    } else dropped++;
    onEvent?.({ type: 'srlm-problem', index: i, total: problems.length, problemId: p.id, solutions: solutions.map((s, k) => ({ steps: s, score: scores[k] })), kept });
  }
  return { pairs, stats: { problems: problems.length, pairs: pairs.length, droppedEqual: dropped, meanScore: scoreSum / (problems.length * settings.n) } };
}
