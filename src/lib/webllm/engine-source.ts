// Where the page gets a loaded real-model engine and its chat template: WebLLM's worker engine
// (downloads the model the visitor picked, or loads it from the browser's cache), or — on
// `?webllm=scripted` — the scripted replay that stands in for it where no model can be downloaded
// (tests, demos without a GPU). WebLLM's code is imported only here and only when asked, so it does
// not slow the page's first load.
import type { InitProgressReport, MLCEngineInterface, ModelRecord } from '@mlc-ai/web-llm';
import { checkTemplate, type ConvTemplateConfig } from './chat-template.ts';
import { classifyEngineError, RealModelConfigError } from './engine-errors.ts';
import type { ScriptedCache, ScriptedFailure } from './scripted-engine.ts';
import type { RealProblem } from './real-run.ts';

export interface LoadedEngine {
  engine: MLCEngineInterface;
  template: ConvTemplateConfig;
  scripted: boolean;
  /** Problems the engine knows (the scripted replay's; none for a real model). */
  examples: RealProblem[];
}

export type EngineKind = { kind: 'webllm' } | { kind: 'scripted'; failure: ScriptedFailure | null; progressDelayMs: number };

/** `?webllm=scripted[&webllm-fail=quota|network|shader-f16|memory|device-lost]` selects the scripted replay. */
export function engineKindFromUrl(search: string): EngineKind {
  const q = new URLSearchParams(search);
  if (q.get('webllm') !== 'scripted') return { kind: 'webllm' };
  const f = q.get('webllm-fail');
  const failure = f === 'quota' || f === 'network' || f === 'shader-f16' || f === 'memory' || f === 'device-lost' ? f : null;
  return { kind: 'scripted', failure, progressDelayMs: 120 };
}

/** The scripted replay's "download" cache, kept in the browser's Cache API like WebLLM's own. */
export function cacheApiStore(name = 'psr-lab-scripted-webllm'): ScriptedCache {
  const key = (id: string) => new Request(`${location.origin}/__scripted-model__/${encodeURIComponent(id)}`);
  return {
    has: async (id) => (await (await caches.open(name)).match(key(id))) !== undefined,
    add: async (id) => (await caches.open(name)).put(key(id), new Response('scripted', { headers: { 'content-type': 'text/plain' } })),
    remove: async (id) => void (await (await caches.open(name)).delete(key(id))),
  };
}

/**
 * Load `modelId` and its chat template; any failure becomes one of the tier's named errors. With
 * `previous` (a WebLLM engine already running) its worker loads the new model: one worker per page.
 */
export async function loadEngine(kind: EngineKind, modelId: string, onProgress: (r: InitProgressReport) => void, previous?: LoadedEngine): Promise<LoadedEngine> {
  try {
    if (kind.kind === 'scripted') {
      const [{ ScriptedEngine }, { QWEN2_TEMPLATE, SCRIPTED_PROBLEMS }] = await Promise.all([import('./scripted-engine.ts'), import('./scripted-script.ts')]);
      const engine = new ScriptedEngine({ cache: cacheApiStore(), progressDelayMs: kind.progressDelayMs });
      if (kind.failure) engine.failNextLoad(kind.failure);
      engine.setInitProgressCallback(onProgress);
      await engine.reload(modelId);
      const examples = SCRIPTED_PROBLEMS.map((p, i) => ({ id: `scripted-${i + 1}`, question: p.question, gold: p.gold }));
      return { engine, template: QWEN2_TEMPLATE, scripted: true, examples };
    }
    const webllm = await import('@mlc-ai/web-llm');
    const record = webllm.prebuiltAppConfig.model_list.find((r) => r.model_id === modelId);
    if (!record) throw new RealModelConfigError(`${modelId} is not in WebLLM's model list; pick a model from the list.`);
    let engine: MLCEngineInterface;
    if (previous && !previous.scripted) {
      engine = previous.engine;
      engine.setInitProgressCallback(onProgress);
      await engine.reload(modelId);
    } else {
      const worker = new Worker(new URL('./webllm.worker.ts', import.meta.url), { type: 'module' });
      engine = await webllm.CreateWebWorkerMLCEngine(worker, modelId, { initProgressCallback: onProgress });
    }
    return { engine, template: await chatTemplateOf(record), scripted: false, examples: [] };
  } catch (e) {
    throw classifyEngineError(e, modelId);
  }
}

/**
 * The conv_template of a model's mlc-chat-config.json, from WebLLM's config cache (the load just
 * stored it there) or, failing that, from the same URL WebLLM fetched it from.
 */
async function chatTemplateOf(record: ModelRecord): Promise<ConvTemplateConfig> {
  const base = record.model.endsWith('/') ? record.model : `${record.model}/`;
  const url = new URL('mlc-chat-config.json', base.includes('/resolve/') ? base : `${base}resolve/main/`).href;
  let res: Response | undefined;
  if ('caches' in globalThis) res = await (await caches.open('webllm/config')).match(url);
  res ??= await fetch(url);
  if (!res.ok) throw new RealModelConfigError(`the chat configuration of ${record.model_id} could not be read (HTTP ${res.status}); load the model again.`);
  const config = (await res.json()) as { conv_template?: unknown; conv_config?: Record<string, unknown> };
  const merged = typeof config.conv_template === 'object' && config.conv_template !== null ? { ...config.conv_template, ...(config.conv_config ?? {}) } : config.conv_template;
  return checkTemplate(merged, record.model_id);
}

/** Whether WebLLM already has the model's files in this browser (a later visit loads from there). */
export async function isCached(kind: EngineKind, modelId: string): Promise<boolean> {
  if (kind.kind === 'scripted') return cacheApiStore().has(modelId);
  const { hasModelInCache } = await import('@mlc-ai/web-llm');
  return hasModelInCache(modelId);
}

/** Delete the model's cached files (weights, library, config). */
export async function deleteCached(kind: EngineKind, modelId: string): Promise<void> {
  if (kind.kind === 'scripted') return cacheApiStore().remove(modelId);
  const { deleteModelAllInfoInCache } = await import('@mlc-ai/web-llm');
  await deleteModelAllInfoInCache(modelId);
}
