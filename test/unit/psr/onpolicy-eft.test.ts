// On-policy judge data: the model's own candidates at its own prefixes, labelled by the checker,
// become (valid, invalid) EFT pairs in both orders; the walk follows the model's own valid steps
// and stops where none is valid. The cold start takes them with --eft-source onpolicy|mix.
import { describe, expect, it } from 'vitest';
import { defaultWorldConfig } from '../../../src/lib/math/config.ts';
import { generateProblems } from '../../../src/lib/math/generator.ts';
import { checkStep } from '../../../src/lib/math/checker.ts';
import { onPolicyEft, DEFAULT_ONPOLICY } from '../../../src/lib/psr/onpolicy-eft.ts';
import { ScriptedModel, rankJudge } from './fake-model.ts';

const problems = generateProblems(defaultWorldConfig(), { seed: 9, count: 5, difficulty: 3 });
const wrong = (step: string) => step.replace(/= (\d+)/, (_, n) => `= ${Number(n) + 1}`);

describe('onPolicyEft', () => {
  it('pairs each prefix\'s valid and invalid samples, both orders, along the model\'s own valid path', async () => {
    // 2 copies of the reference step, 4 wrong ones, at every step.
    const model = new ScriptedModel((q, _step, _c, prev) => {
      const p = problems.find((x) => x.question === q)!;
      const ref = p.steps[prev.length];
      return [ref, ref, wrong(ref), wrong(ref), wrong(wrong(ref)), `${wrong(ref)} again`];
    }, rankJudge);
    const { examples, stats } = await onPolicyEft(model, problems, { ...DEFAULT_ONPOLICY, pairsPerPrefix: 2 }, 1);
    // 3 steps each: 3 mixed rounds per problem, 2 pairs each, 2 orders each.
    expect(stats.rounds).toBe(15);
    expect(stats.mixedRounds).toBe(15);
    expect(examples).toHaveLength(5 * 3 * 2 * 2);
    for (const e of examples) {
      const good = e.verdict === 'A' ? e.candidateA : e.candidateB;
      const bad = e.verdict === 'A' ? e.candidateB : e.candidateA;
      expect(checkStep(e.question, e.previousSteps, good).valid).toBe(true);
      expect(checkStep(e.question, e.previousSteps, bad).valid).toBe(false);
    }
    expect(examples.filter((e) => e.verdict === 'A')).toHaveLength(examples.length / 2);
    expect(new Set(examples.map((e) => e.id)).size).toBe(examples.length);
    expect(stats.wrongKinds.arithmetic_error).toBeGreaterThan(0);
  });

  it('stopped after some problems and continued from there gives the uninterrupted walks', async () => {
    const model = new ScriptedModel((q, _step, _c, prev) => {
      const p = problems.find((x) => x.question === q)!;
      const ref = p.steps[prev.length];
      return [ref, wrong(ref), ref, wrong(wrong(ref)), ref, `${wrong(ref)} again`];
    }, rankJudge);
    const whole = await onPolicyEft(model, problems, DEFAULT_ONPOLICY, 7);
    expect(whole.done).toBe(problems.length);
    let asked = 0;
    const saved: number[] = [];
    const part = await onPolicyEft(model, problems, DEFAULT_ONPOLICY, 7, undefined, {
      shouldStop: () => ++asked >= 2,
      onSave: async (p) => void saved.push(p.done),
      saveEvery: 1,
    });
    expect(part.done).toBe(2);
    expect(saved).toEqual([1, 2]);
    expect(part.stats.examples).toBe(part.examples.length);
    const rest = await onPolicyEft(model, problems, DEFAULT_ONPOLICY, 7, undefined, { from: structuredClone(part) });
    expect(rest).toEqual(whole);
    expect(whole.examples.length).toBeGreaterThan(part.examples.length);
  });

  it('a prefix with no valid sample ends the walk; all-valid prefixes give no pair', async () => {
    const model = new ScriptedModel((q, step, _c, prev) => {
      const p = problems.find((x) => x.question === q)!;
      const ref = p.steps[prev.length];
      return step === 1 ? Array(6).fill(ref) : Array(6).fill(wrong(ref));
    }, rankJudge);
    const { examples, stats } = await onPolicyEft(model, problems.slice(0, 2), DEFAULT_ONPOLICY, 1);
    expect(examples).toHaveLength(0);
    expect(stats.rounds).toBe(4); // step 1 (all valid: walk on), step 2 (none valid: stop)
  });
});

describe('cold-start --eft-source', () => {
  it('needs the sampling model for on-policy data', async () => {
    const { runCli } = await import('../../../src/cli/cli.ts');
    const { captureIo } = await import('../../util/cli-io.ts');
    const io = captureIo();
    expect(await runCli(['cold-start', '--base', 'x', '--out', 'y', '--eft-source', 'mix'], io)).toBe(2);
    expect(io.stderr).toContain('--eft-source mix needs --onpolicy-from DIR');
  });
});
