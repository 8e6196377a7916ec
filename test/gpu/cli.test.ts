// The real CLI process through npm's script runner's command (tsx + ?raw hooks) on Dawn:
// `psr gpu-info --json` prints the adapter the page shows; `psr self-test --json` verifies a kernel.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function psr(...args: string[]): string {
  return execFileSync('npx', ['tsx', '--import', './src/cli/register.ts', 'src/cli/main.ts', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

describe('psr CLI on Dawn', () => {
  it('gpu-info --json describes the adapter and the limits we rely on', () => {
    const info = JSON.parse(psr('gpu-info', '--json'));
    expect(info.runtime).toBe('node-dawn');
    expect(typeof info.vendor).toBe('string');
    expect(info.features).toEqual([...info.features].sort());
    expect(info.limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(128 * 1024 * 1024);
    expect(info.limits.maxComputeWorkgroupStorageSize).toBeGreaterThanOrEqual(16384);
  });

  it('self-test --json runs a WGSL kernel (imported via ?raw) and verifies it', () => {
    const result = JSON.parse(psr('self-test', '--n', '777', '--json'));
    expect(result.verified).toBe(true);
    expect(result.n).toBe(777);
    // x_1 = 1/7 − 3, y_1 = 31/11, a = 2.5
    expect(result.sample[1].gpu).toBeCloseTo(2.5 * (1 / 7 - 3) + 31 / 11, 5);
  });
});
