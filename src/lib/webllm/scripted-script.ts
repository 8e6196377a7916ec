// What the scripted engine "knows": a few grade-school problems written for this project, each with
// right and wrong variants of every step, and templates of judge replies. The scripted engine
// (scripted-engine.ts) replays these as a real model would write them, so the real-model tier's
// search, judge, parsing and judge-quality code can run end to end with no model download.
import type { ConvTemplateConfig } from './chat-template.ts';

export interface ScriptedProblem {
  question: string;
  gold: string;
  /** Per step (1-based index i-1): texts after "Step i: " that are right. The last step boxes the gold answer. */
  right: string[][];
  /** Per step: texts that are wrong (an arithmetic slip, a wrong operation, a premature answer). */
  wrong: string[][];
}

export const SCRIPTED_PROBLEMS: ScriptedProblem[] = [
  {
    question: 'A baker makes 36 rolls in the morning and twice as many in the afternoon. She sells 80 rolls. How many rolls are left?',
    gold: '28',
    right: [
      ['In the afternoon she makes 2 × 36 = 72 rolls.', 'The afternoon batch is twice 36, which is 72 rolls.'],
      ['Altogether she makes 36 + 72 = 108 rolls.', 'The total for the day is 36 + 72 = 108 rolls.'],
      ['After selling 80, she has 108 − 80 = 28 rolls left. The answer is \\boxed{28}.'],
    ],
    wrong: [
      ['In the afternoon she makes 36 + 2 = 38 rolls.', 'In the afternoon she makes 2 × 36 = 62 rolls.'],
      ['Altogether she makes 36 + 72 = 98 rolls.', 'She sells 80, so 80 − 36 = 44 rolls are left from the morning.'],
      ['After selling 80, she has 108 − 80 = 38 rolls left. The answer is \\boxed{38}.', 'So the answer is \\boxed{108}.'],
    ],
  },
  {
    question: 'Tom reads 15 pages a day for 4 days, then 20 pages a day for 3 days. How many pages does he read in total?',
    gold: '120',
    right: [
      ['In the first 4 days he reads 15 × 4 = 60 pages.'],
      ['In the next 3 days he reads 20 × 3 = 60 pages.', 'Then 3 days at 20 pages is 20 × 3 = 60 pages.'],
      ['In total he reads 60 + 60 = 120 pages, so the answer is \\boxed{120}.'],
    ],
    wrong: [
      ['In the first 4 days he reads 15 + 4 = 19 pages.', 'In the first 4 days he reads 15 × 4 = 45 pages.'],
      ['In the next 3 days he reads 20 + 3 = 23 pages.'],
      ['In total he reads 60 + 60 = 110 pages, so the answer is \\boxed{110}.'],
    ],
  },
];

/** Qwen2's conversation template as WebLLM's mlc-chat-config.json gives it (conv_template "qwen2"). */
export const QWEN2_TEMPLATE: ConvTemplateConfig = {
  system_template: '<|im_start|>system\n{system_message}<|im_end|>\n',
  system_message: 'You are a helpful assistant.',
  roles: { user: '<|im_start|>user', assistant: '<|im_start|>assistant', tool: '<|im_start|>user' },
  seps: ['<|im_end|>\n'],
  role_content_sep: '\n',
  role_empty_sep: '\n',
  stop_str: ['<|endoftext|>', '<|im_end|>'],
  stop_token_ids: [151643, 151645],
};

/** A judge's explanation of why `better` beats `worse` (both step texts), written like a chat model would. */
export function judgeExplanation(better: string, worse: string, betterLabel: 'A' | 'B'): string {
  const other = betterLabel === 'A' ? 'B' : 'A';
  return (
    `Let me check each candidate against the problem and the steps so far.\n\n` +
    `**Candidate ${betterLabel}:** "${better}" — the calculation is consistent with the earlier steps and it moves toward the answer.\n\n` +
    `**Candidate ${other}:** "${worse}" — this does not follow from the problem as stated, so it would lead to a wrong result.\n\n` +
    `Candidate ${betterLabel} is the better next step.`
  );
}
