// Final answers of real benchmark problems: pull the last \boxed{…} out of a model's reply, bring
// LaTeX answers to one canonical string (units, \text, \dfrac, 1{,}000, 0.50 …), compare a prediction
// with the gold answer (as strings, else as numbers within 1e-6 relative), and read GSM8K's "#### N" gold.
import { BenchmarkFormatError } from './benchmark-errors.ts';

/** A `{…}` group starting at `open` (s[open] === '{'): its content and the index just past its `}`; null if unbalanced. */
function readGroup(s: string, open: number): { content: string; end: number } | null {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const ch = s[i];
    if (ch === '\\') {
      i++; // an escaped char (\{, \}, \\) never opens or closes a group
    } else if (ch === '{') {
      depth++;
    } else if (ch === '}') {
      depth--;
      if (depth === 0) return { content: s.slice(open + 1, i), end: i + 1 };
    }
  }
  return null;
}

/** Content of the LAST `\boxed{…}` / `\boxed {…}` / `\fbox{…}` in `text`; null when there is none or it is unbalanced (cut off). */
export function extractBoxed(text: string): string | null {
  let last = -1;
  for (const m of text.matchAll(/\\(?:boxed|fbox)\s*\{/g)) last = m.index + m[0].length - 1;
  if (last < 0) return null;
  const group = readGroup(text, last);
  return group ? group.content.trim() : null;
}

/** `\text{ dollars}` → ` dollars` (also \textbf, \textit, \textrm, \mbox, \mathrm); nested wrappers too. */
function unwrapTextCommands(s: string): string {
  const re = /\\(?:text|textbf|textit|textrm|mbox|mathrm)\s*\{/;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    const group = readGroup(s, m.index + m[0].length - 1);
    s = group
      ? s.slice(0, m.index) + group.content + s.slice(group.end)
      : s.slice(0, m.index) + s.slice(m.index + m[0].length); // unbalanced: drop the command, keep the rest
  }
  return s;
}

/** Unit words dropped when they follow a number ("18 dollars", "5\text{ cm}^2", "30 degrees"); never on their own. */
const UNIT =
  '(?:(?:square|sq\\.?|cubic)\\s+)?(?:dollars?|cents?|cm|mm|km|meters?|metres?|inch(?:es)?|feet|foot|ft|yards?|miles?|mph|' +
  'hours?|hrs?|minutes?|mins?|seconds?|secs?|days?|weeks?|months?|years?|degrees?|units?|pounds?|lbs?|ounces?|oz|' +
  'grams?|kg|liters?|litres?|gallons?|percent)';
const UNIT_AFTER_NUMBER = new RegExp(`([\\d}])\\s*${UNIT}(?:\\s*\\^\\s*\\{?\\s*[23]\\s*\\}?)?(?![a-zA-Z])`, 'gi');

/**
 * Gives `\frac` (2 arguments) or `\sqrt` (1) braced arguments: `\frac12` → `\frac{1}{2}`, `\frac\pi2` →
 * `\frac{\pi}{2}`, `\sqrt2` → `\sqrt{2}`; arguments are fixed recursively. Expects whitespace already removed.
 */
function braceArgs(s: string, cmd: 'frac' | 'sqrt', nargs: number): string {
  const head = `\\${cmd}`;
  let out = '';
  let i = 0;
  while (i < s.length) {
    const j = s.indexOf(head, i);
    if (j < 0) return out + s.slice(i);
    let k = j + head.length;
    out += s.slice(i, k);
    i = k;
    if (/[a-zA-Z]/.test(s[k] ?? '')) continue; // a longer command such as \fracture
    if (cmd === 'sqrt' && s[k] === '[') {
      const close = s.indexOf(']', k);
      if (close < 0) continue;
      out += s.slice(k, close + 1);
      k = close + 1;
    }
    for (let a = 0; a < nargs && k < s.length; a++) {
      let arg: string;
      if (s[k] === '{') {
        const group = readGroup(s, k);
        if (!group) return out + s.slice(k); // unbalanced: leave the rest as it is
        arg = group.content;
        k = group.end;
      } else if (s[k] === '\\') {
        arg = /^\\(?:[a-zA-Z]+|.)/.exec(s.slice(k))![0];
        k += arg.length;
      } else {
        arg = s[k];
        k += 1;
      }
      out += `{${braceArgs(arg, cmd, nargs)}}`;
    }
    i = k;
  }
  return out;
}

/**
 * Canonical form of an answer for string comparison. Removes `$`, \left/\right, thin spaces, \text-style
 * wrappers (keeping their content), units after numbers, degrees, percent signs, a trailing period, a leading
 * single-variable assignment (`x = `), all whitespace, and thousands separators of a lone number; makes
 * \dfrac/\tfrac → \frac with braced arguments; `0.50` → `0.5`, `5.0` → `5`, `+3` → `3`.
 */
export function normalizeAnswer(s: string): string {
  s = unwrapTextCommands(s.trim());
  s = s.replace(/\\\$/g, '').replace(/\$/g, '');
  s = s.replace(/\\(?:left|right)(?![a-zA-Z])/g, '').replace(/\\displaystyle(?![a-zA-Z])/g, '');
  s = s.replace(/\\[!,;: ]/g, ' ');
  s = s.replace(/\{,\}/g, ',');
  s = s.replace(/\^\s*\{\s*\\circ\s*\}|\^\s*\\circ(?![a-zA-Z])|°/g, '');
  s = s.replace(/\\?%/g, '');
  s = s.replace(/\\[dt]frac(?![a-zA-Z])/g, '\\frac');
  s = s.trim().replace(/\.+$/, '');
  s = s.replace(UNIT_AFTER_NUMBER, '$1');
  s = s.trim().replace(/\.+$/, '');
  if ((s.match(/=/g) ?? []).length === 1) s = s.replace(/^(?:[a-zA-Z]|\\[a-zA-Z]+)\s*=\s*/, '');
  if (/^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(s)) s = s.replace(/,/g, ''); // 1,000 but not "1, 234"
  s = s.replace(/\s+/g, '');
  s = braceArgs(braceArgs(s, 'frac', 2), 'sqrt', 1);
  s = s.replace(/^\+(?=[\d.])/, '');
  s = s.replace(/(?<![\d.])(\d+)\.(\d*?)0+(?!\d)/g, (_m, int: string, frac: string) => (frac ? `${int}.${frac}` : int));
  return s;
}

const NUM = '-?(?:\\d+(?:\\.\\d+)?|\\.\\d+)';
const PLAIN = new RegExp(`^${NUM}$`);
const SLASH = new RegExp(`^(${NUM})/(${NUM})$`);
const FRAC = new RegExp(`^(-?)\\\\frac\\{(${NUM})\\}\\{(${NUM})\\}$`);

/** The value of a normalized answer that is a number: `-3`, `0.25`, `.5`, `3/4`, `\frac{3}{4}`, `-\frac{1}{2}`; else null. */
function parseNumber(s: string): number | null {
  if (PLAIN.test(s)) return Number(s);
  const slash = SLASH.exec(s);
  if (slash) return Number(slash[2]) === 0 ? null : Number(slash[1]) / Number(slash[2]);
  const frac = FRAC.exec(s);
  if (frac) {
    if (Number(frac[3]) === 0) return null;
    return (frac[1] ? -1 : 1) * (Number(frac[2]) / Number(frac[3]));
  }
  return null;
}

/** True when the prediction equals the gold answer after normalizeAnswer, or both are the same number (relative tolerance 1e-6). */
export function answersMatch(predicted: string, gold: string): boolean {
  const p = normalizeAnswer(predicted);
  const g = normalizeAnswer(gold);
  if (p === '' || g === '') return false;
  if (p === g) return true;
  const a = parseNumber(p);
  const b = parseNumber(g);
  if (a === null || b === null) return false;
  return a === b || Math.abs(a - b) <= 1e-6 * Math.max(Math.abs(a), Math.abs(b));
}

/** GSM8K gold from its `answer` field ("…\n#### 70,000" → "70000"): the text after the last `####`, trimmed, commas removed. */
export function gsm8kGold(answerField: string): string {
  const at = answerField.lastIndexOf('####');
  const gold = at < 0 ? '' : answerField.slice(at + 4).trim().replace(/,/g, '');
  if (gold === '') {
    const tail = answerField.length > 60 ? `…${answerField.slice(-60)}` : answerField;
    throw new BenchmarkFormatError(
      `a GSM8K answer field must end with "#### <answer>", but ${at < 0 ? 'it has no "####"' : 'nothing follows its "####"'} ` +
        `(it ends ${JSON.stringify(tail)}); pass the dataset's answer field unchanged, or give the gold answer directly.`,
    );
  }
  return gold;
}
