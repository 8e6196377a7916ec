// Test helpers for the checkpoint I/O tests: a tiny seeded PRNG (mulberry32) with nextFloat(),
// hand-built safetensors bytes, and small model configs.
import { defineConfig } from '../../../src/lib/model/config.ts';
import type { ModelConfig, ModelConfigInit } from '../../../src/lib/model/config.ts';

/** mulberry32: deterministic uniform floats in [0, 1). */
export function seededRng(seed: number): { nextFloat(): number } {
  let a = seed >>> 0;
  return {
    nextFloat() {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

/** Bytes of a safetensors file from a literal header string (padded with spaces to 8) and data bytes. */
export function fileFromHeader(header: string, data: Uint8Array | number[] = [], pad = true): Uint8Array {
  let json = new TextEncoder().encode(header);
  if (pad && json.length % 8 !== 0) {
    const p = new Uint8Array(Math.ceil(json.length / 8) * 8).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** Little-endian bytes of typed-array contents. */
export function bytesOf(a: ArrayBufferView): number[] {
  return [...new Uint8Array(a.buffer, a.byteOffset, a.byteLength)];
}

/** A tiny config: C 8, I 12, 2 layers, 2 heads, 1 KV head (HS 4), V 16. */
export function tinyConfig(over: Partial<ModelConfigInit> = {}): ModelConfig {
  return defineConfig({
    modelType: 'llama',
    hiddenSize: 8,
    intermediateSize: 12,
    numLayers: 2,
    numHeads: 2,
    numKvHeads: 1,
    vocabSize: 16,
    ...over,
  });
}
