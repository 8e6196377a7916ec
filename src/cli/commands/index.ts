// Every CLI command, in the order `npm run psr -- help` lists them.
// Add a command: write src/cli/commands/<name>.ts exporting a Command, import it here.
import type { Command } from '../command.ts';
import { gpuInfoCommand } from './gpu-info.ts';
import { selfTestCommand } from './self-test.ts';
import { problemsCommand } from './problems.ts';
import { checkCommand } from './check.ts';
import { datasetsCommand } from './datasets.ts';
import { logitsCommand } from './logits.ts';
import { benchCpuCommand } from './bench-cpu.ts';
import { benchCommand } from './bench.ts';
import { memoryCommand } from './memory.ts';
import { trainBaseCommand } from './train-base.ts';
import { evalCommand } from './eval.ts';
import { coldStartCommand } from './cold-start.ts';
import { runCommand } from './run.ts';
import { loopTableCommand } from './loop-table.ts';
import { compareCommand } from './compare.ts';
import { quantizeCommand } from './quantize.ts';
import { dequantizeCommand } from './dequantize.ts';
import { exportOnnxCommand } from './export-onnx.ts';
import { settingsCommand } from './settings.ts';
import { learningCurveCommand } from './learning-curve.ts';
import { gapCommand } from './gap.ts';
import { pairAuditCommand } from './pair-audit.ts';

export const commands: Command[] = [settingsCommand, gpuInfoCommand, selfTestCommand, problemsCommand, checkCommand, datasetsCommand, logitsCommand, benchCpuCommand, benchCommand, memoryCommand, trainBaseCommand, learningCurveCommand, coldStartCommand, evalCommand, gapCommand, pairAuditCommand, runCommand, loopTableCommand, compareCommand, quantizeCommand, dequantizeCommand, exportOnnxCommand];
