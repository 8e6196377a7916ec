// "Try your own problem": a visitor's question checked against the loaded model before anything
// runs — words outside the model's vocabulary (with the nearest known words), its length against
// the context — and, when the world's parser understands it, the oracle's answer and reference
// solution (teaching only). A question with unknown words is not run: the model would see <unk>.
import type { Tokenizer } from '../tokenizer/tokenizer.ts';
import type { WorldConfig } from '../math/config.ts';
import { parseQuestion } from '../math/question-parse.ts';
import { answerOf } from '../math/graph.ts';
import { referenceOrder, writeSolution } from '../math/steps.ts';
import { contentHash } from '../math/generator.ts';
import { InvalidInputError } from '../errors.ts';

export interface UnknownWord {
  word: string;
  /** Character span in the question as given. */
  start: number;
  end: number;
  /** Up to three vocabulary words closest in spelling. */
  near: string[];
}

export interface OwnProblemCheck {
  /** The question with runs of white space made single (what the model will read). */
  question: string;
  unknown: UnknownWord[];
  /** Tokens of the question; the model's context must also hold the solution. */
  tokens: number;
  maxTokens: number;
  /** The oracle's answer and reference steps when the world's parser understands the question; null otherwise. */
  answer: number | null;
  steps: string[] | null;
  /** Why the oracle cannot grade it (outside the world's templates), when it cannot. */
  oracleNote: string | null;
  /** The id the problem gets when it can run (no unknown words, short enough); null otherwise. */
  id: string | null;
}

export const MAX_OWN_QUESTION_CHARS = 800;

/** Levenshtein distance, case-insensitive, stopping early above `limit`. */
function distance(a: string, b: string, limit: number): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      best = Math.min(best, cur[j]);
    }
    if (best > limit) return limit + 1;
    prev = cur;
  }
  return prev[b.length];
}

/** The closest words of the vocabulary (plain words only, no markers or digits). */
export function nearestWords(vocab: readonly string[], word: string, k = 3): string[] {
  const limit = Math.max(2, Math.ceil(word.length / 2));
  return vocab
    .filter((v) => /^[A-Za-z]+$/.test(v))
    .map((v) => ({ v, d: distance(word, v, limit) }))
    .filter((x) => x.d <= limit)
    .sort((x, y) => x.d - y.d || x.v.localeCompare(y.v))
    .slice(0, k)
    .map((x) => x.v);
}

export function checkOwnProblem(text: string, tok: Tokenizer, world: WorldConfig, maxTokens: number): OwnProblemCheck {
  if (typeof text !== 'string' || text.trim() === '') throw new InvalidInputError('the question is empty; type a word problem first.');
  if (text.length > MAX_OWN_QUESTION_CHARS) {
    throw new InvalidInputError(`the question has ${text.length} characters; at most ${MAX_OWN_QUESTION_CHARS} fit the model's context with a solution — shorten it.`);
  }
  const question = text.replace(/\s+/g, ' ').trim();
  const enc = tok.encode(question);
  const unknown: UnknownWord[] = [];
  for (let t = 0; t < enc.ids.length; t++) {
    if (enc.ids[t] !== tok.unkId) continue;
    const [start, end] = [enc.offsets[2 * t], enc.offsets[2 * t + 1]];
    const word = question.slice(start, end);
    unknown.push({ word, start, end, near: nearestWords(tok.vocab, word) });
  }
  let answer: number | null = null;
  let steps: string[] | null = null;
  let oracleNote: string | null = null;
  try {
    const g = parseQuestion(world.templates, question);
    answer = answerOf(g);
    steps = writeSolution(world.templates, g, referenceOrder(g));
  } catch (e) {
    oracleNote = `the checker cannot read this question (${(e as Error).message.split(';')[0]}), so it cannot grade the steps; the model still tries.`;
  }
  // Half the context for the question leaves room for a solution of several steps.
  const tooLong = enc.ids.length > maxTokens / 2;
  const id = unknown.length === 0 && !tooLong ? `own-${contentHash(question)}` : null;
  return { question, unknown, tokens: enc.ids.length, maxTokens, answer, steps, oracleNote, id };
}
