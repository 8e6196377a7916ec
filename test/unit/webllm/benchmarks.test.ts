// Loading GSM8K / MATH-500 test problems from the Hugging Face datasets server, against a fake fetch that
// answers like the server: paging in requests of ≤ 100 rows, the end of the dataset, HTTP errors,
// network failures and malformed rows, each with its named error.
import { describe, expect, it } from 'vitest';
import { loadBenchmark, rowsUrl, type BenchmarkName } from '../../../src/lib/webllm/benchmarks.ts';
import { BenchmarkDownloadError, BenchmarkFormatError } from '../../../src/lib/webllm/benchmark-errors.ts';
import { InvalidInputError } from '../../../src/lib/errors.ts';

/** A GSM8K-like row i (our own words; the gold is 3i + 7, with a thousands comma for large i). */
function gsm8kRow(i: number): Record<string, unknown> {
  const gold = 3 * i + 7;
  return {
    question: `A baker fills ${i} trays with 3 rolls each and has 7 rolls left over. How many rolls did she bake?`,
    answer: `She put ${i} * 3 = <<${i}*3=${3 * i}>>${3 * i} rolls on trays.\nWith the 7 left over she baked ${gold} rolls.\n#### ${gold.toLocaleString('en-US')}`,
  };
}

const MATH_ROWS: Record<string, unknown>[] = [
  {
    problem: 'What is the sum of the roots of $x^2 - 7x + 10 = 0$?',
    solution: 'By Vieta, the roots sum to $7$, so the answer is $\\boxed{7}$.',
    answer: '7',
    subject: 'Algebra',
    level: 2,
    unique_id: 'test/algebra/1042.json',
  },
  {
    problem: 'A fair coin is flipped twice. What is the probability of two heads? Express your answer as a common fraction.',
    solution: 'Each flip is heads with probability $\\frac12$, so both are with $\\boxed{\\frac{1}{4}}$.',
    answer: '\\frac{1}{4}',
    subject: 'Counting & Probability',
    level: 1,
    unique_id: 'test/counting_and_probability/311.json',
  },
];

interface FakeServer {
  fetchFn: typeof fetch;
  urls: URL[];
}

