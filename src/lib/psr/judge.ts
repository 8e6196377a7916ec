// The pairwise step judge, played by the model itself: for (question, accepted steps, A, B) it
// writes its own short working for both candidates (greedy), then the verdict token; P(A wins)
// is the softmax over the two verdict tokens at the verdict position. Judgments of many pairs
// run in decoder batches, sharing the prefill of a common prefix. Used by the self-rewarding
// search and by evaluation. With working 'separate' or 'ground' the model writes each distinct candidate's line
// once, in a prompt showing that candidate alone, and every pair's verdict is read after both lines.
import type { ModelParams } from '../model/params.ts';
import { Decoder } from '../model/decoder.ts';
import { generate } from '../model/sampling.ts';
import type { Tokenizer } from '../tokenizer/tokenizer.ts';
import { judgeLineSuffixText, judgePrefixText, judgeSuffixText, relabelWorkingLine, writesLinesAlone, type JudgeWorkingMode } from '../math/judge-prompt.ts';
import { EOS, VERDICT } from '../tokenizer/special.ts';
import { createRng } from '../math/rng.ts';
import { ContextFullError } from '../errors.ts';

export interface JudgeItem {
  question: string;
  previousSteps: string[];
  candidateA: string;
  candidateB: string;
}

export interface Judgment {
  /** P(A is the better step) from the verdict tokens' logits. */
  pA: number;
  /** The judge's own working (empty with working 'none'). */
  working: string;
}

export interface JudgeOptions {
  working: JudgeWorkingMode;
  rowsPerBatch: number;
  /** Longest working the judge may write before it is cut and asked for its verdict. */
  maxWorkingTokens: number;
}

export const DEFAULT_JUDGE_OPTIONS: JudgeOptions = { working: 'check', rowsPerBatch: 32, maxWorkingTokens: 64 };

/**
 * Judge every item (one order each: A as given). Items that share a question and accepted steps
 * (all the pairs of one search step) share one prefill of that prefix, forked into their rows;
 * only the candidates are appended per row.
 */
export async function judgePairs(params: ModelParams, tok: Tokenizer, items: JudgeItem[], opts: JudgeOptions = DEFAULT_JUDGE_OPTIONS): Promise<Judgment[]> {
  const out: Judgment[] = new Array(items.length);
  const groups = new Map<string, number[]>();
  items.forEach((it, i) => {
    const key = `${it.question}\u0000${it.previousSteps.join('\u0001')}`;
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  });
  for (const indices of groups.values()) {
    if (writesLinesAlone(opts.working)) {
      const results = await judgeSeparately(params, tok, indices.map((k) => items[k]), opts);
      indices.forEach((k, j) => (out[k] = results[j]));
      continue;
    }
    for (let i = 0; i < indices.length; i += opts.rowsPerBatch) {
      const chunk = indices.slice(i, i + opts.rowsPerBatch);
      const results = await judgeSharedPrefix(params, tok, chunk.map((k) => items[k]), opts);
      chunk.forEach((k, j) => (out[k] = results[j]));
    }
  }
  return out;
}

/** Judge items with the same question and accepted steps in one decoder batch. */
async function judgeSharedPrefix(params: ModelParams, tok: Tokenizer, group: JudgeItem[], opts: JudgeOptions): Promise<Judgment[]> {
  const V = params.config.vocabSize;
  const verdictId = tok.id(VERDICT);
  const eosId = tok.id(EOS);
  const prefix = Array.from(tok.encode(judgePrefixText(group[0].question, group[0].previousSteps), { strict: true }).ids);
  const suffixes = group.map((it) => Array.from(tok.encode(judgeSuffixText(it.candidateA, it.candidateB, opts.working), { strict: true }).ids));
  const longest = prefix.length + Math.max(...suffixes.map((x) => x.length));
  const room = opts.working === 'check' ? opts.maxWorkingTokens + 2 : 1;
  const dec = new Decoder(params, group.length, Math.min(params.config.maxPositionEmbeddings, longest + room));
  try {
    await dec.prefillShared(prefix);
    let logits = await dec.append(suffixes);
    const working: string[] = new Array(group.length).fill('');
    if (opts.working === 'check') {
      // Rows end at different lengths; each may write until the cache is full.
      const maxNew = Math.min(opts.maxWorkingTokens, dec.S - longest - 1);
      const gens = await generate(dec, logits, { temperature: 0, topP: 1, maxNewTokens: Math.max(1, maxNew), stopTokens: [verdictId, eosId] }, createRng(0));
      gens.forEach((g, b) => {
        const body = g.finish === 'stop-token' ? g.tokens.slice(0, -1) : g.tokens;
        working[b] = tok.decode(body);
      });
      // The stop token was not fed back: every row now receives <verdict> and we read its logits.
      logits = await dec.append(group.map(() => [verdictId]));
    }
    return group.map((_, b) => ({ pA: verdictP(logits, b, V, tok), working: working[b] }));
  } finally {
    dec.free();
  }
}

