// Shared fixtures for the math-world tests: the default world and fast-check arbitraries.
import fc from 'fast-check';
import { defaultWorldConfig } from '../../../src/lib/math/config.ts';

export const world = defaultWorldConfig();
export const LEVELS = world.difficulties.length;

export const seedArb = fc.integer({ min: 0, max: 0xffffffff });
export const levelArb = fc.integer({ min: 1, max: LEVELS });

/**
 * A hand-written question in the world's phrasing: Ann = 12 + 5 = 17, Ben = 17 × 3 = 51,
 * answer = Ben + Cara = 51 + 7 = 58; Dan's line is a distractor.
 */
export const CHAIN_Q =
  'Tom has 12 apples. Ann has 5 more apples than Tom. Ben has 3 times as many apples as Ann. ' +
  'Cara has 7 apples. Dan has 9 apples. How many apples do Ben and Cara have together?';

/** Two independent branches: Ann = 12 + 5 = 17 and Cara = 20 - 4 = 16, answer 17 + 16 = 33. */
export const BRANCH_Q =
  'Tom has 12 apples. Ann has 5 more apples than Tom. Ben has 20 apples. Cara has 4 fewer apples than Ben. ' +
  'How many apples do Ann and Cara have together?';
