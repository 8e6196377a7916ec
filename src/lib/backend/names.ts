// The backends' names, with nothing else: importable by the settings table (and so the page) without
// pulling the backends themselves in. backend/choice.ts decides between them and builds them.

/** The backends: WGSL on WebGPU, WebAssembly SIMD on the CPU, the TypeScript reference. */
export const BACKEND_NAMES = ['webgpu', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
/** What a user may ask for: one backend, or 'auto'. */
export const BACKEND_CHOICES = ['auto', ...BACKEND_NAMES] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
