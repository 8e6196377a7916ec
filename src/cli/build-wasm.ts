// `npm run build:wasm`: assemble src/lib/cpu/wasm/*.wat and rewrite kernels.generated.ts.
// Run it after editing a .wat file and commit both; the drift test fails until you do.
import { writeFileSync } from 'node:fs';
import { assembleWat, GENERATED_PATH, renderGenerated } from './wasm-assemble.ts';

const modules = await assembleWat();
writeFileSync(GENERATED_PATH, renderGenerated(modules));
const sizes = Object.entries(modules.plain).map(([name, bytes]) => `${name} ${bytes.length} B (+ shared variant)`);
process.stdout.write(`wrote ${GENERATED_PATH}: ${sizes.join(', ')}\n`);
