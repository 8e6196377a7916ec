// One problem's step-wise self-rewarding search for the "watch the search" view: the search
// runs exactly as in the loop (it never sees the oracle); this wrapper forwards its events and,
// once a round has been scored (or its samples were all identical), adds an 'oracle' event with
// the checker's label of every candidate of that round — for teaching, clearly after the fact.
import { searchProblem } from '../psr/search.ts';
import type { SearchEvent } from '../psr/events.ts';
import type { SearchProblem, SearchSettings } from '../psr/search-config.ts';
import type { TaskControl } from '../psr/control.ts';
import type { StepModel } from '../psr/step-model.ts';
import { oracleLabel, pairLabel } from './oracle.ts';
import type { SearchOutcome, SearchViewEvent } from './types.ts';

export async function searchWithOracle(
  model: StepModel,
  problem: SearchProblem,
  settings: SearchSettings,
  seed: number,
  onEvent: (e: SearchViewEvent) => void,
  control?: TaskControl,
): Promise<SearchOutcome> {
  const t0 = performance.now();
  // The accepted prefix, replayed from the events (accept pushes, a rollback pops its dropped step).
  const accepted: string[] = [];
  let round: { step: number; round: number; texts: string[] } | null = null;
  const labelRound = () => {
    if (!round) return;
    const prefix = accepted.slice(0, round.step - 1);
    const labels = round.texts.map((t) => oracleLabel(problem.question, prefix, t));
    onEvent({ type: 'oracle', problemId: problem.id, step: round.step, round: round.round, labels });
    round = null;
  };
  const onSearch = (e: SearchEvent) => {
    onEvent(e);
    if (e.type === 'candidates') round = { step: e.step, round: e.round, texts: e.candidates.map((c) => c.text) };
    else if (e.type === 'scores') labelRound();
    else if (e.type === 'accept') {
      if (e.reason === 'all-identical') labelRound();
      accepted.push(e.text);
    } else if (e.type === 'rollback' && e.droppedStep !== null) accepted.pop();
  };
  const result = await searchProblem(model, problem, settings, seed, { onEvent: onSearch, control });
  return { result, pairs: result.pairs.map((pair) => ({ pair, label: pairLabel(pair) })), ms: performance.now() - t0 };
}
