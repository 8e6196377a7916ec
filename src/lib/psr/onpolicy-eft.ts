// On-policy judge data for the cold start: the model's own candidate steps at its own prefixes on
// training problems, labelled by the step checker, as pairwise EFT examples (a valid and an invalid
// candidate of the same prefix, in both A/B orders). In the paper's terms the checker is the
// annotator that labels EFT data before the loop (the paper used a process reward model); it
// never enters the loop. The model walks its own path: after each round the prefix grows by one of
// its own valid candidates, and a problem ends when none is valid or the solution is finished.
import type { EftExample } from '../math/datasets.ts';
import type { Problem } from '../math/generator.ts';
import { checkStep } from '../math/checker.ts';
import type { MistakeKind } from '../math/mistakes.ts';
import { createRng } from '../math/rng.ts';
import { ContextFullError } from '../errors.ts';
import type { StepModel } from './step-model.ts';
import { mergeCandidates } from './step-scoring.ts';

export interface OnPolicyOptions {
  /** Candidates sampled per prefix (the loop's w). */
  w: number;
  temperature: number;
  topP: number;
  /** Longest walk, in steps. */
  maxSteps: number;
  /** At most this many (valid, invalid) pairs per prefix; each gives two examples (both orders). */
  pairsPerPrefix: number;
}

export const DEFAULT_ONPOLICY: OnPolicyOptions = { w: 6, temperature: 0.5, topP: 0.95, maxSteps: 12, pairsPerPrefix: 2 };

export interface OnPolicyStats {
  problems: number;
  rounds: number;
  /** Rounds whose candidates mixed valid and invalid steps (the ones that give examples). */
  mixedRounds: number;
  examples: number;
  /** Invalid candidates by checker kind. */
  wrongKinds: Record<string, number>;
}

/** Walks so far: the first `done` problems' examples and stats (a stopped sampling continues from here). */
export interface OnPolicyProgress {
  done: number;
  examples: EftExample[];
  stats: OnPolicyStats;
}

export interface OnPolicyControl {
  /** Continue after these problems (each problem's walk has its own seeded stream, so the result is the uninterrupted one). */
  from?: OnPolicyProgress;
  /** Asked after every problem: stop there (the result has done < problems). */
  shouldStop?: () => boolean;
  /** Called every `saveEvery` problems with the walks so far (to keep them on disk). */
  onSave?: (progress: OnPolicyProgress) => Promise<void>;
  saveEvery?: number;
}

/** EFT examples from the model's own samples on `problems` (training problems only: the caller checks). */
export async function onPolicyEft(
  model: StepModel,
  problems: readonly Problem[],
  opts: OnPolicyOptions,
  seed: number | string,
  onProgress?: (done: number, total: number) => void,
  control: OnPolicyControl = {},
): Promise<OnPolicyProgress> {
  const examples: EftExample[] = [...(control.from?.examples ?? [])];
  const stats: OnPolicyStats = control.from
    ? { ...control.from.stats, wrongKinds: { ...control.from.stats.wrongKinds } }
    : { problems: problems.length, rounds: 0, mixedRounds: 0, examples: 0, wrongKinds: {} };
  const start = control.from?.done ?? 0;
  const progress = (done: number): OnPolicyProgress => ({ done, examples, stats: { ...stats, examples: examples.length } });
  for (let n = start; n < problems.length; n++) {
    const p = problems[n];
    const rng = createRng(seed).fork(`onpolicy:${p.id}`);
    const prefix: string[] = [];
    for (let step = 0; step < opts.maxSteps; step++) {
      let samples;
      try {
        samples = await model.sampleSteps(p.question, prefix, opts.w, { temperature: opts.temperature, topP: opts.topP }, rng.fork(`sample:${step}`));
      } catch (e) {
        if (e instanceof ContextFullError) break;
        throw e;
      }
      stats.rounds++;
      const candidates = mergeCandidates(samples).map((c) => ({ ...c, verdict: checkStep(p.question, prefix, c.text) }));
      const valid = candidates.filter((c) => c.verdict.valid);
      const invalid = candidates.filter((c) => !c.verdict.valid);
      if (valid.length > 0 && invalid.length > 0) {
        stats.mixedRounds++;
        const pairs = rng.shuffle(valid.flatMap((v) => invalid.map((i) => [v, i] as const))).slice(0, opts.pairsPerPrefix);
        for (const [v, i] of pairs) {
          const kind = i.verdict.kind as MistakeKind;
          stats.wrongKinds[kind] = (stats.wrongKinds[kind] ?? 0) + 1;
          const base = { problemId: p.id, difficulty: p.difficulty, question: p.question, previousSteps: [...prefix], wrongKind: kind, validKind: v.verdict.kind };
          examples.push({ ...base, id: `${p.id}-op${step}-${examples.length}`, candidateA: v.text, candidateB: i.text, verdict: 'A' });
          examples.push({ ...base, id: `${p.id}-op${step}-${examples.length}`, candidateA: i.text, candidateB: v.text, verdict: 'B' });
        }
      }
      if (valid.length === 0) break;
      // Walk on along the model's own path: its most sampled valid candidate.
      const next = valid.reduce((a, b) => (b.count > a.count ? b : a));
      prefix.push(next.text);
      if (next.final) break;
    }
    onProgress?.(n + 1, problems.length);
    if (control.onSave && (n + 1) % (control.saveEvery ?? 100) === 0 && n + 1 < problems.length) await control.onSave(progress(n + 1));
    if (control.shouldStop?.() && n + 1 < problems.length) return progress(n + 1);
  }
  return progress(problems.length);
}
