// `psr check`: read {"question", "steps", "candidate"} as JSON on stdin and print the ground-truth
// checker's verdict {valid, kind, detail, ...} plus the judge working line the tiny model learns.
import type { Command } from '../command.ts';
import { CheckInputError } from '../../lib/errors.ts';
import { judgeStep, stateAfter, validateCheckInput } from '../../lib/math/checker.ts';
import { candidateWorking } from '../../lib/math/judge-format.ts';

export const MAX_CHECK_INPUT_CHARS = 1_000_000;

export const checkCommand: Command = {
  name: 'check',
  summary: 'Check one candidate next step against the ground truth (JSON {question, steps, candidate} on stdin).',
  usage: 'check < input.json',
  options: {},
  async run(_flags, _positionals, io) {
    const text = await io.readStdin();
    if (text.length > MAX_CHECK_INPUT_CHARS) {
      throw new CheckInputError(`stdin holds ${text.length} characters, above ${MAX_CHECK_INPUT_CHARS}; send one {question, steps, candidate} object`);
    }
    if (text.trim() === '') {
      throw new CheckInputError('stdin is empty; pipe a JSON object like {"question": "...", "steps": [], "candidate": "Step 1: ..."}');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new CheckInputError(`stdin is not valid JSON (${(e as Error).message}); send one {question, steps, candidate} object`);
    }
    const input = validateCheckInput(parsed);
    const verdict = judgeStep(stateAfter(input.question, input.steps), input.candidate);
    io.out(JSON.stringify({ ...verdict, working: candidateWorking('A', verdict).replace(/^A: /, '') }, null, 2) + '\n');
    return 0;
  },
};
