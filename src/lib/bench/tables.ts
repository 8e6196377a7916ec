// The benchmark report as tables (shared by the CLI's text output and the bench page): one row per
// matmul shape with every kernel's GFLOP/s and the ratios, and one row per throughput figure.
// Missing figures are null (the page prints "—", the text output "-").
import type { BenchReport } from './report.ts';

export interface Table {
  columns: string[];
  rows: (string | number | null)[][];
}

const at = (o: Record<string, number> | undefined, k: string): number | null => (o && Number.isFinite(o[k]) ? o[k] : null);

export function matmulTable(r: BenchReport): Table {
  const f32 = r.matmul.f32;
  const columns = [
    'shape N×C×OC', 'layer', 'f32 GF/s', 'int8 GF/s', 'q4 GF/s', 'f32 / probe', 'ORT webgpu GF/s', 'f32 / ORT', 'int8 / ORT', 'q4 / ORT',
    'tiled (before) GF/s', 'tuned / tiled', 'cpu wasm GF/s', 'ORT wasm GF/s', 'cpu / ORT wasm',
  ];
  const rows = Object.entries(r.matmul.shapes).map(([k, s]) => [
    k, s.layer,
    at(f32.webgpu.gflops, k), at(r.matmul.int8.webgpu.gflops, k), at(r.matmul.q4.webgpu.gflops, k),
    at(f32.webgpu.fraction_of_probe, k),
    at(f32.ort_webgpu?.gflops, k), at(f32.webgpu.ratio_vs_ort, k), at(r.matmul.int8.webgpu.ratio_vs_ort, k), at(r.matmul.q4.webgpu.ratio_vs_ort, k),
    at(f32.webgpu_tiled_baseline?.gflops, k), at(f32.webgpu_tiled_baseline?.speedup_of_tuned, k),
    at(f32.cpu?.gflops, k), at(f32.ort_wasm?.gflops, k), at(f32.cpu?.ratio_vs_ort_wasm, k),
  ]);
  return { columns, rows };
}

export function throughputTable(r: BenchReport): Table {
  const rows: Table['rows'] = [];
  const add = (what: string, per: Record<string, { tokens_per_s: number; tokens: number; ms: number }>, detail: (b: string) => string) => {
    for (const [backend, e] of Object.entries(per)) rows.push([what, backend, e.tokens_per_s, e.ms, detail(backend)]);
  };
  add('prefill', r.prefill, (b) => `one prompt of ${r.prefill[b].tokens} tokens`);
  add('decode', r.decode, (b) => `${r.decode[b].rows} candidates after a ${r.decode[b].prefix}-token prefix, ${r.decode[b].tokens} tokens`);
  add('train LoRA', r.train.lora, (b) => `batch ${r.train.lora[b].batch}, rank ${r.train.lora[b].rank}, forward + backward + AdamW`);
  add('train full', r.train.full, (b) => `batch ${r.train.full[b].batch}, forward + backward + AdamW`);
  return { columns: ['what', 'backend', 'tokens/s', 'ms', 'unit of work'], rows };
}

/** The wasm backend on 1 vs N kernel threads (Node): one row per matmul product, then the whole model. */
export function threadsTable(r: BenchReport): Table | null {
  const t = r.wasm?.threads;
  if (!t) return null;
  const rows: Table['rows'] = Object.keys(t.gflops_1).map((k) => [k, t.gflops_1[k], at(t.gflops_n, k), at(t.speedup, k), at(t.ort_gflops_n, k), at(t.vs_ort, k)]);
  for (const [mode, e] of Object.entries(t.train)) rows.push([`train ${mode} ${e.batch} (tokens/s)`, e.tokens_per_s_1, e.tokens_per_s_n, e.speedup, null, null]);
  for (const [what, e] of Object.entries(t.decode)) rows.push([`decode ${what} (tokens/s)`, e.tokens_per_s_1, e.tokens_per_s_n, e.speedup, null, null]);
  return { columns: ['product / run', '1 thread', `${t.threads} threads`, 'speedup', `ORT wasm ${t.threads} thr.`, 'ours / ORT'], rows };
}

