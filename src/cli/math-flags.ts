// Flag parsing shared by the math-world commands (problems, check, datasets): whole numbers
// with bounds, comma lists, the seed. Bad values throw UsageError saying what to pass.
import { UsageError } from '../lib/errors.ts';
import type { FlagValues } from './command.ts';

/** A whole-number flag in [min, max]; `fallback` when absent (undefined fallback = required). */
export function intFlag(flags: FlagValues, name: string, min: number, max: number, fallback?: number): number {
  const raw = flags[name];
  if (raw === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required; pass e.g. --${name} ${min}`);
    return fallback;
  }
  if (typeof raw !== 'string' || !/^-?\d+$/.test(raw.trim())) {
    throw new UsageError(`--${name} must be a whole number, got ${JSON.stringify(raw)}; pass e.g. --${name} ${min}`);
  }
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be between ${min} and ${max}, got ${raw}; pick a value in range`);
  }
  return n;
}

/** A comma-separated list of whole numbers, each in [min, max]. */
export function intListFlag(flags: FlagValues, name: string, min: number, max: number, fallback: number[]): number[] {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string') throw new UsageError(`--${name} needs a value like 1,2,3`);
  const parts = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return parts.map((p) => intFlag({ [name]: p }, name, min, max));
}

/** The seed: a whole number in [0, 2^32). */
export function seedFlag(flags: FlagValues, fallback = 0): number {
  return intFlag(flags, 'seed', 0, 4294967295, fallback);
}
