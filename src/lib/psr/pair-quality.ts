// Oracle labels of self-made preference pairs, for DISPLAY AND METRICS ONLY: the ground-truth
// step checker says whether the chosen and the rejected step are valid next steps. Never used to
// train, filter or steer the search (search.ts / step-model.ts must not import this file; a unit
// test enforces it).
import { checkStep, type CheckKind } from '../math/checker.ts';
import type { PreferencePair } from './pairs.ts';

export type PairQuality = 'correct-order' | 'both-valid' | 'both-invalid' | 'inverted';

export interface PairLabel {
  chosenValid: boolean;
  rejectedValid: boolean;
  chosenKind: CheckKind;
  rejectedKind: CheckKind;
  quality: PairQuality;
}

export interface PairQualitySummary {
  pairs: number;
  /** Counts per quality. */
  counts: Record<PairQuality, number>;
  /** Shares per quality (null when there are no pairs). */
  shares: Record<PairQuality, number | null>;
}

export function qualityOf(chosenValid: boolean, rejectedValid: boolean): PairQuality {
  if (chosenValid && !rejectedValid) return 'correct-order';
  if (chosenValid && rejectedValid) return 'both-valid';
  if (!chosenValid && !rejectedValid) return 'both-invalid';
  return 'inverted';
}

/** Check both steps of a pair against the oracle (throws QuestionParseError for questions outside the world). */
export function labelPair(pair: PreferencePair): PairLabel {
  const c = checkStep(pair.question, pair.previousSteps, pair.chosen);
  const r = checkStep(pair.question, pair.previousSteps, pair.rejected);
  return { chosenValid: c.valid, rejectedValid: r.valid, chosenKind: c.kind, rejectedKind: r.kind, quality: qualityOf(c.valid, r.valid) };
}

export function summarizePairQuality(labels: readonly PairLabel[]): PairQualitySummary {
  const counts: Record<PairQuality, number> = { 'correct-order': 0, 'both-valid': 0, 'both-invalid': 0, inverted: 0 };
  for (const l of labels) counts[l.quality]++;
  const n = labels.length;
  const share = (k: PairQuality) => (n === 0 ? null : counts[k] / n);
  return {
    pairs: n,
    counts,
    shares: { 'correct-order': share('correct-order'), 'both-valid': share('both-valid'), 'both-invalid': share('both-invalid'), inverted: share('inverted') },
  };
}

/** Labels of every pair and their summary. */
export function pairQuality(pairs: readonly PreferencePair[]): { labels: PairLabel[]; summary: PairQualitySummary } {
  const labels = pairs.map(labelPair);
  return { labels, summary: summarizePairQuality(labels) };
}