function cell(v: string | number | null): string {
  if (v === null) return '-';
  if (typeof v === 'string') return v;
  return Math.abs(v) >= 100 ? v.toFixed(0) : Number(v.toPrecision(3)).toString();
}

export function tableText(t: Table): string {
  const cells = [t.columns, ...t.rows.map((r) => r.map(cell))];
  const widths = t.columns.map((_, i) => Math.max(...cells.map((r) => String(r[i]).length)));
  return cells.map((r) => r.map((c, i) => String(c).padEnd(widths[i])).join('  ').trimEnd()).join('\n') + '\n';
}

/** The whole report as text: machine, adapter, probe, the two tables, ORT's status, memory. */
export function reportText(r: BenchReport): string {
  const lines = [
    `PSR Lab benchmark (${r.mode}, ${r.runtime}, ${r.started_at}, ${r.elapsed_s} s)`,
    `machine: ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.platform}, ${r.machine.runtime_version}`,
    `adapter: ${r.adapter.vendor} / ${r.adapter.architecture}${r.adapter.description ? ` (${r.adapter.description})` : ''}` +
      `${r.adapter.software ? ', software' : ''}; GPU timing: ${r.adapter.gpu_timing}`,
    `probe: fma ${r.probe.fma_gflops} GFLOP/s, multiply+add ${r.probe.mul_add_gflops} GFLOP/s (${r.probe.note})`,
    `onnxruntime-web webgpu: ${r.ort.webgpu.available ? `ran (${r.ort.webgpu.timing}; first run ${r.ort.webgpu.first_run_s} s)` : `unavailable: ${r.ort.webgpu.error}`}`,
    '',
    tableText(matmulTable(r)),
    tableText(throughputTable(r)),
  ];
  const threads = threadsTable(r);
  if (threads && r.wasm) {
    const t = r.wasm.threads;
    lines.push(
      `wasm kernel threads (${t.threads} of ${t.cores} cores): GF/s per product, 1 and ${t.threads} threads timed alternately` +
        `${t.ort_error ? `; ORT: ${t.ort_error}` : ''}`,
      tableText(threads),
    );
  }
  const g = r.matmul.f32.webgpu.geomean;
  if (g) lines.push(`geomean f32 webgpu: ${g.gflops} GFLOP/s, ${g.fraction_of_probe} of the probe${g.ratio_vs_ort ? `, ${g.ratio_vs_ort}× ORT webgpu` : ''}`);
  const race = decoderRaceTable(r);
  if (race && r.onnx_decoder) {
    const d = r.onnx_decoder;
    lines.push(`decoder race, tokens/s (prefill ${d.prefill_tokens}; decode ${d.decode_steps} steps after ${d.decode_prefix}): ours vs the ONNX export on onnxruntime-web${d.ort_error ? ` (ORT: ${d.ort_error})` : ''}`);
    lines.push(tableText(race));
  }
  return lines.join('\n') + '\n';
}

/** The decoder race: one row per figure and runtime ("threads1" in Node, "wasm" / "webgpu" on the page). */
export function decoderRaceTable(r: BenchReport): Table | null {
  const race = r.onnx_decoder;
  if (!race) return null;
  const where = (t: string) =>
    t.startsWith('threads') ? `wasm, ${t.replace('threads', '')} thread(s)` : t.startsWith('wasm-threads') ? `wasm, ${t.replace('wasm-threads', '')} threads` : t === 'wasm' ? 'wasm, 1 thread' : t;
  const rows: Table['rows'] = [];
  for (const t of Object.keys(race.ours)) {
    for (const k of Object.keys(race.ours[t])) {
      rows.push([`${k.replace(/_/g, ' ')} · ${where(t)}`, race.ours[t][k], race.ort[t]?.[k] ?? null, race.ort_int8[t]?.[k] ?? null, race.ort_q4?.[t]?.[k] ?? null, race.ratio[t]?.[k] ?? null]);
    }
  }
  return { columns: ['what', 'ours', 'ORT f32', 'ORT int8', 'ORT q4', 'ours / ORT f32'], rows };
}
