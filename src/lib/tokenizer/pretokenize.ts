// Pre-tokenization that mirrors the HF tokenizers pipeline we save in tokenizer.json:
// special (added) tokens are cut out first, then Sequence[WhitespaceSplit,
// Punctuation(Isolated), Digits(individual_digits)]. Each piece keeps its character span.

/** A piece of text with its [start, end) character span in the input. */
export interface Piece {
  text: string;
  start: number;
  end: number;
  special: boolean;
}

/** Rust's char::is_ascii_punctuation || unicode P* categories (HF's Punctuation pre-tokenizer). */
const PUNCT_RE = /[!-/:-@[-`{-~]|\p{P}/u;
/** Rust's char::is_numeric: unicode N* (HF's Digits pre-tokenizer). */
const DIGIT_RE = /\p{N}/u;
const SPACE_RE = /\s/u;

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Split text into pieces; `specials` are matched verbatim (longest first) before anything else. */
export function pretokenize(text: string, specials: readonly string[]): Piece[] {
  const out: Piece[] = [];
  const sorted = [...specials].sort((a, b) => b.length - a.length);
  const re = sorted.length > 0 ? new RegExp(sorted.map(escapeRe).join('|'), 'g') : null;
  let last = 0;
  const plain = (from: number, to: number) => {
    let i = from;
    while (i < to) {
      const cp = text.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      const w = ch.length;
      if (SPACE_RE.test(ch)) {
        i += w;
        continue;
      }
      if (PUNCT_RE.test(ch) || DIGIT_RE.test(ch)) {
        out.push({ text: ch, start: i, end: i + w, special: false });
        i += w;
        continue;
      }
      // A word: run until whitespace, punctuation or a digit.
      let j = i + w;
      while (j < to) {
        const c2 = String.fromCodePoint(text.codePointAt(j)!);
        if (SPACE_RE.test(c2) || PUNCT_RE.test(c2) || DIGIT_RE.test(c2)) break;
        j += c2.length;
      }
      out.push({ text: text.slice(i, j), start: i, end: j, special: false });
      i = j;
    }
  };
  if (re) {
    for (const m of text.matchAll(re)) {
      plain(last, m.index!);
      out.push({ text: m[0], start: m.index!, end: m.index! + m[0].length, special: true });
      last = m.index! + m[0].length;
    }
  }
  plain(last, text.length);
  return out;
}

export function isDigitToken(s: string): boolean {
  return s.length > 0 && s.length <= 2 && DIGIT_RE.test(s) && String.fromCodePoint(s.codePointAt(0)!) === s;
}

export function isPunctToken(s: string): boolean {
  return s.length > 0 && s.length <= 2 && PUNCT_RE.test(s) && String.fromCodePoint(s.codePointAt(0)!) === s;
}
