// The benchmark report: one JSON object (what `npm run bench -- --json` prints and the bench page
// shows). Field paths name the figure, e.g. matmul.f32.webgpu.gflops["2048x128x384"],
// matmul.f32.webgpu.ratio_vs_ort, matmul.f32.cpu.ratio_vs_ort_wasm, decode.webgpu.tokens_per_s.
// Per-shape maps are keyed N×C×OC (rows × in features × out features).

/** GFLOP/s of one kernel per shape, and what they mean relative to the probe and to ORT. */
export interface FormatFigures {
  gflops: Record<string, number>;
  /** gflops / probe.fma_gflops. */
  fraction_of_probe: Record<string, number>;
  fraction_of_mul_add_probe?: Record<string, number>;
  /** Ours / onnxruntime-web WebGPU MatMul (f32) on the same shape. */
  ratio_vs_ort?: Record<string, number>;
  /** int8 / q4: ours / our f32 on the same shape. */
  ratio_vs_f32?: Record<string, number>;
  /** Tiled baseline only: tuned / tiled on the same shape. */
  speedup_of_tuned?: Record<string, number>;
  geomean?: { gflops: number; fraction_of_probe: number; ratio_vs_ort?: number };
}

export interface ThroughputEntry {
  tokens_per_s: number;
  ms: number;
  tokens: number;
  [extra: string]: number | string;
}

/** The wasm backend on 1 vs N kernel threads (Node; src/cli/bench/threads-bench.ts). Keys: op.NxCxOC. */
export interface ThreadsReport {
  threads: number;
  cores: number;
  cpu: string;
  /** GFLOP/s per product on 1 and N threads, N over 1, and that over N. */
  gflops_1: Record<string, number>;
  gflops_n: Record<string, number>;
  speedup: Record<string, number>;
  efficiency: Record<string, number>;
  /** onnxruntime-web wasm MatMul with N threads on the same product, and ours (N threads) over it. */
  ort_gflops_n?: Record<string, number>;
  vs_ort?: Record<string, number>;
  ort_error?: string;
  /** Whole-model tokens/s on 1 and N threads (the shipped model's shape, random weights). */
  train: Record<'full' | 'lora', { batch: string; tokens_per_s_1: number; tokens_per_s_n: number; speedup: number }>;
  decode: Record<string, { tokens_per_s_1: number; tokens_per_s_n: number; speedup: number }>;
  geomean: { speedup: number; vs_ort?: number };
  note: string;
}

/** The decoder race (Node; src/cli/bench/onnx-decoder-bench.ts): tokens/s per thread count ("threads1", "threadsN"). */
export interface OnnxDecoderReport {
  threads: number;
  prefill_tokens: number;
  decode_prefix: number;
  decode_steps: number;
  /** prefill, decode_rows1, decode_rows6 tokens/s. */
  ours: Record<string, Record<string, number>>;
  ort: Record<string, Record<string, number>>;
  /** The --quant int8 export on the same runtime. */
  ort_int8: Record<string, Record<string, number>>;
  /** The --quant q4 export (MatMulNBits) on the same runtime (Node only). */
  ort_q4?: Record<string, Record<string, number>>;
  /** Per figure, the quantized export ORT runs faster (tokens/s), and by how much: q4 / int8. */
  ort_faster_quant?: Record<string, Record<string, 'int8' | 'q4'>>;
  ort_q4_over_int8?: Record<string, Record<string, number>>;
  ratio: Record<string, Record<string, number>>;
  ort_error?: string;
  note: string;
}

export interface BenchReport {
  schema: 'psr-lab-bench/1';
  mode: 'quick' | 'full';
  runtime: 'node-dawn' | 'browser';
  started_at: string;
  machine: { cpu: string; cores: number; platform: string; runtime_version: string };
  adapter: {
    vendor: string; architecture: string; device: string; description: string; software: boolean;
    /** How GPU kernels were timed: GPU timestamps, or the wall clock around submit → done. */
    gpu_timing: 'timestamp-query' | 'wall-clock';
  };
  probe: { fma_gflops: number; mul_add_gflops: number; runs: { fma_gflops: number; mul_add_gflops: number }[]; note: string };
  matmul: {
    shapes: Record<string, { N: number; C: number; OC: number; layer: string; flop: number }>;
    f32: {
      webgpu: FormatFigures;
      /** The workgroup-memory kernel the vec4 tuning replaced on software adapters (before / after). */
      webgpu_tiled_baseline?: FormatFigures;
      ort_webgpu?: { gflops: Record<string, number>; fraction_of_probe?: Record<string, number> };
      /** Node: our WebAssembly SIMD matmul (arena-resident, as WasmBackend runs it). */
      cpu?: { gflops: Record<string, number>; ratio_vs_ort_wasm: Record<string, number>; note: string; geomean?: { gflops: number; ratio_vs_ort_wasm: number } };
      ort_wasm?: { gflops: Record<string, number> };
    };
    int8: { webgpu: FormatFigures };
    q4: { webgpu: FormatFigures };
  };
  ort: {
    webgpu: { available: boolean; error?: string; timing?: string; first_run_s?: number; note?: string };
  };
  /** Per backend: six candidates decoded together after one shared prefix. */
  decode: Record<string, ThroughputEntry>;
  /** Per backend: one prompt through Decoder.prefill. */
  prefill: Record<string, ThroughputEntry>;
  /** Per mode and backend: forward + backward + AdamW on one batch. */
  train: { lora: Record<string, ThroughputEntry>; full: Record<string, ThroughputEntry> };
  /** Node: the WebAssembly backend's kernel threads (wasm.threads.speedup, wasm.threads.vs_ort, …). */
  wasm?: { threads: ThreadsReport };
  /** Node: the model on our wasm backend vs its ONNX export on onnxruntime-web wasm, 1 and N threads. */
  onnx_decoder?: OnnxDecoderReport;
  /** memoryPlan() of the tiny config for two typical runs. */
  memory: Record<string, unknown>;
  elapsed_s: number;
}
