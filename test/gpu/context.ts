// Shared by GPU tests: one Dawn device per test file, created lazily, destroyed after the file.
import { afterAll } from 'vitest';
import { acquireNodeDevice } from '../../src/lib/gpu/node.ts';
import { GpuContext } from '../../src/lib/gpu/context.ts';

let ctx: Promise<GpuContext> | null = null;

/** The test file's GpuContext (fails, never skips, when no adapter exists). */
export function gpuContext(): Promise<GpuContext> {
  if (!ctx) {
    ctx = acquireNodeDevice().then((h) => new GpuContext(h));
    afterAll(async () => {
      const c = await ctx;
      ctx = null;
      c?.pool.destroy();
      c?.handle.destroy();
    });
  }
  return ctx;
}
