// Compute pipelines cached by what changes the code (WGSL source + entry point + constants),
// never by data. Compilation errors become ShaderCompileError with the compiler's messages.
import { ShaderCompileError } from '../errors.ts';

export class PipelineCache {
  private readonly modules = new Map<string, GPUShaderModule>();
  private readonly pipelines = new Map<string, GPUComputePipeline>();

  constructor(private readonly device: GPUDevice) {}

  /** A compute pipeline for `entryPoint` of `code`; `label` names the op family (e.g. "matmul"). */
  async get(
    label: string,
    code: string,
    entryPoint: string,
    constants: Record<string, number> = {},
  ): Promise<GPUComputePipeline> {
    const key = `${entryPoint}|${JSON.stringify(constants)}|${code}`;
    const hit = this.pipelines.get(key);
    if (hit) return hit;
    let module = this.modules.get(code);
    if (!module) {
      module = this.device.createShaderModule({ label: `${label}.wgsl`, code });
      const info = await module.getCompilationInfo();
      const errors = info.messages.filter((m) => m.type === 'error');
      if (errors.length > 0) {
        const text = errors.map((m) => `${label}.wgsl:${m.lineNum}:${m.linePos}: ${m.message}`).join('\n');
        throw new ShaderCompileError(`WGSL failed to compile:\n${text}\nThis is a bug in PSR Lab; please report it with your browser and GPU.`);
      }
      this.modules.set(code, module);
    }
    this.device.pushErrorScope('validation');
    const pipeline = await this.device.createComputePipelineAsync({
      label: `${label}:${entryPoint}`,
      layout: 'auto',
      compute: { module, entryPoint, constants },
    }).catch((e: unknown) => {
      throw new ShaderCompileError(`Pipeline ${label}:${entryPoint} could not be built: ${(e as Error).message}`, { cause: e });
    });
    const err = await this.device.popErrorScope();
    if (err) throw new ShaderCompileError(`Pipeline ${label}:${entryPoint} is invalid: ${err.message}`);
    this.pipelines.set(key, pipeline);
    return pipeline;
  }

  get size(): number {
    return this.pipelines.size;
  }
}
