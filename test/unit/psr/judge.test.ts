// The self-judge: pairs that share a question and steps share one prefix prefill, yet each gets
// exactly the verdict and working of judging its whole prompt on its own; both-order judging
// averages P(A) and 1 − P(swapped A). With working 'separate' each candidate's line is written alone.
import { describe, expect, it } from 'vitest';
import { WasmBackend } from '../../../src/lib/backend/wasm-backend.ts';
import { ModelParams } from '../../../src/lib/model/params.ts';
import { Decoder } from '../../../src/lib/model/decoder.ts';
import { generate } from '../../../src/lib/model/sampling.ts';
import { createRng } from '../../../src/lib/math/rng.ts';
import { judgeLinePromptText, judgePromptText, relabelWorkingLine } from '../../../src/lib/math/judge-prompt.ts';
import { judgeBothOrders, judgePairs, type JudgeItem } from '../../../src/lib/psr/judge.ts';
import { microLoop } from '../../util/micro-loop.ts';

const { ctx, adapter, pools } = microLoop(new WasmBackend(128 * 1024 * 1024));
const params = ModelParams.create(ctx.backend, ctx.config, ctx.base, adapter, 'none');
const tok = ctx.tok;
const [p1, p2] = pools[0];
const items: JudgeItem[] = [
  { question: p1.question, previousSteps: [], candidateA: p1.steps[0], candidateB: 'Step 1: 3 + 4 = 8 apples.' },
  { question: p2.question, previousSteps: [], candidateA: 'Step 1: 5 × 2 = 10 books.', candidateB: p2.steps[0] },
  { question: p1.question, previousSteps: [], candidateA: 'Step 1: 2 + 2 = 4 apples.', candidateB: p1.steps[0] },
];
const opts = { working: 'check' as const, rowsPerBatch: 8, maxWorkingTokens: 12 };

/** The straightforward way: prefill the whole prompt of one item, write the working, read the verdict. */
async function judgeAlone(it: JudgeItem) {
  const prompt = Array.from(tok.encode(judgePromptText(it, 'check'), { strict: true }).ids);
  const dec = new Decoder(params, 1, prompt.length + opts.maxWorkingTokens + 2);
  const first = await dec.prefill([prompt]);
  const [g] = await generate(dec, first, { temperature: 0, topP: 1, maxNewTokens: opts.maxWorkingTokens, stopTokens: [tok.id('<verdict>'), tok.eosId] }, createRng(0));
  const logits = await dec.append([[tok.id('<verdict>')]]);
  const pA = 1 / (1 + Math.exp(logits[tok.id('B')] - logits[tok.id('A')]));
  dec.free();
  return { pA, working: tok.decode(g.finish === 'stop-token' ? g.tokens.slice(0, -1) : g.tokens) };
}

describe('judgePairs', () => {
  it('gives each pair the verdict and working of judging it alone, with shared prefills', async () => {
    const grouped = await judgePairs(params, tok, items, opts);
    for (const [i, it] of items.entries()) {
      const alone = await judgeAlone(it);
      expect(grouped[i].working).toBe(alone.working);
      expect(grouped[i].pA).toBeCloseTo(alone.pA, 4);
    }
  });

  it('averages both orders: pA = (P(A) + 1 − P(A | swapped)) / 2', async () => {
    const [j] = await judgeBothOrders(params, tok, [items[0]], opts);
    expect(j.pA).toBeCloseTo((j.forward.pA + 1 - j.swapped.pA) / 2, 12);
    const [swapped] = await judgePairs(params, tok, [{ ...items[0], candidateA: items[0].candidateB, candidateB: items[0].candidateA }], opts);
    expect(j.swapped.pA).toBeCloseTo(swapped.pA, 6);
  });
});

describe("judgePairs with working 'separate'", () => {
  const sep = { ...opts, working: 'separate' as const };

  /** A candidate's working line, written after its own line prompt (the straightforward way, one row). */
  async function lineAlone(it: JudgeItem, candidate: string): Promise<string> {
    const prompt = Array.from(tok.encode(judgeLinePromptText({ question: it.question, previousSteps: it.previousSteps, candidate }), { strict: true }).ids);
    const dec = new Decoder(params, 1, prompt.length + sep.maxWorkingTokens + 1);
    const first = await dec.prefill([prompt]);
    const [g] = await generate(dec, first, { temperature: 0, topP: 1, maxNewTokens: sep.maxWorkingTokens, stopTokens: [tok.eosId, tok.id('<verdict>')] }, createRng(0));
    dec.free();
    return tok.decode(g.finish === 'stop-token' ? g.tokens.slice(0, -1) : g.tokens).trim();
  }

  /** Each candidate's line alone, then the pair's whole prompt with both lines, one verdict read. */
  async function judgeAloneSeparate(it: JudgeItem) {
    const working = `${relabelWorkingLine(await lineAlone(it, it.candidateA), 'A')} ${relabelWorkingLine(await lineAlone(it, it.candidateB), 'B')}`;
    const ids = Array.from(tok.encode(`${judgePromptText(it, 'separate')} ${working} <verdict>`).ids);
    const dec = new Decoder(params, 1, ids.length);
    const logits = await dec.prefill([ids]);
    dec.free();
    return { pA: 1 / (1 + Math.exp(logits[tok.id('B')] - logits[tok.id('A')])), working };
  }

  it('gives each pair the lines written for each candidate alone and the verdict read after both', async () => {
    const grouped = await judgePairs(params, tok, items, sep);
    for (const [i, it] of items.entries()) {
      const alone = await judgeAloneSeparate(it);
      expect(grouped[i].working).toBe(alone.working);
      expect(grouped[i].pA).toBeCloseTo(alone.pA, 4);
    }
  });

  it("writes a candidate's line without looking at the other candidate: swapping a pair only relabels the lines", async () => {
    const it0 = items[0];
    const [forward, swapped] = await judgePairs(params, tok, [it0, { ...it0, candidateA: it0.candidateB, candidateB: it0.candidateA }], sep);
    const [la, lb] = [await lineAlone(it0, it0.candidateA), await lineAlone(it0, it0.candidateB)];
    expect(forward.working).toBe(`${relabelWorkingLine(la, 'A')} ${relabelWorkingLine(lb, 'B')}`);
    expect(swapped.working).toBe(`${relabelWorkingLine(lb, 'A')} ${relabelWorkingLine(la, 'B')}`);
  });

  it("'ground' judges exactly as 'separate' at inference (they differ only in what the lines are trained to say)", async () => {
    expect(await judgePairs(params, tok, items, { ...opts, working: 'ground' })).toEqual(await judgePairs(params, tok, items, sep));
  });
});
