// Entry point of one kernel thread in a browser (a module Worker started by spawn-web.ts from the
// engine worker): the first message is its ThreadInit (shared memory and control buffer); it says
// 'ready' once the modules are instantiated, then serves until stopped.
import { serveKernelThread, type ThreadInit } from './protocol.ts';

self.addEventListener(
  'message',
  (e: MessageEvent<ThreadInit>) => {
    try {
      serveKernelThread(e.data, () => self.postMessage('ready'));
    } catch (err) {
      self.postMessage(`failed: ${(err as Error).message ?? String(err)}`);
    }
  },
  { once: true },
);
