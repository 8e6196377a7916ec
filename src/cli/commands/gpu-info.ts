// `psr gpu-info [--json]`: the adapter, features and limits, as the app's page shows them, via Dawn.
import type { Command } from '../command.ts';
import { createNodeEngine } from '../../lib/node-engine.ts';
import type { GpuInfo } from '../../lib/api.ts';

export function formatGpuInfo(info: GpuInfo): string {
  const lines = [
    `adapter:  ${info.vendor || '?'} / ${info.architecture || '?'}${info.description ? ` (${info.description})` : ''}`,
    `runtime:  ${info.runtime}${info.software ? ' (software rasterizer: expect CPU speed)' : ''}`,
    `features: ${info.features.join(', ')}`,
    'limits:',
    ...Object.entries(info.limits).map(([k, v]) => `  ${k} = ${v}`),
  ];
  return lines.join('\n') + '\n';
}

export const gpuInfoCommand: Command = {
  name: 'gpu-info',
  summary: 'Show the WebGPU adapter (Dawn in Node), its features and the limits PSR Lab relies on.',
  usage: 'gpu-info [--json]',
  options: { json: { type: 'boolean' } },
  async run(flags, _positionals, io) {
    const engine = createNodeEngine();
    try {
      const info = await engine.gpuInfo();
      io.out(flags.json ? JSON.stringify(info, null, 2) + '\n' : formatGpuInfo(info));
      return 0;
    } finally {
      await engine.dispose();
    }
  },
};
