// The model's chat template, rendered the way WebLLM renders it (its Conversation class, from the
// `conv_template` of the model's mlc-chat-config.json), for a system message, one user turn and the
// start of the assistant's turn. The real-model tier samples next steps with raw completions on this
// text, so the model continues its own assistant turn ("Step 1: … Step k:") — a chat completion
// cannot continue a partial assistant turn in this WebLLM release.
import type { ChatOptions } from '@mlc-ai/web-llm';
import { RealModelConfigError } from './engine-errors.ts';

/** WebLLM's ConvTemplateConfig (reached through its public ChatOptions type). */
export type ConvTemplateConfig = NonNullable<ChatOptions['conv_template']>;

const SYSTEM = '{system_message}';
const USER = '{user_message}';

/** `role_content_sep` / `role_empty_sep` as WebLLM reads them: missing → ": ", "" stays "". */
function sep(value: string | undefined): string {
  return value === undefined || value === null ? ': ' : value;
}

/** Throw RealModelConfigError unless `t` looks like a conv_template WebLLM could render. */
export function checkTemplate(t: unknown, modelId: string): ConvTemplateConfig {
  const c = t as Partial<ConvTemplateConfig> | null;
  const ok =
    c !== null &&
    typeof c === 'object' &&
    typeof c.system_template === 'string' &&
    typeof c.system_message === 'string' &&
    typeof c.roles?.user === 'string' &&
    typeof c.roles?.assistant === 'string' &&
    Array.isArray(c.seps) &&
    c.seps.length > 0 &&
    Array.isArray(c.stop_str);
  if (!ok) {
    throw new RealModelConfigError(
      `the chat template of ${modelId} (conv_template in its mlc-chat-config.json) lacks system_template, roles, seps or stop_str; ` +
        'pick another model from the list or clear its cached files and download it again.',
    );
  }
  return c as ConvTemplateConfig;
}

/**
 * The prompt text up to the assistant's reply: system turn, the user's message, the assistant header.
 * Follows WebLLM's Conversation.getPromptArray: system_template with the system message; each message
 * as role + role_content_sep + (role_templates[role] with the content) + seps[i % seps.length]; the reply
 * header as role + role_empty_sep. `add_role_after_system_message: false` drops the role of message 0.
 */
export function renderAssistantPrefix(t: ConvTemplateConfig, systemMessage: string, userMessage: string): string {
  const systemText = systemMessage === '' && t.render_empty_system_message === false ? '' : t.system_template.replace(SYSTEM, systemMessage);
  const userBody = t.role_templates?.user !== undefined ? t.role_templates.user.replace(USER, userMessage) : userMessage;
  const userRole = t.add_role_after_system_message === false && systemText !== '' ? '' : t.roles.user + sep(t.role_content_sep);
  return systemText + userRole + userBody + t.seps[0] + t.roles.assistant + sep(t.role_empty_sep);
}

/** Where a reply ends: the template's stop strings (WebLLM also stops on its stop token ids). */
export function templateStops(t: ConvTemplateConfig): string[] {
  return [...t.stop_str];
}

