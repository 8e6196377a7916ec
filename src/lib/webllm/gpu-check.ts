// Can this browser run a real model? WebLLM needs a hardware WebGPU adapter: on SwiftShader (Chrome's
// CPU emulation of a GPU, what headless and GPU-less machines get) a 1.5 B model would not fit its
// limits or would take minutes per token, so the page explains instead of offering a download.
export interface RealModelGpu {
  kind: 'none' | 'software' | 'hardware';
  hasShaderF16: boolean;
  /** Vendor / architecture / description as the adapter reports them. */
  adapter: string;
}

export async function checkRealModelGpu(gpu: GPU | undefined = (globalThis.navigator as Navigator | undefined)?.gpu): Promise<RealModelGpu> {
  if (!gpu) return { kind: 'none', hasShaderF16: false, adapter: '' };
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' }).catch(() => null);
  if (!adapter) return { kind: 'none', hasShaderF16: false, adapter: '' };
  const info = adapter.info;
  const text = [info?.vendor, info?.architecture, info?.description].filter(Boolean).join(' / ');
  const fallback = (info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter === true;
  const software = fallback || /swiftshader|llvmpipe|software|basic render/i.test(text);
  return { kind: software ? 'software' : 'hardware', hasShaderF16: adapter.features.has('shader-f16'), adapter: text || 'unnamed adapter' };
}
