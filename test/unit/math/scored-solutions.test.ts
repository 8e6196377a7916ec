// Simulated whole solutions: a zero error rate reproduces a perfect solution (5 points); errors
// lower the oracle's points; the points cover the rubric's range.
import { describe, expect, it } from 'vitest';
import { defaultWorldConfig } from '../../../src/lib/math/config.ts';
import { generateProblems } from '../../../src/lib/math/generator.ts';
import { createRng } from '../../../src/lib/math/rng.ts';
import { simulateSolution } from '../../../src/lib/math/scored-solutions.ts';

const problems = generateProblems(defaultWorldConfig(), { seed: 2, count: 60 });

describe('simulateSolution', () => {
  it('with no errors writes a perfect solution worth 5 points', () => {
    const rng = createRng(1);
    for (const p of problems.slice(0, 20)) expect(simulateSolution(p, rng, 0).points).toBe(5);
  });

  it('with errors produces a spread of points, most below 5', () => {
    const rng = createRng(2);
    const pts = problems.map((p) => simulateSolution(p, rng, 0.5).points);
    expect(new Set(pts).size).toBeGreaterThanOrEqual(3);
    expect(pts.filter((x) => x < 5).length).toBeGreaterThan(pts.length / 2);
  });
});
