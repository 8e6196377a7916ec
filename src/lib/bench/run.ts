// The benchmark run shared by `npm run bench` (Node, Dawn) and the bench page (the engine worker):
// probe → our matmuls (f32, int8, q4; the pre-tuning tiled kernel as baseline) → onnxruntime-web's
// WebGPU EP on the same shapes → (Node) CPU matmul vs ORT wasm → prefill, decode and training
// throughput per backend. It builds one JSON report whose field names say what each figure is, and
// streams the partial report after every step. Figures and ratios, never pass/fail.
import type { BenchContext } from './gpu-timer.ts';
import { GpuTimer } from './gpu-timer.ts';
import { runFmaProbe } from './fma-probe.ts';
import { benchOurMatmul, matmulFlop, shapeKey, tinyMatmulShapes, type MatmulShape } from './matmul-bench.ts';
import { benchOrtWebGpu, type Ort } from './ort-webgpu.ts';
import { FULL_MODEL_SIZES, QUICK_MODEL_SIZES, benchDecode, benchPrefill, benchTrainStep, benchWeights } from './model-bench.ts';
import type { BenchReport, FormatFigures, OnnxDecoderReport, ThreadsReport } from './report.ts';
import type { Backend } from '../backend/backend.ts';
import type { ModelConfig } from '../model/config.ts';
import { createBackend, type BackendName } from '../backend/choice.ts';
import { memoryPlan } from '../model/memory.ts';
import type { QuantFormat } from '../formats/quant.ts';

export type { BenchReport } from './report.ts';

export type { BackendName };

export interface BenchOptions {
  /** A ~1-minute subset: two matmul shapes, small model runs, no baseline, ORT only when `ort`. */
  quick: boolean;
  /** Run onnxruntime-web's WebGPU EP (its first run compiles for about a minute on SwiftShader). */
  ort: boolean;
  /** Backends for the prefill / decode / training figures. */
  backends: BackendName[];
}

export interface BenchEnv {
  runtime: 'node-dawn' | 'browser';
  machine: BenchReport['machine'];
  ctx: BenchContext;
  config: ModelConfig;
  /** Loads onnxruntime-web with its WebGPU EP usable on ctx.device (Node needs shims, browsers a dynamic import). */
  loadOrt?: () => Promise<Ort>;
  /** Node only: our wasm matmul vs onnxruntime-web's wasm backend (one thread) on the same shapes. */
  cpuMatmul?: (shapes: MatmulShape[], quick: boolean) => Promise<{ ours: Record<string, number>; ort: Record<string, number>; note: string }>;
  /** Node only: the wasm backend on 1 vs N kernel threads (src/cli/bench/threads-bench.ts). */
  cpuThreads?: (quick: boolean, ort: boolean) => Promise<ThreadsReport>;
  /** The model on our backends vs its ONNX export on onnxruntime-web (Node: wasm on 1 and N threads, src/cli/bench/onnx-decoder-bench.ts; the page: wasm and WebGPU, browser-decoder-race.ts). */
  onnxDecoder?: (quick: boolean) => Promise<OnnxDecoderReport>;
  /** Bytes of the WasmBackend arena (smaller in a browser tab). */
  wasmArenaBytes?: number;
}

export interface BenchProgress {
  stage: string;
  done: number;
  total: number;
  report: BenchReport;
}

const round = (x: number, digits = 3): number => (Number.isFinite(x) ? Number(x.toPrecision(digits)) : x);
const geomean = (xs: number[]): number => (xs.length ? Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length) : NaN);

function makeBackend(name: BackendName, env: BenchEnv): Promise<Backend> {
  return createBackend(name, env.ctx, env.wasmArenaBytes);
}

