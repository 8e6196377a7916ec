// Shared types and cheap argument checks for the CPU reference ops.
// Every op validates its sizes and array lengths up front and throws a ShapeError that
// names the op, the argument, the length it has and the length it should have.
import { ShapeError } from '../errors.ts';

/** Integer index arrays: tokens, targets, positions. */
export type IntArray = Int32Array | Uint32Array;
/** 0/1 masks: 1 = keep (real token, scored), 0 = masked. */
export type MaskArray = Uint8Array | Uint32Array;

/** Throw unless every named size is a positive integer. */
export function checkSizes(op: string, sizes: Record<string, number>): void {
  for (const name in sizes) {
    const s = sizes[name];
    if (!Number.isInteger(s) || s <= 0) {
      throw new ShapeError(
        `${op}: size ${name} = ${s} is not a positive integer; pass the true dimension (a whole number ≥ 1).`,
      );
    }
  }
}

/** Throw unless `arr` has exactly `expected` elements (`null` is allowed when `optional`). */
export function checkLen(
  op: string,
  name: string,
  arr: ArrayLike<number> | null,
  expected: number,
  shape: string,
  optional = false,
): void {
  if (arr === null) {
    if (optional) return;
    throw new ShapeError(`${op}: ${name} is null; pass an array of length ${expected} ${shape}.`);
  }
  if (arr.length !== expected) {
    throw new ShapeError(
      `${op}: ${name} has length ${arr.length}, expected ${expected} ${shape}; ` +
        `check the sizes passed to ${op} or allocate ${name} with the right shape.`,
    );
  }
}
