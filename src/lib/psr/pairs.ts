// Step-level preference pairs made by the search, and their JSONL export in the shape of
// dvlab-research/Step-DPO (`prompt`, `initial_reason_steps`, `chosen`, `rejected`) plus our own
// fields (snake_case, like Step-DPO's), with a strict parser that round-trips the export and
// names the line of any malformed row.
import { PairFormatError } from '../errors.ts';

/** One distinct candidate of a step with its pairwise-win score. */
export interface CandidateScore {
  text: string;
  /** Wins against the other distinct candidates (0.5 per exact tie). */
  score: number;
  /** How many of the w samples had this text. */
  count: number;
}

/** A (chosen, rejected) next step on a shared prefix, judged by the model itself. */
export interface PreferencePair {
  problemId: string;
  question: string;
  /** The accepted steps before this one (the shared prefix), verbatim as the model wrote them. */
  previousSteps: string[];
  chosen: string;
  rejected: string;
  /** The chosen / rejected step ended the solution (`<eos>` or a declared answer): trainers end the target with <eos>, else <step>. */
  chosenFinal: boolean;
  rejectedFinal: boolean;
  chosenScore: number;
  rejectedScore: number;
  /** Every distinct candidate of the step, in sampling order. */
  scores: CandidateScore[];
  /** 1-based number of this step in the solution (= previousSteps.length + 1). */
  stepIndex: number;
  /** The iteration t of the model M_t that searched. */
  iteration: number;
}

/** One JSONL row. `prompt` holds the question text, as Step-DPO's own data does (not our token format). */
export interface StepDpoRow {
  prompt: string;
  /** The previous steps, each followed by a newline (each starts with the `Step n:` the model wrote). */
  initial_reason_steps: string;
  chosen: string;
  rejected: string;
  problem_id: string;
  previous_steps: string[];
  step_index: number;
  iteration: number;
  chosen_score: number;
  rejected_score: number;
  chosen_final: boolean;
  rejected_final: boolean;
  scores: CandidateScore[];
}

/** Step-DPO's prefix text: every previous step followed by "\n" ("" at step 1). */
export function initialReasonSteps(previousSteps: readonly string[]): string {
  return previousSteps.map((s) => `${s}\n`).join('');
}

export function pairToRow(p: PreferencePair): StepDpoRow {
  return {
    prompt: p.question,
    initial_reason_steps: initialReasonSteps(p.previousSteps),
    chosen: p.chosen,
    rejected: p.rejected,
    problem_id: p.problemId,
    previous_steps: [...p.previousSteps],
    step_index: p.stepIndex,
    iteration: p.iteration,
    chosen_score: p.chosenScore,
    rejected_score: p.rejectedScore,
    chosen_final: p.chosenFinal,
    rejected_final: p.rejectedFinal,
    scores: p.scores.map((s) => ({ text: s.text, score: s.score, count: s.count })),
  };
}

/** Pairs as JSONL: one row per line, each line ending with "\n". */
export function pairsToJsonl(pairs: readonly PreferencePair[]): string {
  return pairs.map((p) => `${JSON.stringify(pairToRow(p))}\n`).join('');
}

/** Parse JSONL written by pairsToJsonl (blank lines are skipped); PairFormatError names the 1-based line. */
export function parsePairsJsonl(text: string): PreferencePair[] {
  const out: PreferencePair[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (e) {
      throw new PairFormatError(`line ${i + 1}: not valid JSON (${(e as Error).message}); each line must be one JSON object as written by pairsToJsonl.`);
    }
    out.push(rowToPair(json, i + 1));
  });
  return out;
}

/** Validate one parsed row and turn it back into a pair. */
export function rowToPair(json: unknown, line: number): PreferencePair {
  const bad = (what: string): never => {
    throw new PairFormatError(`line ${line}: ${what}; fix that row or re-export the pairs.`);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) bad('expected a JSON object');
  const o = json as Record<string, unknown>;
  const str = (k: string): string => (typeof o[k] === 'string' ? (o[k] as string) : bad(`field "${k}" must be a string`));
  const num = (k: string): number => (typeof o[k] === 'number' && Number.isFinite(o[k]) ? (o[k] as number) : bad(`field "${k}" must be a finite number`));
  const bool = (k: string): boolean => (typeof o[k] === 'boolean' ? (o[k] as boolean) : bad(`field "${k}" must be true or false`));
  const previous = o.previous_steps;
  if (!Array.isArray(previous) || previous.some((s) => typeof s !== 'string')) bad('field "previous_steps" must be an array of strings');
  const previousSteps = previous as string[];
  if (str('initial_reason_steps') !== initialReasonSteps(previousSteps)) {
    bad('"initial_reason_steps" disagrees with "previous_steps" (each previous step followed by a newline)');
  }
  const stepIndex = num('step_index');
  if (!Number.isInteger(stepIndex) || stepIndex !== previousSteps.length + 1) bad(`"step_index" must be previous_steps.length + 1 = ${previousSteps.length + 1}`);
  const iteration = num('iteration');
  if (!Number.isInteger(iteration) || iteration < 0) bad('"iteration" must be an integer ≥ 0');
  if (!Array.isArray(o.scores)) bad('field "scores" must be an array of {text, score, count}');
  const scores = (o.scores as unknown[]).map((s, j): CandidateScore => {
    const r = s as Record<string, unknown>;
    if (typeof s !== 'object' || s === null || typeof r.text !== 'string' || typeof r.score !== 'number' || !Number.isFinite(r.score) || !Number.isInteger(r.count) || (r.count as number) < 1) {
      return bad(`scores[${j}] must be {text: string, score: number, count: integer ≥ 1}`);
    }
    return { text: r.text, score: r.score, count: r.count as number };
  });
  const chosen = str('chosen');
  const rejected = str('rejected');
  if (chosen === rejected) bad('"chosen" and "rejected" are the same text');
  return {
    problemId: str('problem_id'),
    question: str('prompt'),
    previousSteps: [...previousSteps],
    chosen,
    rejected,
    chosenFinal: bool('chosen_final'),
    rejectedFinal: bool('rejected_final'),
    chosenScore: num('chosen_score'),
    rejectedScore: num('rejected_score'),
    scores,
    stepIndex,
    iteration,
  };
}
