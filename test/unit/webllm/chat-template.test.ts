// The chat template as WebLLM renders it: Qwen2's (the math model's) must give exactly the text of
// Qwen's own chat template (its Hugging Face tokenizer_config.json Jinja, written out here for one
// system and one user message with the generation prompt); ChatML (SmolLM2) and a Llama-3-style
// template exercise the other fields; malformed templates are refused by name.
import { describe, expect, it } from 'vitest';
import { checkTemplate, renderAssistantPrefix, templateStops, type ConvTemplateConfig } from '../../../src/lib/webllm/chat-template.ts';
import { REASONING_INSTRUCTION, stepPrompt, stepStops, judgeUserMessage, stepText } from '../../../src/lib/webllm/prompts.ts';
import { QWEN2_TEMPLATE } from '../../../src/lib/webllm/scripted-script.ts';
import { RealModelConfigError } from '../../../src/lib/webllm/engine-errors.ts';

const CHATML_SMOL: ConvTemplateConfig = {
  system_template: '<|im_start|>system\n{system_message}<|im_end|>\n',
  system_message: 'You are a helpful AI assistant named SmolLM, trained by Hugging Face',
  roles: { user: '<|im_start|>user', assistant: '<|im_start|>assistant', tool: '<|im_start|>user' },
  seps: ['<|im_end|>\n'],
  role_content_sep: '\n',
  role_empty_sep: '\n',
  stop_str: ['<|im_end|>'],
  stop_token_ids: [2],
};

const LLAMA3: ConvTemplateConfig = {
  system_template: '<|start_header_id|>system<|end_header_id|>\n\n{system_message}<|eot_id|>',
  system_message: 'You are a helpful, respectful and honest assistant.',
  roles: { user: '<|start_header_id|>user', assistant: '<|start_header_id|>assistant', tool: '<|start_header_id|>ipython' },
  seps: ['<|eot_id|>'],
  role_content_sep: '<|end_header_id|>\n\n',
  role_empty_sep: '<|end_header_id|>\n\n',
  stop_str: [],
  stop_token_ids: [128001, 128009],
  system_prefix_token_ids: [128000],
};

describe('renderAssistantPrefix', () => {
  it("gives Qwen2's own chat template text for system + user + generation prompt", () => {
    const q = 'What is 2 + 3?';
    // Qwen2.5's Jinja: "<|im_start|>system\n" + sys + "<|im_end|>\n" + "<|im_start|>user\n" + q + "<|im_end|>\n" + "<|im_start|>assistant\n"
    expect(renderAssistantPrefix(QWEN2_TEMPLATE, 'SYS', q)).toBe(`<|im_start|>system\nSYS<|im_end|>\n<|im_start|>user\n${q}<|im_end|>\n<|im_start|>assistant\n`);
  });
  it('renders ChatML and Llama-3 role separators', () => {
    expect(renderAssistantPrefix(CHATML_SMOL, 'S', 'U')).toBe('<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n');
    expect(renderAssistantPrefix(LLAMA3, 'S', 'U')).toBe(
      '<|start_header_id|>system<|end_header_id|>\n\nS<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nU<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n',
    );
  });
  it('applies role_templates, a missing separator (": "), an empty system message and add_role_after_system_message', () => {
    const t: ConvTemplateConfig = { ...CHATML_SMOL, role_templates: { user: 'Q: {user_message}' }, role_content_sep: undefined, role_empty_sep: undefined };
    expect(renderAssistantPrefix(t, 'S', 'U')).toBe('<|im_start|>system\nS<|im_end|>\n<|im_start|>user: Q: U<|im_end|>\n<|im_start|>assistant: ');
    expect(renderAssistantPrefix({ ...CHATML_SMOL, render_empty_system_message: false }, '', 'U')).toBe('<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n');
    expect(renderAssistantPrefix({ ...CHATML_SMOL, add_role_after_system_message: false }, 'S', 'U')).toBe('<|im_start|>system\nS<|im_end|>\nU<|im_end|>\n<|im_start|>assistant\n');
  });
  it('refuses a template without roles or seps by name', () => {
    expect(() => checkTemplate({ system_template: '', system_message: '' }, 'm')).toThrow(RealModelConfigError);
    expect(() => checkTemplate({ ...QWEN2_TEMPLATE, seps: [] }, 'm')).toThrow(/seps/);
    expect(checkTemplate(QWEN2_TEMPLATE, 'm')).toBe(QWEN2_TEMPLATE);
    expect(templateStops(QWEN2_TEMPLATE)).toEqual(['<|endoftext|>', '<|im_end|>']);
  });
});

describe('the step and judge prompts', () => {
  it("continue the model's own turn up to the next step marker", () => {
    const p = stepPrompt(QWEN2_TEMPLATE, '  How many?  ', ['Step 1: 2 × 3 = 6.', 'Step 2: 6 + 1 = 7.']);
    expect(p.startsWith(`<|im_start|>system\n${REASONING_INSTRUCTION}<|im_end|>\n<|im_start|>user\nHow many?<|im_end|>\n<|im_start|>assistant\n`)).toBe(true);
    expect(p.endsWith('<|im_start|>assistant\nStep 1: 2 × 3 = 6.\nStep 2: 6 + 1 = 7.\nStep 3:')).toBe(true);
    expect(stepStops(3)).toContain('\nStep 4:');
    expect(stepText(3, ' 7 × 2 = 14.\n')).toBe('Step 3: 7 × 2 = 14.');
  });
  it('show the problem, the solution so far and both candidates', () => {
    const m = judgeUserMessage('Q?', [], 'Step 1: a', 'Step 1: b');
    expect(m).toMatch(/Problem:\nQ\?/);
    expect(m).toMatch(/no steps yet/);
    expect(m.indexOf('Candidate next step A:\nStep 1: a')).toBeLessThan(m.indexOf('Candidate next step B:\nStep 1: b'));
  });
});
