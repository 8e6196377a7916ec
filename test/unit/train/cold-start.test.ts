// Cold-start data: IFT examples score the solution only; EFT examples score the judge's working,
// the <verdict> marker and (up-weighted) the verdict token, never the prompt. Length batching
// keeps every example exactly once per epoch.
import { describe, expect, it } from 'vitest';
import { createTokenizer } from '../../../src/lib/math/vocab.ts';
import { defaultWorldConfig } from '../../../src/lib/math/config.ts';
import { buildDatasets, DEFAULT_DATASET_OPTIONS } from '../../../src/lib/math/datasets.ts';
import { candidateWorking, formatJudgePrompt, judgeWorking } from '../../../src/lib/math/judge-format.ts';
import { judgeStep, stateAfter } from '../../../src/lib/math/checker.ts';
import { eftSequences, eftTokens, iftTokens, lengthBatches, scoreTokens, scoredSolutions } from '../../../src/lib/train/cold-start.ts';

const world = defaultWorldConfig();
const tok = createTokenizer(world);
const data = buildDatasets(world, { seed: 5, ...DEFAULT_DATASET_OPTIONS, iftCount: 40, eftCount: 40, testCount: 6, eftTestCount: 4, poolSizes: [2] });

describe('cold-start examples', () => {
  it('EFT: prompt unscored, working and <verdict> weight 1, the verdict token weight 5', () => {
    const e = data.eft[0];
    const { ids, weights } = eftTokens(tok, e, { workingWeight: 1, verdictWeight: 5, judgeWorking: 'check' });
    const promptLen = tok.encode(formatJudgePrompt(e, { working: 'check' }).prompt).ids.length;
    expect(Array.from(weights.subarray(0, promptLen)).every((w) => w === 0)).toBe(true);
    const scored = Array.from(ids).map((id, i) => [tok.vocab[id], weights[i]] as const).filter(([, w]) => w > 0);
    expect(scored.at(-1)).toEqual([e.verdict, 5]);
    expect(scored.at(-2)).toEqual(['<verdict>', 1]);
    expect(scored.filter(([, w]) => w === 5)).toHaveLength(1);
    const working = tok.decode(scored.slice(0, -2).map(([t]) => tok.id(t)));
    expect(working).toMatch(/^A: .*B: /);
    expect(ids.at(-1)).toBe(tok.eosId); // <eos> ends the text but is not scored
    expect(weights.at(-1)).toBe(0);
  });

  it("EFT with working 'separate': the pair scores only its verdict; each candidate's line is learnt in a sequence of its own", () => {
    const e = data.eft[1];
    const opts = { workingWeight: 1, verdictWeight: 5, judgeWorking: 'separate' as const };
    const [pair, ...lines] = eftSequences(tok, e, opts);
    const scoredPair = Array.from(pair.ids).map((id, i) => [tok.vocab[id], pair.weights[i]] as const).filter(([, w]) => w > 0);
    expect(scoredPair).toEqual([[e.verdict, 5]]);
    // The pair's text still holds both lines (as input) before <verdict>.
    expect(tok.decode(Array.from(pair.ids))).toMatch(/<work> A: .*\. B: .*\. <verdict>/);
    expect(lines).toHaveLength(2);
    const state = stateAfter(e.question, e.previousSteps);
    [e.candidateA, e.candidateB].forEach((cand, k) => {
      const text = tok.decode(Array.from(lines[k].ids));
      expect(text).toContain(`<A> ${cand} <work>`);
      expect(text).not.toContain('<B>'); // the other candidate is not shown
      const target = Array.from(lines[k].ids).filter((_, i) => lines[k].weights[i] > 0);
      expect(tok.decode(target)).toBe(`${candidateWorking('A', judgeStep(state, cand))} <eos>`);
    });
    // 'check' keeps one sequence per example.
    expect(eftSequences(tok, e, { ...opts, judgeWorking: 'check' })).toHaveLength(1);
    // 'ground': the same sequences, the lines with the question's relation of the step's numbers.
    const grounded = eftSequences(tok, e, { ...opts, judgeWorking: 'ground' });
    expect(grounded).toHaveLength(3);
    [e.candidateA, e.candidateB].forEach((cand, k) => {
      const target = Array.from(grounded[k + 1].ids).filter((_, i) => grounded[k + 1].weights[i] > 0);
      expect(tok.decode(target)).toBe(`${candidateWorking('A', judgeStep(state, cand), true)} <eos>`);
    });
    expect(tok.decode(Array.from(grounded[0].ids))).toContain(judgeWorking(e, undefined, true).lines[0]);
  });

  it('IFT: only the solution (steps, <step> markers and <eos>) is scored', () => {
    const p = data.ift[0];
    const { ids, weights } = iftTokens(tok, p);
    const scored = Array.from(ids).filter((_, i) => weights[i] > 0);
    expect(tok.decode(scored)).toBe(`${p.steps.join(' <step> ')} <eos>`);
  });

  it('length batches cover every full batch of examples once, T a multiple of 32', () => {
    const examples = [...data.ift.map((p) => iftTokens(tok, p)), ...data.eft.map((e) => eftTokens(tok, e, { workingWeight: 1, verdictWeight: 5, judgeWorking: 'check' }))];
    const batches = lengthBatches(examples, 8, tok.padId, 1);
    expect(batches).toHaveLength(10);
    const seen = batches.flatMap((b) => Array.from({ length: b.batch.B }, (_, r) => Array.from(b.batch.tokens.subarray(r * b.batch.T, r * b.batch.T + b.batch.lengths[r])).join(',')));
    expect(new Set(seen).size).toBe(80);
    for (const b of batches) expect(b.batch.T % 32).toBe(0);
    expect(lengthBatches(examples, 8, tok.padId, 1).map((b) => b.batch.T)).toEqual(batches.map((b) => b.batch.T));
  });
});

describe('whole-solution scoring examples', () => {
  it('score only the rubric digit, with the verdict weight', () => {
    const [s] = scoredSolutions(data.ift.slice(0, 3), 1);
    const { ids, weights } = scoreTokens(tok, s, 5);
    const scored = Array.from(ids).map((id, i) => [tok.vocab[id], weights[i]] as const).filter(([, w]) => w > 0);
    expect(scored).toEqual([[String(s.points), 5]]);
  });
});
