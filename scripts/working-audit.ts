// Research script: what does the self-judge's working actually check? For the (chosen, rejected) pairs of a
// search (a run's pairs-iterN.jsonl), the model judges each pair once (chosen as A, or as B with --swap) with
// its own working, and every candidate's working line is compared with the line the step checker derives
// ("A: 12 + 5 = 17 ok, inputs known, needed."): is the line's good/bad call right, by the candidate's checker
// kind and its position (A or B). Only prefixes whose earlier steps are all valid are kept (--all-prefixes keeps
// every one), so "needed" means the same for the checker and the model. The checker grades after the fact; this
// is a diagnostic of the judge, never part of the loop.
// Usage: npx tsx scripts/working-audit.ts --model DIR --pairs FILE [--limit 600] [--swap] [--all-prefixes]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadModelDir } from '../src/cli/model-dir.ts';
import { WasmBackend } from '../src/lib/backend/wasm-backend.ts';
import { ModelParams } from '../src/lib/model/params.ts';
import { judgePairs, type JudgeItem } from '../src/lib/psr/judge.ts';
import { judgeOptionsFor } from '../src/lib/psr/step-model.ts';
import { judgeWorking, workingLineGood } from '../src/lib/math/judge-format.ts';
import { checkStep, judgeStep, stateAfter } from '../src/lib/math/checker.ts';

const { values: flags } = parseArgs({
  options: { model: { type: 'string' }, pairs: { type: 'string' }, limit: { type: 'string' }, swap: { type: 'boolean' }, 'all-prefixes': { type: 'boolean' } },
});
if (!flags.model || !flags.pairs) throw new Error('usage: npx tsx scripts/working-audit.ts --model DIR --pairs FILE [--limit 600] [--swap] [--all-prefixes]');

interface PairRow {
  prompt: string;
  previous_steps: string[];
  chosen: string;
  rejected: string;
}
const rows = readFileSync(flags.pairs, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as PairRow);
const limit = Number(flags.limit ?? 600);
const stride = Math.max(1, Math.floor(rows.length / limit));
const onPath = (r: PairRow) => r.previous_steps.every((s, i) => checkStep(r.prompt, r.previous_steps.slice(0, i), s).valid);
const picked = rows.filter((_, i) => i % stride === 0).filter((r) => flags['all-prefixes'] || onPath(r)).slice(0, limit);
const items: JudgeItem[] = picked.map((r) => ({
  question: r.prompt,
  previousSteps: r.previous_steps,
  candidateA: flags.swap ? r.rejected : r.chosen,
  candidateB: flags.swap ? r.chosen : r.rejected,
}));

const m = await loadModelDir(flags.model);
const backend = await WasmBackend.create(512 * 1024 * 1024);
const params = ModelParams.create(backend, m.config, m.weights, m.adapter, 'none', null);
const judged = await judgePairs(params, m.tok, items, judgeOptionsFor(m.meta.judgeWorking));

// Per (checker kind, position): candidates, lines whose good/bad call matches the checker's, lines equal to it.
const tally = new Map<string, { n: number; callRight: number; exact: number }>();
judged.forEach((j, i) => {
  const it = items[i];
  const oracle = judgeWorking(it, undefined, m.meta.judgeWorking === 'ground');
  const own = j.working.trim().split(/ (?=B: )/);
  const state = stateAfter(it.question, it.previousSteps);
  [it.candidateA, it.candidateB].forEach((cand, k) => {
    const key = `${judgeStep(state, cand).kind} as ${k === 0 ? 'A' : 'B'}`;
    const t = tally.get(key) ?? { n: 0, callRight: 0, exact: 0 };
    const line = own[k] ?? '';
    t.n++;
    t.callRight += +(workingLineGood(line) === oracle.good[k]);
    t.exact += +(line.trim() === oracle.lines[k]);
    tally.set(key, t);
  });
});
console.log(`${m.meta.judgeWorking} judge of ${flags.model}: ${items.length} pairs of ${flags.pairs}, chosen step shown as ${flags.swap ? 'B' : 'A'}\n`);
console.log('| candidate (checker kind, shown as) | candidates | line calls it good/bad rightly | line = checker\'s |');
console.log('| --- | ---: | ---: | ---: |');
for (const [k, t] of [...tally].sort((a, b) => b[1].n - a[1].n)) {
  console.log(`| ${k} | ${t.n} | ${(t.callRight / t.n).toFixed(2)} | ${(t.exact / t.n).toFixed(2)} |`);
}
params.free();
