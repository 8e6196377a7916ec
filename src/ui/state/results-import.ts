// Import of exported results: the `metrics.json` of the page's zip export (`{ model, label,
// iterations }`) back into the results view. Every record is checked field by field (the fields
// the view and the next export read), and the iterations must form one chain of models; anything
// else is an ImportError that names the record and the field, and nothing changes.
import type { IterationRecord } from './saved-work.ts';
import { ImportError } from '../../lib/errors.ts';

type Obj = Record<string, unknown>;

const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const isShare = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0 && x <= 1;
const isCount = (x: unknown): x is number => Number.isInteger(x) && (x as number) >= 0;
const MODEL = /^M\d+$/;

/** The iterations of an exported metrics.json, checked; `modelName` is the page's model (results of another base are refused). */
export function parseResultsJson(text: string, modelName: string): IterationRecord[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ImportError(`the results file is not JSON (${(e as Error).message}); pick the metrics.json of the page's zip export.`);
  }
  if (!isObj(doc) || !Array.isArray(doc.iterations)) {
    throw new ImportError('the results file has no "iterations" list; pick the metrics.json of the page\'s zip export.');
  }
  if (typeof doc.model === 'string' && doc.model !== modelName) {
    throw new ImportError(`these results are of the model "${doc.model}" and this page runs "${modelName}"; load that model first, or pick results of this one.`);
  }
  const records = doc.iterations.map((r, i) => checkRecord(r, i + 1));
  records.forEach((r, i) => {
    if (i === 0) return;
    const prev = records[i - 1];
    const reached = prev.failed ? prev.from : prev.to;
    if (r.from !== reached) throw new ImportError(`iteration ${i + 1} starts from ${r.from}, but the one before it left ${reached}; the file's iterations must follow each other.`);
  });
  return records;
}

function checkRecord(r: unknown, n: number): IterationRecord {
  const bad = (field: string, want: string): never => {
    throw new ImportError(`iteration ${n} of the results file: "${field}" must be ${want}; the file may have been edited — export it again from the page.`);
  };
  if (!isObj(r)) return bad('(the record)', 'an object');
  if (typeof r.from !== 'string' || !MODEL.test(r.from)) bad('from', 'a model name like "M1"');
  if (typeof r.to !== 'string' || !MODEL.test(r.to)) bad('to', 'a model name like "M2"');
  if (typeof r.finished !== 'string' || Number.isNaN(Date.parse(r.finished))) bad('finished', 'a date');
  if (!isCount(r.pairs)) bad('pairs', 'a whole number ≥ 0');
  if (typeof r.seconds !== 'number' || !Number.isFinite(r.seconds) || r.seconds < 0) bad('seconds', 'a number ≥ 0');
  if (typeof r.failed !== 'boolean') bad('failed', 'true or false');
  if (r.ownPairs !== null && !(isObj(r.ownPairs) && isShare(r.ownPairs.before) && isShare(r.ownPairs.after))) bad('ownPairs', 'null or { before, after } shares from 0 to 1');
  if (r.pairQuality !== null) {
    const q = r.pairQuality;
    const kinds = ['correct-order', 'both-valid', 'both-invalid', 'inverted'];
    if (!isObj(q) || !isCount(q.pairs) || !isObj(q.counts) || !kinds.every((k) => isCount((q.counts as Obj)[k]))) bad('pairQuality', 'null or the oracle grading of the pairs (pairs and counts per class)');
  }
  for (const side of ['before', 'after'] as const) {
    const e = r[side];
    if (e === null) continue;
    if (!isObj(e) || !isObj(e.solve) || !isObj(e.judge)) bad(side, 'null or an evaluation with "solve" and "judge"');
    const { solve, judge } = e as { solve: Obj; judge: Obj };
    if (!isShare(solve.accuracy)) bad(`${side}.solve.accuracy`, 'a share from 0 to 1');
    if (!isCount(solve.problems)) bad(`${side}.solve.problems`, 'a whole number ≥ 0');
    if (typeof solve.correct !== 'string' || !/^[01]*$/.test(solve.correct)) bad(`${side}.solve.correct`, 'a string of 0s and 1s (one per problem)');
    if (!isShare(judge.judge_accuracy)) bad(`${side}.judge.judge_accuracy`, 'a share from 0 to 1');
  }
  return r as unknown as IterationRecord;
}
