// The real-model picker's list, drawn from WebLLM's own prebuilt list (prebuiltAppConfig.model_list,
// never a copy): the math model the paper's setting calls for (Qwen2.5-Math-1.5B-Instruct) and the
// smaller instruction models for weak machines, each with what it needs. WebLLM's records give the
// VRAM need; the download size is not in them, so it is estimated from the parameter count and the
// quantization in the model id (and labelled as an estimate).
import type { AppConfig, ModelRecord } from '@mlc-ai/web-llm';

/** The families this tier offers, best first; anything else in WebLLM's list is left out. */
const FAMILIES: { pattern: RegExp; label: string; params: number; math: boolean }[] = [
  { pattern: /^Qwen2\.5-Math-1\.5B-Instruct-/, label: 'Qwen2.5-Math-1.5B-Instruct', params: 1.54e9, math: true },
  { pattern: /^Qwen2\.5-0\.5B-Instruct-/, label: 'Qwen2.5-0.5B-Instruct', params: 0.49e9, math: false },
  { pattern: /^SmolLM2-360M-Instruct-/, label: 'SmolLM2-360M-Instruct', params: 0.36e9, math: false },
  { pattern: /^SmolLM2-135M-Instruct-/, label: 'SmolLM2-135M-Instruct', params: 0.135e9, math: false },
];

/** Bits per weight on disk by WebLLM quantization code (q4f*_1: 4-bit groups of 32 with a 16-bit scale). */
const BITS: Record<string, number> = { q4f16_1: 4.5, q4f32_1: 5, q0f16: 16, q0f32: 32 };

export interface RealModelInfo {
  /** WebLLM's model_id, what reload() takes. */
  id: string;
  label: string;
  /** Quantization code from the id (q4f16_1, q4f32_1, q0f16, q0f32). */
  quant: string;
  /** The model needs the WebGPU feature shader-f16 (its record says so, or it computes in f16). */
  needsShaderF16: boolean;
  /** From WebLLM's record (MB); null when the record has none. */
  vramMB: number | null;
  /** Estimated download in bytes (parameters × bits per weight); not a measured size. */
  downloadBytesEstimate: number;
  contextWindow: number | null;
  /** A math-specialised model (the paper's setting). */
  math: boolean;
  /** Where WebLLM downloads the weights from (the Hugging Face repository). */
  url: string;
}

/** The tier's models from WebLLM's list, in family order (math model first), smallest download first. */
export function realModelCatalog(appConfig: AppConfig): RealModelInfo[] {
  const out: RealModelInfo[] = [];
  for (const fam of FAMILIES) {
    const records = appConfig.model_list.filter((r) => fam.pattern.test(r.model_id));
    // Smallest download first (q4f16_1, q4f32_1, then the unquantized q0f16, q0f32).
    records.sort((a, b) => (BITS[quantOf(a)] ?? 99) - (BITS[quantOf(b)] ?? 99));
    for (const r of records) {
      const quant = quantOf(r);
      out.push({
        id: r.model_id,
        label: fam.label,
        quant,
        needsShaderF16: (r.required_features ?? []).includes('shader-f16') || /f16/.test(quant),
        vramMB: typeof r.vram_required_MB === 'number' ? r.vram_required_MB : null,
        downloadBytesEstimate: Math.round((fam.params * (BITS[quant] ?? 16)) / 8),
        contextWindow: typeof r.overrides?.context_window_size === 'number' ? r.overrides.context_window_size : null,
        math: fam.math,
        url: r.model,
      });
    }
  }
  return out;
}

function quantOf(r: ModelRecord): string {
  const m = /-(q\d+f\d+(?:_\d+)?)-MLC$/.exec(r.model_id);
  return m ? m[1] : 'unknown';
}

/**
 * The default pick: the math model, q4f16_1 where the adapter has shader-f16, else q4f32_1; falls back
 * to the first model the adapter can run. Null when the catalog is empty.
 */
export function defaultRealModel(catalog: readonly RealModelInfo[], hasShaderF16: boolean): RealModelInfo | null {
  const runnable = catalog.filter((m) => hasShaderF16 || !m.needsShaderF16);
  const wanted = hasShaderF16 ? 'q4f16_1' : 'q4f32_1';
  return runnable.find((m) => m.math && m.quant === wanted) ?? runnable.find((m) => m.math) ?? runnable[0] ?? null;
}

/** "≈ 0.87 GB" / "≈ 76 MB" for an estimated size. */
export function formatEstimate(bytes: number): string {
  return bytes >= 1e9 ? `≈ ${(bytes / 1e9).toFixed(2)} GB` : `≈ ${Math.round(bytes / 1e6)} MB`;
}