export async function runBench(env: BenchEnv, opts: BenchOptions, onProgress?: (p: BenchProgress) => void): Promise<BenchReport> {
  const t0 = performance.now();
  const { ctx, config } = env;
  const info = ctx.handle.info;
  const timer = new GpuTimer(ctx.device);
  const shapes = tinyMatmulShapes(config.vocabSize).filter((s) => !opts.quick || (s.C === 128 && s.OC === 384));
  const formats: QuantFormat[] = ['f32', 'int8', 'q4'];
  const baselineShapes = opts.quick ? [] : shapes.filter((s) => s.N <= 16 || (s.C === 128 && s.OC === 384));
  const sizes = opts.quick ? QUICK_MODEL_SIZES : FULL_MODEL_SIZES;
  const timing = { targetMs: opts.quick ? 20 : 60, samples: opts.quick ? 2 : 3 };
  const report: BenchReport = {
    schema: 'psr-lab-bench/1',
    mode: opts.quick ? 'quick' : 'full',
    runtime: env.runtime,
    started_at: new Date().toISOString(),
    machine: env.machine,
    adapter: {
      vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description,
      software: info.software, gpu_timing: timer.method,
    },
    probe: { fma_gflops: NaN, mul_add_gflops: NaN, runs: [], note: '' },
    matmul: { shapes: Object.fromEntries(shapes.map((s) => [shapeKey(s), { ...s, flop: matmulFlop(s) }])), f32: { webgpu: figures() }, int8: { webgpu: figures() }, q4: { webgpu: figures() } },
    ort: { webgpu: { available: false, error: opts.ort ? 'not run yet' : 'skipped (run without --quick, or tick the onnxruntime-web box)' } },
    decode: {}, prefill: {}, train: { lora: {}, full: {} },
    memory: {},
    elapsed_s: 0,
  };
  const steps = 2 + shapes.length * formats.length + baselineShapes.length + (opts.ort ? 1 : 0) + (env.cpuMatmul ? 1 : 0) + (env.cpuThreads ? 1 : 0) + (env.onnxDecoder ? 1 : 0) + opts.backends.length * 4;
  let done = 0;
  const step = (stage: string) => {
    report.elapsed_s = round((performance.now() - t0) / 1000);
    onProgress?.({ stage, done: ++done, total: steps, report });
  };

  // ---- the adapter's ceiling (measured first and last; the machine may be shared) ----
  const probe = async () => {
    const fma = await runFmaProbe(ctx, timer, { minDispatchMs: opts.quick ? 20 : 40, samples: timing.samples });
    const mulAdd = await runFmaProbe(ctx, timer, { minDispatchMs: opts.quick ? 20 : 40, samples: timing.samples, fma: false });
    report.probe.runs.push({ fma_gflops: round(fma.gflops), mul_add_gflops: round(mulAdd.gflops) });
    report.probe.fma_gflops = round(Math.max(...report.probe.runs.map((r) => r.fma_gflops)));
    report.probe.mul_add_gflops = round(Math.max(...report.probe.runs.map((r) => r.mul_add_gflops)));
  };
  await probe();
  step('probe');

  // ---- our kernels ----
  for (const format of formats) {
    for (const s of shapes) {
      const f = await benchOurMatmul(ctx, timer, s, format, timing);
      report.matmul[format].webgpu.gflops[shapeKey(s)] = round(f.gflops);
      step(`matmul ${format} ${shapeKey(s)}`);
    }
  }
  if (baselineShapes.length > 0) {
    report.matmul.f32.webgpu_tiled_baseline = figures();
    for (const s of baselineShapes) {
      const f = await benchOurMatmul(ctx, timer, s, 'f32', { ...timing, kernel: 'tiled' });
      report.matmul.f32.webgpu_tiled_baseline.gflops[shapeKey(s)] = round(f.gflops);
      step(`matmul f32 (tiled baseline) ${shapeKey(s)}`);
    }
  }

  // ---- onnxruntime-web's WebGPU EP, same device ----
  if (opts.ort) {
    if (!env.loadOrt) {
      report.ort.webgpu = { available: false, error: 'onnxruntime-web cannot be loaded in this runtime' };
    } else {
      let ort: Ort | null = null;
      try {
        ort = await env.loadOrt();
      } catch (e) {
        report.ort.webgpu = { available: false, error: `loading onnxruntime-web failed: ${(e as Error).name}: ${(e as Error).message}` };
      }
      if (ort) {
        const r = await benchOrtWebGpu(ort, ctx.device, shapes, { samples: timing.samples });
        report.ort.webgpu = {
          available: r.available, ...(r.error ? { error: r.error } : {}), timing: r.timing,
          first_run_s: r.firstRunSeconds === undefined ? undefined : round(r.firstRunSeconds),
          note: 'MatMul A(N,C)·B(C,OC) on our GPUDevice; int8 and q4 ratios compare with ORT\'s f32 MatMul of the same shape',
        };
        if (Object.keys(r.gflops).length > 0) report.matmul.f32.ort_webgpu = { gflops: mapValues(r.gflops, round) };
      }
    }
    step('onnxruntime-web webgpu');
  }

  // ---- CPU: our wasm kernels vs ORT wasm (Node) ----
  if (env.cpuMatmul) {
    const cpu = await env.cpuMatmul(shapes, opts.quick);
    report.matmul.f32.cpu = { gflops: mapValues(cpu.ours, round), ratio_vs_ort_wasm: ratios(cpu.ours, cpu.ort), note: cpu.note };
    report.matmul.f32.ort_wasm = { gflops: mapValues(cpu.ort, round) };
    step('cpu matmul vs onnxruntime-web wasm');
  }
  if (env.cpuThreads) {
    report.wasm = { threads: await env.cpuThreads(opts.quick, true) };
    step('wasm kernel threads');
  }
  if (env.onnxDecoder) {
    report.onnx_decoder = await env.onnxDecoder(opts.quick);
    step('decoder: ours vs the ONNX export on onnxruntime-web');
  }

  // ---- the model: prefill, decode (6 candidates from one prefix), training steps ----
  const weights = benchWeights(config);
  for (const name of opts.backends) {
    const be = await makeBackend(name, env);
    report.prefill[name] = rounded(await benchPrefill(be, config, weights, sizes));
    step(`prefill ${name}`);
    report.decode[name] = { ...rounded(await benchDecode(be, config, weights, sizes)), rows: sizes.decodeRows, prefix: sizes.decodePrefix };
    step(`decode ${name}`);
    for (const mode of ['lora', 'full'] as const) {
      const r = await benchTrainStep(be, config, weights, mode, sizes);
      report.train[mode][name] = { ...rounded(r), batch: `${sizes.trainRows}x${sizes.trainSeqLen}`, ...(mode === 'lora' ? { rank: sizes.loraRank } : {}) };
      step(`train ${mode} ${name}`);
    }
    if (name === 'webgpu') be.flush();
  }

  await probe();
  report.probe.note = 'fraction_of_probe divides by fma_gflops (register fma() chains; the best of the runs at the start and the end)' +
    (report.probe.mul_add_gflops > 1.3 * report.probe.fma_gflops
      ? '; this adapter runs multiply + add faster than fma(), so mul_add_gflops is its real ceiling' : '');
  finishRatios(report);
  report.memory = {
    decode_6x512_lora_train_8x256_q4: memoryPlanSummary(config, { batchRows: 8, seqLen: 256, kvRows: 6, kvSlots: 512, trainMode: 'lora', quant: 'q4' }),
    full_train_8x256_f32: memoryPlanSummary(config, { batchRows: 8, seqLen: 256, kvRows: 0, kvSlots: 0, trainMode: 'full', quant: 'f32' }),
  };
  timer.destroy();
  step('done');
  return report;
}

