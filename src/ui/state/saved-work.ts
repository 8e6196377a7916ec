// The page's work kept in this browser (IndexedDB through idb): per model folder, the trained
// adapter of the current M_t, the iterations of past visits (their evaluations and pair counts)
// and the last iteration's outcome with its pairs. Written after every finished iteration, read
// back when the page loads the model again. Quota and private-mode failures become named errors
// (StorageFullError, StorageUnavailableError); the page keeps working without storage.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { ExportedFile, InterruptedIteration, IterationOutcome } from '../../lib/api.ts';
import type { ModelEvaluation } from '../../lib/psr/loop.ts';
import type { PairQualitySummary } from '../../lib/psr/pair-quality.ts';
import { StorageFullError, StorageUnavailableError } from '../../lib/errors.ts';

/** An iteration interrupted after its search (reload, closed tab, an error in training), kept to resume. */
export interface KeptIteration extends InterruptedIteration {
  /** How many pairs `pairsJsonl` holds (shown without parsing it). */
  pairs: number;
  savedAt: string;
}

/** One finished iteration, as the results view shows it. */
export interface IterationRecord {
  from: string;
  to: string;
  /** ISO time the iteration finished. */
  finished: string;
  before: ModelEvaluation | null;
  after: ModelEvaluation | null;
  pairs: number;
  pairQuality: PairQualitySummary | null;
  /** Share of its own pairs in which the model preferred the chosen step, before and after training. */
  ownPairs: { before: number; after: number } | null;
  seconds: number;
  /** Training stopped (e.g. a non-finite loss): the model stayed `from`. */
  failed: boolean;
}

export interface SavedWork {
  /** The model folder (e.g. "psr-tiny/"): saved work belongs to the base it was trained on. */
  key: string;
  model: string;
  /** ModelInfo.fingerprint of the base the adapter was trained on: work of another base is not restored. */
  fingerprint: string;
  /** M_t of the saved adapter; the folder's own generation means nothing was trained yet. */
  generation: number;
  adapter: ExportedFile[] | null;
  history: IterationRecord[];
  /** The last iteration (pairs included), shown again after a reload. */
  lastOutcome: IterationOutcome | null;
  /** An iteration that finished its search but not its training (absent in records of older pages). */
  interrupted?: KeptIteration | null;
  savedAt: string;
}

interface Schema extends DBSchema {
  work: { key: string; value: SavedWork };
}

const DB_NAME = 'psr-lab';
const DB_VERSION = 1;

/** The record of one finished iteration, from its outcome. */
export function recordOf(o: IterationOutcome, finished: Date = new Date()): IterationRecord {
  const own = o.report.ownPairs;
  return {
    from: o.from,
    to: o.to,
    finished: finished.toISOString(),
    before: o.before,
    after: o.report.evaluation,
    pairs: o.pairs.length,
    pairQuality: o.report.pairQuality,
    ownPairs: own ? { before: own.preferChosenBefore, after: own.preferChosenAfter } : null,
    seconds: o.ms / 1000,
    failed: o.report.error !== null,
  };
}

function storageError(e: unknown, doing: string): Error {
  const name = (e as { name?: string } | null)?.name;
  if (name === 'QuotaExceededError') {
    return new StorageFullError(
      `the browser has no room left to ${doing} (QuotaExceededError). Your work is still on this page: export the adapter and pairs to keep them, or free space with "Clear saved data".`,
      { cause: e },
    );
  }
  if (name === 'StorageFullError' || name === 'StorageUnavailableError') return e as Error;
  return new StorageUnavailableError(
    `this browser would not let the page ${doing} (${name ?? 'Error'}: ${(e as Error)?.message ?? String(e)}); private windows often block storage. Work stays on this page until you close it: export what you want to keep.`,
    { cause: e },
  );
}

export class WorkStore {
  private db: Promise<IDBPDatabase<Schema>> | null = null;

  constructor(private readonly factory: () => IDBFactory | undefined = () => globalThis.indexedDB) {}

  private open(doing: string): Promise<IDBPDatabase<Schema>> {
    if (!this.db) {
      if (!this.factory()) return Promise.reject(storageError({ name: 'NoIndexedDB', message: 'indexedDB is not available' }, doing));
      this.db = openDB<Schema>(DB_NAME, DB_VERSION, {
        upgrade(db) {
          db.createObjectStore('work', { keyPath: 'key' });
        },
      }).catch((e: unknown) => {
        this.db = null;
        throw storageError(e, doing);
      });
    }
    return this.db;
  }

  async get(key: string): Promise<SavedWork | null> {
    const db = await this.open('read its saved work');
    try {
      return (await db.get('work', key)) ?? null;
    } catch (e) {
      throw storageError(e, 'read its saved work');
    }
  }

  async put(work: SavedWork): Promise<void> {
    const db = await this.open('save your work');
    try {
      await db.put('work', work);
    } catch (e) {
      throw storageError(e, 'save your work');
    }
  }

  /** Forget everything this page stored (every model's work). */
  async clear(): Promise<void> {
    const db = await this.open('clear its saved work');
    try {
      await db.clear('work');
    } catch (e) {
      throw storageError(e, 'clear its saved work');
    }
  }
}
