// Bootstrap of a kernel thread in Node: worker_threads cannot start from a TypeScript file, so this
// plain module registers tsx's loader (a devDependency, as for the CLI) in the thread and then
// imports the TypeScript entry, node-thread.ts.
import { register } from 'tsx/esm/api';

register();
await import('./node-thread.ts');
