// `psr bench` (also `npm run bench`): the benchmark report of src/lib/bench/run.ts on Dawn — our WGSL
// matmuls vs onnxruntime-web's WebGPU EP and the FMA probe on the same device, the CPU matmul vs ORT
// wasm, prefill / decode / training tokens/s per backend. Text by default, one JSON object with --json;
// progress goes to stderr. A benchmark: it prints figures and ratios, it never fails on them.
import { cpus, platform, arch } from 'node:os';
import type { Command } from '../command.ts';
import { UsageError } from '../../lib/errors.ts';
import { acquireNodeDevice } from '../../lib/gpu/node.ts';
import { BenchContext } from '../../lib/bench/gpu-timer.ts';
import { runBench, type BackendName } from '../../lib/bench/run.ts';
import { reportText } from '../../lib/bench/tables.ts';
import { tinyModelConfig } from '../../lib/model/tiny.ts';
import { createTokenizer } from '../../lib/math/vocab.ts';
import { defaultWorldConfig } from '../../lib/math/config.ts';
import { loadOrtWebGpuInNode } from '../bench/ort-node.ts';
import { cpuMatmulVsOrtWasm } from '../bench/cpu-matmul.ts';
import { benchThreads } from '../bench/threads-bench.ts';
import { benchOnnxDecoder } from '../bench/onnx-decoder-bench.ts';
import { BACKEND_NAMES } from '../../lib/backend/choice.ts';

const ALL_BACKENDS: BackendName[] = [...BACKEND_NAMES];

function parseBackends(v: string | boolean | undefined, quick: boolean): BackendName[] {
  if (v === undefined) return quick ? ['webgpu', 'wasm'] : ALL_BACKENDS;
  const names = String(v).split(',').map((s) => s.trim()).filter(Boolean);
  const bad = names.filter((n) => !(ALL_BACKENDS as string[]).includes(n));
  if (bad.length > 0 || names.length === 0) {
    throw new UsageError(`--backends takes a comma-separated list of ${ALL_BACKENDS.join(', ')} (got ${String(v)}); e.g. --backends webgpu,wasm.`);
  }
  return names as BackendName[];
}

export const benchCommand: Command = {
  name: 'bench',
  summary: 'Benchmark matmuls (ours vs onnxruntime-web, vs the FMA probe), prefill/decode/training tokens/s; --json for the report.',
  usage: 'bench [--json] [--quick] [--ort | --no-ort] [--backends webgpu,wasm,cpu] [--no-cpu-matmul]',
  options: {
    json: { type: 'boolean' },
    quick: { type: 'boolean' },
    ort: { type: 'boolean' },
    'no-ort': { type: 'boolean' },
    backends: { type: 'string' },
    'no-cpu-matmul': { type: 'boolean' },
  },
  async run(flags, _positionals, io) {
    const quick = flags.quick === true;
    if (flags.ort === true && flags['no-ort'] === true) throw new UsageError('--ort and --no-ort contradict each other; pass one.');
    // ORT's first WebGPU run compiles for about a minute on SwiftShader: out of --quick unless asked for.
    const ort = flags.ort === true || (!quick && flags['no-ort'] !== true);
    const backends = parseBackends(flags.backends, quick);
    const handle = await acquireNodeDevice();
    const ctx = new BenchContext(handle);
    const tok = createTokenizer(defaultWorldConfig());
    const config = tinyModelConfig(tok.size, { bos: tok.bosId, eos: tok.eosId, pad: tok.padId });
    const cpu = cpus();
    try {
      const report = await runBench(
        {
          runtime: 'node-dawn',
          machine: { cpu: cpu[0]?.model.trim() ?? 'unknown', cores: cpu.length, platform: `${platform()} ${arch()}`, runtime_version: `node ${process.version}` },
          ctx,
          config,
          loadOrt: () => loadOrtWebGpuInNode(handle.device),
          cpuMatmul: flags['no-cpu-matmul'] === true ? undefined : cpuMatmulVsOrtWasm,
          cpuThreads: flags['no-cpu-matmul'] === true ? undefined : (q, withOrt) => benchThreads({ quick: q, ort: withOrt, log: (l) => io.err(`  threads: ${l}\n`) }),
          onnxDecoder: flags['no-cpu-matmul'] === true ? undefined : (q) => benchOnnxDecoder({ quick: q, log: (l) => io.err(`  decoder race: ${l}\n`) }),
        },
        { quick, ort, backends },
        (p) => io.err(`[bench ${p.done}/${p.total} ${p.report.elapsed_s} s] ${p.stage}\n`),
      );
      io.out(flags.json ? JSON.stringify(report, null, 2) + '\n' : reportText(report));
      return 0;
    } finally {
      ctx.releaseCaptures();
      ctx.pool.destroy();
      handle.destroy();
    }
  },
};
