// Vite builds the app (static, relative base so dist/ works from any sub-path) and
// Vitest runs three projects: unit (Node), gpu (Node + Dawn/SwiftShader), e2e (Chromium).
import { defineConfig } from 'vitest/config';
import type { Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { join } from 'node:path';

// .ci/run sets PSR_TEST_REPORT_DIR to collect a JSON report per vitest run and sum them.
const reportDir = process.env.PSR_TEST_REPORT_DIR;
const reporters = reportDir ? ['default', 'json'] : ['default'];
const outputFile = reportDir ? { json: join(reportDir, `vitest-${process.pid}.json`) } : undefined;

/**
 * The production page's Content-Security-Policy (a meta tag, so any static host serves it): only the
 * app's own scripts, workers and WebAssembly ('wasm-unsafe-eval' compiles our kernels and
 * onnxruntime-web's), no foreign requests but the real-model tier's, when asked; inline styles stay allowed for Svelte's style attributes.
 * Not in dev: Vite's dev server injects inline scripts for hot reload.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  // Only what a visitor asks for in the real-model section: WebLLM's model files (Hugging Face and its CDN),
  // its compiled model libraries (GitHub raw) and benchmark problems (the Hugging Face datasets server).
  "connect-src 'self' blob: data: https://huggingface.co https://*.huggingface.co https://*.hf.co https://raw.githubusercontent.com",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');

/** The two headers that make a page cross-origin isolated (SharedArrayBuffer, hence kernel threads). */
export const CROSS_ORIGIN_ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

function contentSecurityPolicy(): Plugin {
  return {
    name: 'psr-content-security-policy',
    apply: 'build',
    transformIndexHtml: (html) =>
      html.replace('<head>', `<head>\n    <meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}" />`),
  };
}

export default defineConfig({
  base: './',
  plugins: [svelte(), contentSecurityPolicy()],
  // keepNames: error classes are identified by `err.name` across the worker boundary and in
  // the UI, so the minifier must not rename them (the e2e no-WebGPU test catches that).
  worker: { format: 'es', rolldownOptions: { output: { keepNames: true } } },
  build: { target: 'es2022', sourcemap: true, rolldownOptions: { output: { keepNames: true } } },
  // Cross-origin isolation (COOP + COEP): the page gets SharedArrayBuffer, so the CPU backend's kernel
  // threads can share one wasm memory. Every resource is same-origin, so require-corp blocks nothing.
  // A static host must send the same two headers for threads (README); without them: one thread.
  server: { host: '127.0.0.1', headers: CROSS_ORIGIN_ISOLATION },
  preview: { host: '127.0.0.1', headers: CROSS_ORIGIN_ISOLATION },
  test: {
    reporters,
    outputFile,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' },
      },
      {
        extends: true,
        test: {
          name: 'gpu',
          include: ['test/gpu/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/gpu/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // One Dawn instance per worker is plenty; SwiftShader already uses both cores.
          pool: 'forks',
          maxWorkers: 1,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