function figures(): FormatFigures {
  return { gflops: {}, fraction_of_probe: {} };
}

function mapValues(o: Record<string, number>, f: (x: number) => number): Record<string, number> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));
}

function ratios(num: Record<string, number>, den: Record<string, number> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(num)) if (den && den[k] > 0) out[k] = round(v / den[k]);
  return out;
}

function rounded<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'number' ? round(v) : v])) as T;
}

/** Fractions of the probe, ratios against ORT and against our f32, and their geometric means. */
function finishRatios(r: BenchReport): void {
  const probe = r.probe.fma_gflops;
  const ortGpu = r.matmul.f32.ort_webgpu?.gflops;
  for (const format of ['f32', 'int8', 'q4'] as const) {
    const w = r.matmul[format].webgpu;
    w.fraction_of_probe = mapValues(w.gflops, (g) => round(g / probe));
    if (format === 'f32') w.fraction_of_mul_add_probe = mapValues(w.gflops, (g) => round(g / r.probe.mul_add_gflops));
    if (ortGpu) w.ratio_vs_ort = ratios(w.gflops, ortGpu);
    if (format !== 'f32') w.ratio_vs_f32 = ratios(w.gflops, r.matmul.f32.webgpu.gflops);
    w.geomean = {
      gflops: round(geomean(Object.values(w.gflops))),
      fraction_of_probe: round(geomean(Object.values(w.fraction_of_probe))),
      ...(w.ratio_vs_ort ? { ratio_vs_ort: round(geomean(Object.values(w.ratio_vs_ort))) } : {}),
    };
  }
  const base = r.matmul.f32.webgpu_tiled_baseline;
  if (base) {
    base.fraction_of_probe = mapValues(base.gflops, (g) => round(g / probe));
    base.speedup_of_tuned = ratios(r.matmul.f32.webgpu.gflops, base.gflops);
  }
  const ort = r.matmul.f32.ort_webgpu;
  if (ort) ort.fraction_of_probe = mapValues(ort.gflops, (g) => round(g / probe));
  const cpu = r.matmul.f32.cpu;
  if (cpu) cpu.geomean = { gflops: round(geomean(Object.values(cpu.gflops))), ratio_vs_ort_wasm: round(geomean(Object.values(cpu.ratio_vs_ort_wasm))) };
}

function memoryPlanSummary(config: ModelConfig, o: Parameters<typeof memoryPlan>[1]) {
  const p = memoryPlan(config, o);
  const [largest] = p.buffers;
  return {
    options: o,
    bytes: { weights: p.weights, lora: p.lora, gradients: p.gradients, optimizer: p.optimizer, activations: p.activations, kv_cache: p.kvCache, total: p.total },
    largest_buffer: { name: largest.name, bytes: largest.bytes },
  };
}