/**
 * Working 'separate' or 'ground', items sharing question and accepted steps: one working line per distinct
 * candidate (greedy, in its own line prompt), then each pair's verdict after `<A> a <B> b <work>`,
 * A's line, B's line (relabelled) and `<verdict>` — the verdict is read, nothing more is written.
 */
async function judgeSeparately(params: ModelParams, tok: Tokenizer, group: JudgeItem[], opts: JudgeOptions): Promise<Judgment[]> {
  const candidates = [...new Set(group.flatMap((it) => [it.candidateA, it.candidateB]))];
  const prefix = Array.from(tok.encode(judgePrefixText(group[0].question, group[0].previousSteps), { strict: true }).ids);
  const lines = new Map<string, string>();
  for (let i = 0; i < candidates.length; i += opts.rowsPerBatch) {
    const chunk = candidates.slice(i, i + opts.rowsPerBatch);
    const written = await writeLines(params, tok, prefix, chunk, opts.maxWorkingTokens);
    chunk.forEach((c, j) => lines.set(c, written[j]));
  }
  const out: Judgment[] = [];
  for (let i = 0; i < group.length; i += opts.rowsPerBatch) {
    const chunk = group.slice(i, i + opts.rowsPerBatch);
    const working = chunk.map((it) => `${relabelWorkingLine(lines.get(it.candidateA)!, 'A')} ${relabelWorkingLine(lines.get(it.candidateB)!, 'B')}`);
    // Lines the model wrote may hold words outside the vocabulary only as <unk>, which encodes back to itself.
    const suffixes = chunk.map((it, j) => Array.from(tok.encode(`${judgeSuffixText(it.candidateA, it.candidateB, opts.working)} ${working[j]} ${VERDICT}`).ids));
    const longest = prefix.length + Math.max(...suffixes.map((x) => x.length));
    if (longest > params.config.maxPositionEmbeddings) {
      throw new ContextFullError(
        `a judge prompt with both working lines has ${longest} tokens, more than ${params.config.maxPositionEmbeddings} positions; ` +
          'the search ends this problem unfinished (lower maxSteps or the candidate length, or use a model with a longer context).',
      );
    }
    const dec = new Decoder(params, chunk.length, longest);
    try {
      await dec.prefillShared(prefix);
      const logits = await dec.append(suffixes);
      out.push(...chunk.map((_, b) => ({ pA: verdictP(logits, b, params.config.vocabSize, tok), working: working[b] })));
    } finally {
      dec.free();
    }
  }
  return out;
}

/** Each candidate's working line, written greedily after its line prompt (stops at `<eos>` or `<verdict>`). */
async function writeLines(params: ModelParams, tok: Tokenizer, prefix: number[], candidates: string[], maxTokens: number): Promise<string[]> {
  const suffixes = candidates.map((c) => Array.from(tok.encode(judgeLineSuffixText(c), { strict: true }).ids));
  const longest = prefix.length + Math.max(...suffixes.map((x) => x.length));
  const dec = new Decoder(params, candidates.length, Math.min(params.config.maxPositionEmbeddings, longest + maxTokens + 1));
  try {
    await dec.prefillShared(prefix);
    const first = await dec.append(suffixes);
    const maxNew = Math.max(1, Math.min(maxTokens, dec.S - longest - 1));
    const gens = await generate(dec, first, { temperature: 0, topP: 1, maxNewTokens: maxNew, stopTokens: [tok.id(EOS), tok.id(VERDICT)] }, createRng(0));
    return gens.map((g) => tok.decode(g.finish === 'stop-token' ? g.tokens.slice(0, -1) : g.tokens).trim());
  } finally {
    dec.free();
  }
}

/** P(A) from the two verdict tokens' logits of row `b`. */
function verdictP(logits: Float32Array, b: number, V: number, tok: Tokenizer): number {
  const la = logits[b * V + tok.id('A')];
  const lb = logits[b * V + tok.id('B')];
  return 1 / (1 + Math.exp(lb - la));
}

/** Judge each item in both orders; pA = mean of P(A) and 1 − P(B as A) — the position-debiased verdict. */
export async function judgeBothOrders(
  params: ModelParams,
  tok: Tokenizer,
  items: JudgeItem[],
  opts: JudgeOptions = DEFAULT_JUDGE_OPTIONS,
): Promise<{ pA: number; forward: Judgment; swapped: Judgment }[]> {
  const swappedItems = items.map((it) => ({ ...it, candidateA: it.candidateB, candidateB: it.candidateA }));
  const all = await judgePairs(params, tok, [...items, ...swappedItems], opts);
  return items.map((_, i) => {
    const forward = all[i];
    const swapped = all[items.length + i];
    return { pA: (forward.pA + (1 - swapped.pA)) / 2, forward, swapped };
  });
}
