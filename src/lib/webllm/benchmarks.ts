// Real benchmark problems (GSM8K test, MATH-500) fetched in the browser from the Hugging Face datasets
// server, only when the visitor asks. Rows arrive at most 100 per request; each becomes a
// BenchmarkProblem { id, source, question, gold } graded later with answersMatch (answer.ts).
import { InvalidInputError } from '../errors.ts';
import { gsm8kGold } from './answer.ts';
import { BenchmarkDownloadError, BenchmarkFormatError } from './benchmark-errors.ts';

export type BenchmarkName = 'gsm8k' | 'math500';

export interface BenchmarkProblem {
  /** "gsm8k-test-17" (GSM8K: split and row index) or MATH-500's unique_id ("test/algebra/1265.json"). */
  id: string;
  source: BenchmarkName;
  question: string;
  /** GSM8K: the number after "####" without commas; MATH-500: the `answer` field (LaTeX). */
  gold: string;
}

export const DATASETS_SERVER = 'https://datasets-server.huggingface.co/rows';
/** The most rows the datasets server returns per request. */
export const ROWS_PER_REQUEST = 100;
/** The most rows one loadBenchmark call may ask for. */
export const MAX_ROWS = 500;

interface DatasetSpec {
  dataset: string;
  config: string;
  label: string;
  /** Row fields that must be non-truncated strings. */
  fields: readonly string[];
  toProblem(row: Record<string, string>, rowIdx: number): BenchmarkProblem;
}

const SPECS: Record<BenchmarkName, DatasetSpec> = {
  gsm8k: {
    dataset: 'openai/gsm8k',
    config: 'main',
    label: 'GSM8K',
    fields: ['question', 'answer'],
    toProblem: (row, rowIdx) => ({
      id: `gsm8k-test-${rowIdx}`,
      source: 'gsm8k',
      question: row.question,
      gold: goldOfRow(row.answer, rowIdx),
    }),
  },
  math500: {
    dataset: 'HuggingFaceH4/MATH-500',
    config: 'default',
    label: 'MATH-500',
    fields: ['problem', 'answer', 'unique_id'],
    toProblem: (row) => ({ id: row.unique_id, source: 'math500', question: row.problem, gold: row.answer.trim() }),
  },
};

function goldOfRow(answer: string, rowIdx: number): string {
  try {
    return gsm8kGold(answer);
  } catch (e) {
    throw new BenchmarkFormatError(`GSM8K row ${rowIdx}, field "answer": ${(e as Error).message}`, { cause: e });
  }
}

/** The datasets-server URL for `length` (≤ 100) test rows from `offset`. */
export function rowsUrl(name: BenchmarkName, offset: number, length: number): string {
  const { dataset, config } = SPECS[name];
  const q = new URLSearchParams({ dataset, config, split: 'test', offset: String(offset), length: String(length) });
  return `${DATASETS_SERVER}?${q}`;
}

function validate(name: unknown, offset: unknown, length: unknown): void {
  if (name !== 'gsm8k' && name !== 'math500') {
    throw new InvalidInputError(`unknown benchmark ${JSON.stringify(name)}; choose 'gsm8k' or 'math500'.`);
  }
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) {
    throw new InvalidInputError(`benchmark offset must be a whole number ≥ 0 (got ${String(offset)}); start at 0 for the first problem.`);
  }
  if (typeof length !== 'number' || !Number.isInteger(length) || length < 1 || length > MAX_ROWS) {
    throw new InvalidInputError(
      `benchmark length must be a whole number from 1 to ${MAX_ROWS} (got ${String(length)}); load more problems in several batches.`,
    );
  }
}

/** One page of rows: the parsed body, checked for the shape we read. Throws the named errors. */
async function fetchPage(name: BenchmarkName, offset: number, length: number, fetchFn: typeof fetch) {
  const { label } = SPECS[name];
  const url = rowsUrl(name, offset, length);
  const retry = 'try again in a minute, or paste a problem instead.';
  let res: Response;
  try {
    res = await fetchFn(url);
  } catch (e) {
    throw new BenchmarkDownloadError(
      `could not reach the Hugging Face datasets server for ${label} rows ${offset}–${offset + length - 1} ` +
        `(${(e as Error)?.message ?? String(e)}); check the network connection, then ${retry}`,
      { cause: e },
    );
  }
  if (!res.ok) {
    throw new BenchmarkDownloadError(
      `the Hugging Face datasets server answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''} for ${label} ` +
        `rows ${offset}–${offset + length - 1}; it may be rate-limiting or offline: ${retry}`,
    );
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch (e) {
    throw new BenchmarkFormatError(
      `the datasets server's reply for ${label} is not JSON (${(e as Error).message}); ${retry}`,
      { cause: e },
    );
  }
  return checkPage(name, body);
}

/**
 * Checks the datasets-server body: { rows: [{ row_idx, row: {...}, truncated_cells }], num_rows_total }.
 * Returns the problems and the dataset's total row count.
 */
function checkPage(name: BenchmarkName, body: unknown): { problems: BenchmarkProblem[]; total: number } {
  const spec = SPECS[name];
  const bad = (what: string) =>
    new BenchmarkFormatError(`the datasets server's ${spec.label} reply ${what}; its format may have changed: paste a problem instead.`);
  if (typeof body !== 'object' || body === null) throw bad('is not a JSON object');
  const { rows, num_rows_total: total } = body as { rows?: unknown; num_rows_total?: unknown };
  if (!Array.isArray(rows)) throw bad('has no "rows" list');
  if (typeof total !== 'number' || !Number.isInteger(total) || total < 0) throw bad('has no whole-number "num_rows_total"');

  const problems = rows.map((entry: unknown, i) => {
    const { row_idx: rowIdx, row, truncated_cells: truncated } = (entry ?? {}) as Record<string, unknown>;
    if (typeof rowIdx !== 'number' || !Number.isInteger(rowIdx)) throw bad(`has an entry (number ${i} in the page) without a whole-number "row_idx"`);
    if (typeof row !== 'object' || row === null) throw bad(`has row ${rowIdx} without a "row" object`);
    const cells = row as Record<string, unknown>;
    for (const field of spec.fields) {
      if (typeof cells[field] !== 'string') throw bad(`has row ${rowIdx} without a text field "${field}"`);
      if (Array.isArray(truncated) && truncated.includes(field)) {
        throw new BenchmarkFormatError(
          `the datasets server truncated field "${field}" of ${spec.label} row ${rowIdx}; load fewer problems at a time.`,
        );
      }
    }
    return spec.toProblem(cells as Record<string, string>, rowIdx);
  });
  return { problems, total };
}

/**
 * Loads test problems [offset, offset + length) of a benchmark, 100 rows per request. Stops early at the
 * end of the dataset, so fewer than `length` problems (none when offset ≥ total) may come back; `total`
 * is the dataset's test-split size (GSM8K 1319, MATH-500 500).
 */
export async function loadBenchmark(
  name: BenchmarkName,
  { offset, length }: { offset: number; length: number },
  fetchFn: typeof fetch = fetch,
): Promise<{ problems: BenchmarkProblem[]; total: number }> {
  validate(name, offset, length);
  const problems: BenchmarkProblem[] = [];
  let total = 0;
  for (let at = offset; at < offset + length; at += ROWS_PER_REQUEST) {
    const want = Math.min(ROWS_PER_REQUEST, offset + length - at);
    const page = await fetchPage(name, at, want, fetchFn);
    total = page.total;
    problems.push(...page.problems);
    if (page.problems.length < want || at + want >= total) break;
  }
  return { problems, total };
}
