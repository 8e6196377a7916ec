// WebLLM's own worker engine: the model runs here, off the page's main thread; the page talks to it
// through WebLLM's WebWorkerMLCEngine (an MLCEngineInterface), which the tier's step model uses.
import { WebWorkerMLCEngineHandler } from '@mlc-ai/web-llm';

const handler = new WebWorkerMLCEngineHandler();
self.onmessage = (msg: MessageEvent) => handler.onmessage(msg);
