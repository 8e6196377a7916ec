// `psr export-onnx --model DIR [--adapter DIR] --out FILE.onnx [--json]`: the model M_t (its base, with
// the adapter psr_model.json names — or --adapter — merged in) as an ONNX decoder with past/present
// key-value tensors (src/lib/onnx/export-decoder.ts), f32, and config.json + the tokenizer files beside
// it, so onnxruntime (any platform), transformers.js or Netron open it. --quant: f32 (none), int8 linears
// (standard DequantizeLinear) or q4 linears (ONNX Runtime's MatMulNBits, exact for a q4-stored base).
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Command } from '../command.ts';
import { OnnxExportError, UsageError } from '../../lib/errors.ts';
import { checkOnnxModel } from '../../lib/onnx/check-model.ts';
import { loadModelDir } from '../model-dir.ts';
import { mergeLora } from '../../lib/model/lora.ts';
import { configToHf } from '../../lib/model/config.ts';
import { exportDecoderOnnx, ONNX_OPSET } from '../../lib/onnx/export-decoder.ts';
import { isOnnxQuant, ONNX_QUANT_LABEL } from '../../lib/onnx/quant-labels.ts';
import { NodeFiles } from '../../lib/formats/node-files.ts';
import { AUX_FILES } from './quantize.ts';

export const exportOnnxCommand: Command = {
  name: 'export-onnx',
  summary: 'Export the model (base + its LoRA adapter, merged) as an ONNX decoder with a KV cache, f32, with config.json and the tokenizer beside it.',
  usage: 'export-onnx --model DIR [--adapter DIR] --out FILE.onnx [--quant none|int8|q4] [--json]',
  options: { model: { type: 'string' }, adapter: { type: 'string' }, out: { type: 'string' }, quant: { type: 'string' }, json: { type: 'boolean' } },
  async run(flags, _positionals, io) {
    const model = flags.model;
    const out = flags.out;
    if (typeof model !== 'string' || model.trim() === '') throw new UsageError('--model DIR is required: a model folder such as public/models/psr-tiny.');
    if (typeof out !== 'string' || !out.endsWith('.onnx')) throw new UsageError('--out FILE.onnx is required (a file name ending in .onnx; config.json and the tokenizer go beside it).');
    const adapterDir = typeof flags.adapter === 'string' ? flags.adapter : undefined;
    const quant = flags.quant ?? 'none';
    if (!isOnnxQuant(quant)) throw new UsageError(`--quant must be none (f32), int8 or q4 (got ${String(quant)}).`);
    const dir = dirname(resolve(out));
    if (dir === resolve(model)) throw new UsageError('--out must not be inside the model folder itself (its config.json would be overwritten); pick another folder.');
    const m = await loadModelDir(model, adapterDir);
    const weights = m.adapter ? mergeLora(m.weights, m.adapter) : m.weights;
    const dtype = ONNX_QUANT_LABEL[quant];
    const what = `M${m.meta.generation}${m.adapter ? ` (base + LoRA r=${m.adapter.config.r} merged)` : ' (base)'}`;
    const bytes = exportDecoderOnnx(m.config, weights, {
      description: `PSR Lab ${what}, exported from ${model}${adapterDir ? ` with the adapter ${adapterDir}` : ''}: decoder with past_key_values, ${dtype}.`,
      metadata: { generation: String(m.meta.generation), adapter: m.adapter ? 'merged' : 'none', base_storage: m.storage, quant },
      quant,
    });
    // ONNX's structural checker rules (SSA names, topological order, outputs produced, opsets, initializer sizes) before writing.
    const problems = checkOnnxModel(bytes);
    if (problems.length > 0) throw new OnnxExportError(`the export fails ONNX's checker rules (${problems.slice(0, 3).join('; ')}); nothing was written — please report this with the model folder.`);
    await mkdir(dir, { recursive: true });
    await writeFile(out, bytes);
    await writeFile(resolve(dir, 'config.json'), JSON.stringify(configToHf(m.config), null, 2) + '\n');
    const src = new NodeFiles(model);
    const copied: string[] = [];
    for (const name of AUX_FILES) {
      if (name === 'psr_model.json' || !(await src.exists(name))) continue;
      await writeFile(resolve(dir, name), await src.read(name));
      copied.push(name);
    }
    const report = { model, adapter: m.adapter ? (adapterDir ?? 'from psr_model.json') : null, generation: m.meta.generation, out, bytes: bytes.length, opset: ONNX_OPSET, dtype: quant === 'none' ? 'float32' : `${dtype}, f32 activations`, beside: ['config.json', ...copied] };
    io.out(flags.json ? JSON.stringify(report, null, 2) + '\n' : `wrote ${out} (${what}, ${(bytes.length / 1024).toFixed(0)} KiB, opset ${ONNX_OPSET}, ${dtype}) and ${report.beside.join(', ')} beside it\n`);
    return 0;
  },
};
