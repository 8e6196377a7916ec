// What the model panel says about a loaded model: parameter counts of the base and of the adapter, and
// a fingerprint of the base (saved work is restored only onto the base it was trained on).
import type { ModelWeights } from '../model/weights.ts';
import type { LoraAdapter } from '../model/lora.ts';

export function countWeights(w: ModelWeights): number {
  let n = w.embedTokens.length + w.norm.length + (w.lmHead?.length ?? 0);
  for (const l of w.layers) for (const v of Object.values(l)) n += (v as Float32Array | null)?.length ?? 0;
  return n;
}

/** FNV-1a over the config and the token embeddings' bits: a different training run gives a different base. */
export function fingerprintOf(config: unknown, w: ModelWeights): string {
  let h = 0x811c9dc5;
  const mix = (x: number) => {
    h ^= x;
    h = Math.imul(h, 0x01000193) >>> 0;
  };
  for (const ch of JSON.stringify(config)) mix(ch.charCodeAt(0));
  const bits = new Uint32Array(w.embedTokens.buffer, w.embedTokens.byteOffset, w.embedTokens.length);
  for (let i = 0; i < bits.length; i++) mix(bits[i]);
  return h.toString(16).padStart(8, '0');
}

export function countAdapter(a: LoraAdapter | null): number {
  let n = 0;
  for (const l of a?.layers ?? []) for (const p of Object.values(l)) n += (p?.a.length ?? 0) + (p?.b.length ?? 0);
  return n;
}
