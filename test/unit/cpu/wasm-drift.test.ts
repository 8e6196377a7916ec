// The committed kernels.generated.ts must be exactly what `npm run build:wasm` makes from the .wat
// sources today, and every module must validate and instantiate in this runtime.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { assembleWat, GENERATED_PATH, renderGenerated } from '../../../src/cli/wasm-assemble.ts';
import { WASM_MODULES_BASE64, WASM_SHARED_MODULES_BASE64 } from '../../../src/lib/cpu/wasm/kernels.generated.ts';
import { compiledKernelModules, wasmSimdSupported, wasmThreadsUnavailableReason } from '../../../src/lib/cpu/wasm-runtime.ts';

describe('wasm kernel modules', () => {
  it('kernels.generated.ts is byte-identical to a fresh assembly of src/lib/cpu/wasm/*.wat', async () => {
    const modules = await assembleWat();
    expect(Object.keys(modules.plain).sort()).toEqual(Object.keys(WASM_MODULES_BASE64).sort());
    expect(Object.keys(modules.shared).sort()).toEqual(Object.keys(WASM_SHARED_MODULES_BASE64).sort());
    const fresh = renderGenerated(modules);
    const committed = readFileSync(GENERATED_PATH, 'utf8');
    // On failure: run `npm run build:wasm` and commit src/lib/cpu/wasm/kernels.generated.ts.
    expect(committed === fresh, 'kernels.generated.ts is stale: run `npm run build:wasm`').toBe(true);
  });

  it('every module validates here (WebAssembly SIMD available)', () => {
    expect(wasmSimdSupported()).toBe(true);
  });

  it('the shared variants import a shared memory and compile here (threads available in Node)', () => {
    expect(wasmThreadsUnavailableReason()).toBeNull();
    const shared = compiledKernelModules(true);
    for (const m of Object.values(shared)) {
      expect(WebAssembly.Module.imports(m).find((i) => i.name === 'memory')?.kind).toBe('memory');
    }
    // an ordinary memory cannot satisfy a shared import: the two variants really differ
    expect(() => new WebAssembly.Instance(shared.softmax, { env: { memory: new WebAssembly.Memory({ initial: 1 }) } })).toThrow();
  });
});
