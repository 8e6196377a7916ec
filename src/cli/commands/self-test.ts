// `psr self-test [--n N] [--json]`: run the WGSL self-test kernel on Dawn and verify it on the CPU.
import type { Command } from '../command.ts';
import { createNodeEngine } from '../../lib/node-engine.ts';
import { UsageError } from '../../lib/errors.ts';

export const selfTestCommand: Command = {
  name: 'self-test',
  summary: 'Compile and run a WGSL compute shader on Dawn, verify its output on the CPU, print timings.',
  usage: 'self-test [--n N] [--json]',
  options: { n: { type: 'string' }, json: { type: 'boolean' } },
  async run(flags, _positionals, io) {
    const n = flags.n === undefined ? 4096 : Number(flags.n);
    if (!Number.isInteger(n) || n < 1 || n > 1 << 22) throw new UsageError(`--n must be an integer in 1..${1 << 22} (got ${flags.n}).`);
    const x = Float32Array.from({ length: n }, (_, i) => (i % 97) / 7 - 3);
    const y = Float32Array.from({ length: n }, (_, i) => ((i * 31) % 89) / 11);
    const engine = createNodeEngine();
    try {
      const result = await engine.selfTest({ x, y, a: 2.5 });
      io.out(
        flags.json
          ? JSON.stringify(result, null, 2) + '\n'
          : `self-test: ${result.n} elements verified (max error ${result.maxAbsError}); ` +
              `compile ${result.timingsMs.compile.toFixed(1)} ms, run+read ${result.timingsMs.dispatchAndRead.toFixed(1)} ms\n`,
      );
      return 0;
    } finally {
      await engine.dispose();
    }
  },
};
