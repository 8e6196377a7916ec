// The self-test kernel on Dawn: the numbers come back computed, verified and timed; a lost
// device is reported as a loss while a deliberate teardown is not.
import { describe, expect, it } from 'vitest';
import { createNodeEngine } from '../../src/lib/node-engine.ts';
import type { EngineEvent } from '../../src/lib/api.ts';
import { acquireNodeDevice } from '../../src/lib/gpu/node.ts';
import { DeviceLostError } from '../../src/lib/errors.ts';

describe('engine self-test on Dawn', () => {
  it('runs saxpy in WGSL and returns values the CPU agrees with', async () => {
    const engine = createNodeEngine();
    const n = 1000; // not a multiple of the workgroup size
    const x = Float32Array.from({ length: n }, (_, i) => i * 0.5 - 100);
    const y = Float32Array.from({ length: n }, (_, i) => (i % 13) - 6);
    const stages: string[] = [];
    const result = await engine.selfTest({ x, y, a: -1.5 }, (stage) => stages.push(stage));
    expect(result.verified).toBe(true);
    expect(result.n).toBe(n);
    expect(result.sample[3]).toEqual({ i: 3, gpu: -1.5 * (1.5 - 100) + (3 - 6), cpu: -1.5 * (1.5 - 100) + (3 - 6) });
    expect(result.maxAbsError).toBeLessThan(1e-4);
    expect(result.timingsMs.total).toBeGreaterThan(0);
    expect(stages).toEqual(['compile', 'upload', 'dispatch', 'verify', 'done']);
    const info = await engine.gpuInfo();
    expect(info.runtime).toBe('node-dawn');
    expect(info.limits.maxComputeWorkgroupsPerDimension).toBeGreaterThanOrEqual(65535);
    await engine.dispose();
  });

  it('rejects mismatched inputs with a named error', async () => {
    const engine = createNodeEngine();
    await expect(engine.selfTest({ x: new Float32Array(3), y: new Float32Array(4), a: 1 })).rejects.toMatchObject({
      name: 'InvalidInputError',
    });
    await engine.dispose();
  });

  it('reports a deliberate teardown as destroyed, not lost', async () => {
    const engine = createNodeEngine();
    const events: EngineEvent['type'][] = [];
    await engine.subscribe((e) => events.push(e.type));
    await engine.gpuInfo();
    await engine.dispose();
    expect(events).toEqual(['device-ready', 'device-destroyed']);
  });

  it('tells an unrequested loss apart: assertAlive throws DeviceLostError', async () => {
    const lostErrors: DeviceLostError[] = [];
    const handle = await acquireNodeDevice({ onLost: (e) => lostErrors.push(e) });
    // Destroying the device behind the handle's back is what a driver reset looks like to us.
    handle.device.destroy();
    const lost = await handle.lost;
    // Dawn reports reason 'destroyed' for device.destroy(); our handle only trusts its own destroy().
    expect(lost.reason).toBe('lost');
    expect(lostErrors).toHaveLength(1);
    expect(() => handle.assertAlive()).toThrow(DeviceLostError);
  });
});
