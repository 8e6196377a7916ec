// `psr problems --seed S --count N [--difficulty D] [--json]`: generate word problems of the
// math world with their Step-n reference solutions (deterministic from the seed).
import type { Command } from '../command.ts';
import { WORLD_OPTION, WORLD_USAGE, worldOrDefault } from '../world-flag.ts';
import { generateProblems, type Problem } from '../../lib/math/generator.ts';
import { intFlag, seedFlag } from '../math-flags.ts';

export const MAX_CLI_PROBLEMS = 100_000;

export function formatProblemsText(problems: Problem[]): string {
  return problems
    .map((p) => `[${p.id}] difficulty ${p.difficulty}\n${p.question}\n${p.steps.map((s) => `  ${s}`).join('\n')}\n`)
    .join('\n');
}

export const problemsCommand: Command = {
  name: 'problems',
  summary: 'Generate math word problems with Step-n solutions (deterministic from --seed).',
  usage: `problems --seed S --count N [--difficulty D] ${WORLD_USAGE} [--json]`,
  options: {
    seed: { type: 'string' },
    count: { type: 'string' },
    difficulty: { type: 'string' },
    ...WORLD_OPTION,
    json: { type: 'boolean' },
  },
  async run(flags, _positionals, io) {
    const world = await worldOrDefault(flags);
    const seed = seedFlag(flags);
    const count = intFlag(flags, 'count', 0, MAX_CLI_PROBLEMS, 10);
    const difficulty = flags.difficulty === undefined ? undefined : intFlag(flags, 'difficulty', 1, world.difficulties.length);
    const problems = generateProblems(world, { seed, count, difficulty });
    io.out(flags.json ? JSON.stringify(problems, null, 2) + '\n' : formatProblemsText(problems));
    return 0;
  },
};
