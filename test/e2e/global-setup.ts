// Serves the production build (dist/, made by `vite build` in `npm run test:e2e`) with
// `vite preview` on a loopback port, and checks Chromium exists before any test starts.
import { existsSync } from 'node:fs';
import { preview } from 'vite';
import type { TestProject } from 'vitest/node';
import { chromiumPath } from './browser.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  chromiumPath();
  if (!existsSync('dist/index.html')) {
    throw new Error('\n\nE2E TESTS NEED A BUILD: dist/index.html is missing. Run `npm run build` first (npm run test:e2e does).\n');
  }
  const server = await preview({ preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false }, logLevel: 'warn' });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not report a URL');
  project.provide('baseUrl', url);
  return async () => {
    await server.close();
  };
}
