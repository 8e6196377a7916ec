// SolveState: the greedy solution of the current problem, streamed step by step from the engine,
// each step with the oracle's badge (teaching only), then the final answer against the true one.
import * as Comlink from 'comlink';
import type { OnnxCheckResult, SolveEvent, SolveResult } from '../../lib/api.ts';
import type { EngineTasks } from './engine-tasks.svelte.ts';
import type { ProblemState } from './problem-state.svelte.ts';
import { errorParts, type ErrorParts } from './task-errors.ts';
import { blobLink, clickDownload, revoke, type DownloadLink } from './downloads.ts';
import { zipFolder } from './export-bundle.ts';
import type { OnnxQuant } from '../../lib/onnx/quant-labels.ts';

export class SolveState {
  steps = $state.raw<SolveEvent[]>([]);
  result = $state.raw<SolveResult | null>(null);
  error = $state<ErrorParts | null>(null);
  running = $state(false);
  /** "Check with ONNX Runtime": the last check of the current problem, its error, whether it runs. */
  onnx = $state.raw<OnnxCheckResult | null>(null);
  onnxError = $state<ErrorParts | null>(null);
  onnxRunning = $state(false);
  /** onnxruntime-web's backend for the check: its WebAssembly kernels or its WebGPU ones. */
  onnxEp = $state<'wasm' | 'webgpu'>('wasm');
  /** Weights of the ONNX download: f32, int8 (standard operators) or q4 (ONNX Runtime's MatMulNBits). */
  onnxQuant = $state<OnnxQuant>('none');
  /** What the current download link holds. */
  onnxLinkQuant = $state<OnnxQuant>('none');
  /** The last ONNX download (a zip of model.onnx and the files beside it). */
  onnxLink = $state.raw<DownloadLink | null>(null);

  constructor(
    private readonly tasks: EngineTasks,
    private readonly problem: ProblemState,
  ) {
    problem.onchange(() => this.reset());
  }

  reset(): void {
    this.steps = [];
    this.result = null;
    this.error = null;
    this.onnx = null;
    this.onnxError = null;
  }

  async solve(): Promise<void> {
    const p = this.problem.problem;
    if (!p) return;
    this.reset();
    this.running = true;
    try {
      const result = await this.tasks.run('solve', () =>
        this.tasks.api.solve(
          p.question,
          Comlink.proxy((e: SolveEvent) => {
            if (this.problem.problem?.id === p.id) this.steps = [...this.steps, e];
          }),
        ),
      );
      if (this.problem.problem?.id === p.id) this.result = result;
    } catch (e) {
      this.error = errorParts(e);
    } finally {
      this.running = false;
    }
  }

  /** Export the current model to ONNX in the engine and let onnxruntime-web solve the same problem. */
  async checkOnnx(): Promise<void> {
    const p = this.problem.problem;
    if (!p) return;
    this.onnx = null;
    this.onnxError = null;
    this.onnxRunning = true;
    try {
      const r = await this.tasks.run('ONNX Runtime check', () => this.tasks.api.checkWithOnnxRuntime(p.question, { ep: this.onnxEp }));
      if (this.problem.problem?.id === p.id) this.onnx = r;
    } catch (e) {
      this.onnxError = errorParts(e);
    } finally {
      this.onnxRunning = false;
    }
  }

  /** Download the current model as ONNX: model.onnx (adapter merged), config.json, tokenizer files, world.json, zipped. */
  async downloadOnnx(label: string): Promise<void> {
    this.onnxError = null;
    try {
      const quant = this.onnxQuant;
      const { files } = await this.tasks.run('ONNX export', () => this.tasks.api.exportOnnx(quant));
      const name = `psr-lab-${label}-onnx${quant === 'none' ? '' : `-${quant}`}`;
      const zip = await zipFolder(name, files);
      if (this.onnxLink) revoke([this.onnxLink]);
      this.onnxLinkQuant = quant;
      this.onnxLink = blobLink(`${name}.zip`, zip as Uint8Array<ArrayBuffer>, 'application/zip');
      clickDownload(this.onnxLink);
    } catch (e) {
      this.onnxError = errorParts(e);
    }
  }
}
