// Preloaded by `npm run psr` (node --import): installs the `?raw` import hooks for the CLI.
import { register } from 'node:module';

register('./raw-loader.ts', import.meta.url);
