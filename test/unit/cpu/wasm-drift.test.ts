// The committed kernels.generated.ts must be exactly what `npm run build:wasm` makes from the .wat
// sources today, and every module must validate and instantiate in this runtime.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { assembleWat, GENERATED_PATH, renderGenerated } from '../../../src/cli/wasm-assemble.ts';
import { WASM_MODULES_BASE64 } from '../../../src/lib/cpu/wasm/kernels.generated.ts';
import { wasmSimdSupported } from '../../../src/lib/cpu/wasm-runtime.ts';

describe('wasm kernel modules', () => {
  it('kernels.generated.ts is byte-identical to a fresh assembly of src/lib/cpu/wasm/*.wat', async () => {
    const modules = await assembleWat();
    expect(Object.keys(modules).sort()).toEqual(Object.keys(WASM_MODULES_BASE64).sort());
    const fresh = renderGenerated(modules);
    const committed = readFileSync(GENERATED_PATH, 'utf8');
    // On failure: run `npm run build:wasm` and commit src/lib/cpu/wasm/kernels.generated.ts.
    expect(committed === fresh, 'kernels.generated.ts is stale: run `npm run build:wasm`').toBe(true);
  });

  it('every module validates here (WebAssembly SIMD available)', () => {
    expect(wasmSimdSupported()).toBe(true);
  });
});
