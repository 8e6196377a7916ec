// Node module hooks so the CLI can import `*.wgsl?raw` (and any `?raw`) like Vite does:
// the module's default export is the file's text. Registered by src/cli/register.ts.
import { readFile } from 'node:fs/promises';

type Next<T> = (specifier: string, context?: unknown) => Promise<T>;
interface Resolved { url: string; format?: string | null; shortCircuit?: boolean }
interface Loaded { format: string; source?: string | ArrayBuffer; shortCircuit?: boolean }

export async function resolve(specifier: string, context: { parentURL?: string }, next: Next<Resolved>): Promise<Resolved> {
  if (specifier.endsWith('?raw') && context.parentURL) {
    return { url: new URL(specifier, context.parentURL).href, shortCircuit: true };
  }
  return next(specifier, context);
}

export async function load(url: string, context: unknown, next: Next<Loaded>): Promise<Loaded> {
  if (url.startsWith('file:') && url.endsWith('?raw')) {
    const text = await readFile(new URL(url.slice(0, -'?raw'.length)), 'utf8');
    return { format: 'module', source: `export default ${JSON.stringify(text)};`, shortCircuit: true };
  }
  return next(url, context);
}
