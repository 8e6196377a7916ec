// Reads a pairwise judge's reply. The judge is told to explain and end with [[A]] or [[B]]; we take
// the verdict only from those markers (never from prose such as "Step A is better") and keep the
// rest of the reply as its explanation. verdictToPA turns a verdict into P(A) for the pair builder.

import type { VerdictLabel } from '../psr/step-model.ts';

/** 'none': no marker (e.g. cut off by max_tokens); 'both': both letters and no clear final one. */
export type { VerdictLabel };

export interface ParsedVerdict {
  verdict: VerdictLabel;
  /** The reply without its final marker (and the markdown / \boxed{ that wrapped it at the end), trimmed. */
  explanation: string;
}

/** [[A]], [[ b ]] …: a letter in double brackets, spaces and case tolerated. */
const MARKER = /\[\[\s*([ab])\s*\]\]/gi;
/** What may follow a concluding marker: whitespace, closing markdown / LaTeX (`**`, `}`, `$`, `\]`) and punctuation. */
const CLOSING_TAIL = /^[\s*_`~.!,;:)\]}"'$\\\u201d\u2019]*$/;
/** Wrappers [open, close] around a concluding marker, removed from the explanation with it when both sides are there. */
const WRAPPERS: readonly [string, string][] = [
  ['**', '**'], ['*', '*'], ['__', '__'], ['_', '_'], ['`', '`'], ['$', '$'], ['\\boxed{', '}'], ['\\[', '\\]'], ['(', ')'],
];
/** Two markers joined only by this are the instruction echoed ("[[A]] or [[B]]"), not a decision. */
const ECHO_JOIN = /^[\s*_`~,/]*(?:or|and)?[\s*_`~,/]*$/i;

/**
 * The verdict of a judge reply. One letter among all markers → that letter. Both letters → the last
 * marker decides only when it ends the reply (after trailing punctuation / markdown) and is not the tail
 * of an echoed "[[A]] or [[B]]"; otherwise 'both'. No marker → 'none'.
 */
export function parseVerdict(text: string): ParsedVerdict {
  const markers = [...text.matchAll(MARKER)];
  if (markers.length === 0) return { verdict: 'none', explanation: text.trim() };

  const last = markers[markers.length - 1];
  const lastLetter = last[1].toUpperCase() as 'A' | 'B';
  const start = last.index;
  const end = start + last[0].length;
  const atEnd = CLOSING_TAIL.test(text.slice(end));

  let verdict: VerdictLabel = lastLetter;
  if (markers.some((m) => m[1].toUpperCase() !== lastLetter)) {
    const prev = markers[markers.length - 2];
    const echoed = ECHO_JOIN.test(text.slice(prev.index + prev[0].length, start));
    verdict = atEnd && !echoed ? lastLetter : 'both';
  }

  const before = text.slice(0, start);
  const after = text.slice(end);
  let explanation: string;
  if (atEnd) {
    explanation = unwrapEnd(before, after);
  } else {
    const spaced = /[ \t]$/.test(before) && /^[ \t]/.test(after); // "I choose [[A]] again" → "I choose again"
    explanation = spaced ? `${before.replace(/[ \t]+$/, '')} ${after.replace(/^[ \t]+/, '')}` : before + after;
  }
  return { verdict, explanation: explanation.trim() };
}

/** `head` without the openers whose closers start `tail` ("Verdict: **" + "**." → "Verdict:"; "$\boxed{" + "}$"). */
function unwrapEnd(head: string, tail: string): string {
  head = head.trimEnd();
  tail = tail.trimStart();
  for (let changed = true; changed; ) {
    changed = false;
    for (const [open, close] of WRAPPERS) {
      if (head.endsWith(open) && tail.startsWith(close)) {
        head = head.slice(0, -open.length).trimEnd();
        tail = tail.slice(close.length).trimStart();
        changed = true;
        break;
      }
    }
  }
  return head;
}

/** P(A) of a verdict: 1 for A, 0 for B, null when there is no usable verdict ('none' or 'both'). */
export function verdictToPA(v: VerdictLabel | ParsedVerdict): number | null {
  const label = typeof v === 'string' ? v : v.verdict;
  return label === 'A' ? 1 : label === 'B' ? 0 : null;
}
