// `psr dequantize --model DIR --out DIR [--json]`: turn a quantized checkpoint (made by `quantize`) back into
// a plain f32 HF checkpoint — W = q·scale for every linear — that HF transformers and PEFT can load.
import type { Command } from '../command.ts';
import { saveCheckpoint } from '../../lib/model/checkpoint.ts';
import { NodeFiles } from '../../lib/formats/node-files.ts';
import { dequantizeWeights, loadQuantizedCheckpoint } from '../../lib/model/quant-checkpoint.ts';
import { copyAuxFiles, dirFlags, weightsBytes } from './quantize.ts';

export const dequantizeCommand: Command = {
  name: 'dequantize',
  summary: 'Restore an f32 checkpoint (loadable by HF transformers) from a quantized one.',
  usage: 'dequantize --model DIR --out DIR [--json]',
  options: { model: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } },
  async run(flags, _positionals, io) {
    const { model, out } = dirFlags(flags);
    const src = new NodeFiles(model);
    const { config, weights } = await loadQuantizedCheckpoint(src);
    const dst = new NodeFiles(out);
    await saveCheckpoint(dst, { config, weights: dequantizeWeights(config, weights) });
    const copied = await copyAuxFiles(src, dst);
    const report = {
      model,
      out,
      format: weights.format,
      copied,
      files: { weightsBytesBefore: await weightsBytes(model), weightsBytesAfter: await weightsBytes(out) },
    };
    io.out(
      flags.json
        ? JSON.stringify(report, null, 2) + '\n'
        : `dequantized ${model} (${report.format}) → ${out} (f32): weights file ${report.files.weightsBytesBefore} → ` +
            `${report.files.weightsBytesAfter} bytes; copied: ${copied.join(', ') || 'nothing'}\n`,
    );
    return 0;
  },
};
