// The problem generator: shape of problems and steps, determinism, the question parser's
// round trip, distractors, knobs and config validation.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WorldConfigError } from '../../../src/lib/errors.ts';
import { defaultWorldConfig, validateWorldConfig, type WorldConfig } from '../../../src/lib/math/config.ts';
import { generateProblem, generateProblems } from '../../../src/lib/math/generator.ts';
import { applyOp } from '../../../src/lib/math/graph.ts';
import { findEquations, extractAnswer } from '../../../src/lib/math/parse-output.ts';
import { parseStory } from '../../../src/lib/math/question-parse.ts';
import { createRng } from '../../../src/lib/math/rng.ts';
import { levelArb, seedArb, world } from './helpers.ts';

describe('generateProblem', () => {
  it('emits {id, question, steps, answer, difficulty} with one equation per Step-n line and the answer last', () => {
    fc.assert(
      fc.property(seedArb, levelArb, (seed, d) => {
        const p = generateProblem(world, createRng(seed), d);
        const L = world.difficulties[d - 1];
        expect(p.difficulty).toBe(d);
        expect(p.id.startsWith(`d${d}-`)).toBe(true);
        expect(p.steps.length).toBeGreaterThanOrEqual(L.steps[0]);
        expect(p.steps.length).toBeLessThanOrEqual(L.steps[1]);
        p.steps.forEach((s, i) => {
          expect(s.startsWith(`Step ${i + 1}: `)).toBe(true);
          const { equations, chained } = findEquations(s);
          expect(equations).toHaveLength(1);
          expect(chained).toBe(false);
          const e = equations[0];
          expect(applyOp(e.op, e.a, e.b)).toBe(e.c);
          expect(L.ops).toContain(e.op);
          expect(e.c).toBeLessThanOrEqual(L.maxValue);
          expect(e.c).toBeGreaterThanOrEqual(2);
          expect(/The answer is \d+\.$/.test(s)).toBe(i === p.steps.length - 1);
        });
        expect(p.steps[p.steps.length - 1].endsWith(`The answer is ${p.answer}.`)).toBe(true);
        expect(extractAnswer(p.steps.join('\n'))).toBe(p.answer);
        // canonical text: single spaces, no edge spaces
        expect(p.question).toBe(p.question.trim().replace(/\s+/g, ' '));
      }),
      { numRuns: 300 },
    );
  });

  it('is deterministic: the same seed gives identical problems, another seed different ones', () => {
    fc.assert(
      fc.property(seedArb, (seed) => {
        const a = generateProblems(world, { seed, count: 12 });
        const b = generateProblems(defaultWorldConfig(), { seed, count: 12 });
        expect(a).toEqual(b);
        const c = generateProblems(world, { seed: seed ^ 1, count: 12 });
        expect(c).not.toEqual(a);
      }),
      { numRuns: 20 },
    );
  });

  it('writes questions the parser reads back into the same sentences', () => {
    fc.assert(
      fc.property(seedArb, levelArb, (seed, d) => {
        const p = generateProblem(world, createRng(seed), d);
        expect(parseStory(world.templates, p.question)).toEqual(p.story);
      }),
      { numRuns: 300 },
    );
  });

  it('adds distractor facts at the levels that ask for them and none at the others', () => {
    const rng = createRng(99);
    for (let d = 1; d <= world.difficulties.length; d++) {
      const L = world.difficulties[d - 1];
      let withDistractor = 0;
      const n = 60;
      for (let i = 0; i < n; i++) {
        const p = generateProblem(world, rng, d);
        const needed = new Set<number>();
        for (const node of p.graph.nodes) if (node.needed) node.args!.forEach((a) => needed.add(a));
        const unused = p.graph.nodes.filter((x) => !x.needed && !needed.has(x.id) && x.id !== p.graph.finalId);
        if (unused.length > 0) withDistractor++;
      }
      if (L.distractors[1] === 0) expect(withDistractor).toBe(0);
      if (L.distractors[0] >= 1) expect(withDistractor).toBeGreaterThan(n * 0.9);
    }
  });

  it('honours the knobs: ops, number ranges and step counts come from the config', () => {
    const cfg: WorldConfig = defaultWorldConfig();
    cfg.difficulties = [
      { steps: [2, 3], ops: ['+'], start: [2, 9], addend: [2, 5], factor: [2, 3], price: [2, 3], maxValue: 40, distractors: [0, 0], pairChance: 0.5 },
    ];
    const ps = generateProblems(cfg, { seed: 5, count: 80 });
    for (const p of ps) {
      expect(p.steps.length === 2 || p.steps.length === 3).toBe(true);
      for (const s of p.steps) {
        const e = findEquations(s).equations[0];
        expect(e.op).toBe('+');
        expect(e.c).toBeLessThanOrEqual(40);
      }
    }
  });

  it('uses many phrasings: templates, names and things all vary', () => {
    const ps = generateProblems(world, { seed: 1, count: 300 });
    const firstWords = new Set(ps.map((p) => p.question.split(' ')[0]));
    const stepsStarts = new Set(ps.flatMap((p) => p.steps.map((s) => s.split(' ')[2])));
    expect(firstWords.size).toBeGreaterThan(15);
    expect(stepsStarts.size).toBeGreaterThan(10);
    for (const th of ['liters of juice', 'apples']) expect(ps.some((p) => p.question.includes(th))).toBe(true);
  });
});

describe('validateWorldConfig', () => {
  const bad = (mutate: (c: WorldConfig) => void, pattern: RegExp) => {
    const c = defaultWorldConfig();
    c.difficulties = c.difficulties.map((d) => ({ ...d }));
    c.templates = structuredClone(c.templates);
    mutate(c);
    expect(() => validateWorldConfig(c)).toThrow(WorldConfigError);
    expect(() => validateWorldConfig(c)).toThrow(pattern);
  };

  it('accepts the default', () => {
    const cfg = defaultWorldConfig();
    expect(validateWorldConfig(cfg)).toBe(cfg); // returned as given, no throw
  });

  it('names the bad field and a fix', () => {
    bad((c) => (c.digitOrder = 'middle' as never), /digitOrder.*"msd" or "lsd"/);
    bad((c) => (c.difficulties[0].steps = [3, 1]), /difficulties\[0\]\.steps has lo 3 above hi 1; swap/);
    bad((c) => (c.difficulties[1].ops = ['^' as never]), /difficulties\[1\]\.ops/);
    bad((c) => (c.difficulties[2].maxValue = 5), /maxValue must be an integer in \[10/);
    bad((c) => (c.difficulties[0].factor = [1, 3]), /factor must lie within \[2/);
    bad((c) => (c.difficulties = []), /1 to 12 levels/);
    bad((c) => (c.templates.names = c.templates.names.slice(0, 5)), /names.*add names/);
    bad((c) => (c.templates.sentences.rel['+'] = ['{P} has more {thing}.']), /lacks the slot/);
    bad((c) => (c.templates.things = [c.templates.things[0]]), /at least 2 things/);
  });

  it('rejects impossible requests with named errors', () => {
    expect(() => generateProblems(world, { seed: 1, count: -1 })).toThrow(WorldConfigError);
    expect(() => generateProblems(world, { seed: 1, count: 1, difficulty: 99 })).toThrow(/difficulty 99 does not exist/);
  });
});
