// Ambient types: Vite's client (import.meta.env, ?raw, ?worker) and WGSL sources imported as text.
/// <reference types="vite/client" />
/// <reference types="@webgpu/types" />

declare module '*.wgsl?raw' {
  const source: string;
  export default source;
}