/** Serves `rows(i)` for i < total like datasets-server /rows; `edit` may tamper with a page body. */
function fakeServer(total: number, rows: (i: number) => Record<string, unknown>, edit?: (body: any) => void): FakeServer {
  const urls: URL[] = [];
  const fetchFn = (async (input: RequestInfo | URL) => {
    const url = new URL(String(input));
    urls.push(url);
    const offset = Number(url.searchParams.get('offset'));
    const length = Number(url.searchParams.get('length'));
    if (length > 100) return new Response('{"error":"length must be <= 100"}', { status: 422 });
    const page = [];
    for (let i = offset; i < Math.min(total, offset + length); i++) page.push({ row_idx: i, row: structuredClone(rows(i)), truncated_cells: [] });
    const body = { features: [], rows: page, num_rows_total: total, num_rows_per_page: 100, partial: false };
    edit?.(body);
    return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  return { fetchFn, urls };
}

describe('loadBenchmark', () => {
  it('asks the datasets server for the test split of the right dataset and config', () => {
    const gsm = new URL(rowsUrl('gsm8k', 17, 3));
    expect(gsm.origin + gsm.pathname).toBe('https://datasets-server.huggingface.co/rows');
    expect(Object.fromEntries(gsm.searchParams)).toEqual({ dataset: 'openai/gsm8k', config: 'main', split: 'test', offset: '17', length: '3' });
    const math = new URL(rowsUrl('math500', 0, 100));
    expect(math.searchParams.get('dataset')).toBe('HuggingFaceH4/MATH-500');
    expect(math.searchParams.get('config')).toBe('default');
  });

  it('turns GSM8K rows into problems with ids from row_idx and golds from "#### N"', () => {
    const server = fakeServer(1319, gsm8kRow);
    return loadBenchmark('gsm8k', { offset: 400, length: 2 }, server.fetchFn).then(({ problems, total }) => {
      expect(total).toBe(1319);
      expect(problems).toEqual([
        { id: 'gsm8k-test-400', source: 'gsm8k', question: gsm8kRow(400).question, gold: '1207' }, // "#### 1,207"
        { id: 'gsm8k-test-401', source: 'gsm8k', question: gsm8kRow(401).question, gold: '1210' },
      ]);
    });
  });

  it('turns MATH-500 rows into problems keyed by unique_id with the answer field as gold', async () => {
    const server = fakeServer(MATH_ROWS.length, (i) => MATH_ROWS[i]);
    const { problems, total } = await loadBenchmark('math500', { offset: 0, length: 2 }, server.fetchFn);
    expect(total).toBe(2);
    expect(problems.map((p) => [p.id, p.source, p.gold])).toEqual([
      ['test/algebra/1042.json', 'math500', '7'],
      ['test/counting_and_probability/311.json', 'math500', '\\frac{1}{4}'],
    ]);
    expect(problems[1].question).toContain('two heads');
  });

  it('pages requests of at most 100 rows and keeps row order', async () => {
    const server = fakeServer(1319, gsm8kRow);
    const { problems } = await loadBenchmark('gsm8k', { offset: 50, length: 250 }, server.fetchFn);
    expect(server.urls.map((u) => [u.searchParams.get('offset'), u.searchParams.get('length')])).toEqual([
      ['50', '100'],
      ['150', '100'],
      ['250', '50'],
    ]);
    expect(problems).toHaveLength(250);
    expect(problems.map((p) => p.id)).toEqual(Array.from({ length: 250 }, (_, k) => `gsm8k-test-${50 + k}`));
  });

  it('stops at the end of the dataset and returns what there is', async () => {
    const server = fakeServer(1319, gsm8kRow);
    const { problems, total } = await loadBenchmark('gsm8k', { offset: 1250, length: 200 }, server.fetchFn);
    expect(total).toBe(1319);
    expect(problems).toHaveLength(69);
    expect(problems.at(-1)!.id).toBe('gsm8k-test-1318');
    expect(server.urls).toHaveLength(1); // the first page already reached row 1318: no second request
    const past = await loadBenchmark('gsm8k', { offset: 2000, length: 5 }, fakeServer(1319, gsm8kRow).fetchFn);
    expect(past).toEqual({ problems: [], total: 1319 });
  });

  it('says the status and what to do when the server answers an error', async () => {
    const rateLimited = (async () => new Response('Too Many Requests', { status: 429 })) as unknown as typeof fetch;
    const err = await loadBenchmark('math500', { offset: 0, length: 10 }, rateLimited).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BenchmarkDownloadError);
    expect((err as Error).name).toBe('BenchmarkDownloadError');
    expect((err as Error).message).toMatch(/HTTP 429/);
    expect((err as Error).message).toMatch(/rate-limiting or offline/);
    expect((err as Error).message).toMatch(/try again.*paste a problem/);
  });

  it('reports a failure on a later page too', async () => {
    let calls = 0;
    const good = fakeServer(1319, gsm8kRow).fetchFn;
    const flaky = (async (input: RequestInfo | URL) => (++calls === 2 ? new Response('', { status: 503 }) : good(input))) as typeof fetch;
    await expect(loadBenchmark('gsm8k', { offset: 0, length: 150 }, flaky)).rejects.toThrow(/HTTP 503.*rows 100–149/);
  });

  it('wraps a rejected fetch (offline, CORS, DNS) in BenchmarkDownloadError', async () => {
    const offline = (async () => {
      throw new TypeError('Failed to fetch');
    }) as unknown as typeof fetch;
    const err = await loadBenchmark('gsm8k', { offset: 0, length: 5 }, offline).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BenchmarkDownloadError);
    expect((err as Error).message).toMatch(/could not reach.*Failed to fetch.*paste a problem/);
    expect((err as Error).cause).toBeInstanceOf(TypeError);
  });

  it('names the row index and field of a malformed row', async () => {
    const noAnswer = fakeServer(1319, gsm8kRow, (body) => delete body.rows[1].row.answer);
    await expect(loadBenchmark('gsm8k', { offset: 30, length: 3 }, noAnswer.fetchFn)).rejects.toThrow(
      /row 31 without a text field "answer"/,
    );
    const noId = fakeServer(2, (i) => MATH_ROWS[i], (body) => (body.rows[0].row.unique_id = 42));
    await expect(loadBenchmark('math500', { offset: 0, length: 2 }, noId.fetchFn)).rejects.toThrow(BenchmarkFormatError);
    await expect(loadBenchmark('math500', { offset: 0, length: 2 }, noId.fetchFn)).rejects.toThrow(/row 0 .*"unique_id"/);
    const noHashes = fakeServer(1319, (i) => ({ ...gsm8kRow(i), answer: 'She baked 13 rolls.' }));
    await expect(loadBenchmark('gsm8k', { offset: 2, length: 1 }, noHashes.fetchFn)).rejects.toThrow(/GSM8K row 2, field "answer".*"####"/);
  });

  it('rejects a reply without rows or total, non-JSON, and truncated cells', async () => {
    const noRows = fakeServer(1319, gsm8kRow, (body) => delete body.rows);
    await expect(loadBenchmark('gsm8k', { offset: 0, length: 1 }, noRows.fetchFn)).rejects.toThrow(/no "rows" list/);
    const noTotal = fakeServer(1319, gsm8kRow, (body) => delete body.num_rows_total);
    await expect(loadBenchmark('gsm8k', { offset: 0, length: 1 }, noTotal.fetchFn)).rejects.toThrow(/"num_rows_total"/);
    const html = (async () => new Response('<html>maintenance</html>', { status: 200 })) as unknown as typeof fetch;
    await expect(loadBenchmark('gsm8k', { offset: 0, length: 1 }, html)).rejects.toThrow(/is not JSON/);
    const truncated = fakeServer(2, (i) => MATH_ROWS[i], (body) => (body.rows[1].truncated_cells = ['problem']));
    await expect(loadBenchmark('math500', { offset: 0, length: 2 }, truncated.fetchFn)).rejects.toThrow(
      /truncated field "problem" of MATH-500 row 1; load fewer/,
    );
  });

  it('validates offset, length and the benchmark name before any request', async () => {
    const server = fakeServer(1319, gsm8kRow);
    const bad: [BenchmarkName, number, number, RegExp][] = [
      ['gsm8k', -1, 10, /offset must be a whole number ≥ 0/],
      ['gsm8k', 2.5, 10, /offset/],
      ['gsm8k', 0, 0, /length must be a whole number from 1 to 500/],
      ['gsm8k', 0, 501, /from 1 to 500/],
      ['math500', 0, 1.5, /length/],
      ['gsm9k' as BenchmarkName, 0, 10, /unknown benchmark "gsm9k"; choose 'gsm8k' or 'math500'/],
    ];
    for (const [name, offset, length, message] of bad) {
      const err = await loadBenchmark(name, { offset, length }, server.fetchFn).catch((e: unknown) => e);
      expect(err, `${name} ${offset} ${length}`).toBeInstanceOf(InvalidInputError);
      expect((err as Error).message).toMatch(message);
    }
    expect(server.urls).toHaveLength(0);
    const { problems } = await loadBenchmark('gsm8k', { offset: 0, length: 500 }, server.fetchFn);
    expect(problems).toHaveLength(500);
  });
});
