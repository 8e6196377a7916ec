// "Download everything" as one zip (fflate): the current adapter (PEFT files), the last iteration's pairs
// (Step-DPO JSONL), the iterations' metrics as JSON and CSV, and a README saying how to load them with
// PEFT / TRL — including the command that turns the int8 base into HF-loadable f32 files. Pure: the
// page passes what it has, this returns the zip's bytes. fflate's asynchronous zip compresses in its
// own workers, so the page's main thread never stalls on it (the e2e test fails on a task over 50 ms).
import { strToU8, zip, type AsyncZippable } from 'fflate';
import type { ExportedFile } from '../../lib/api.ts';
import type { IterationRecord } from './saved-work.ts';
import { peftFileName } from '../../lib/model/checkpoint.ts';

export interface BundleInput {
  /** e.g. "M3": names the files and the folder inside the zip. */
  label: string;
  modelName: string;
  adapter: ExportedFile[];
  pairsJsonl: string | null;
  history: IterationRecord[];
}

const pct = (x: number | null | undefined) => (x === null || x === undefined ? '' : (100 * x).toFixed(2));

/** One CSV row per finished iteration (accuracy and judge accuracy in %). */
export function historyCsv(history: IterationRecord[]): string {
  const head = 'from,to,finished,accuracy_before,accuracy_after,judge_before,judge_after,swap_before,swap_after,problems,pairs,pairs_right_ordered,own_pairs_preferred_before,own_pairs_preferred_after,seconds,failed';
  const rows = history.map((r) =>
    [
      r.from, r.to, r.finished,
      pct(r.before?.solve.accuracy), pct(r.after?.solve.accuracy),
      pct(r.before?.judge.judge_accuracy), pct(r.after?.judge.judge_accuracy),
      r.before?.judge.swap_consistency ?? '', r.after?.judge.swap_consistency ?? '',
      r.after?.solve.problems ?? '', r.pairs, r.pairQuality?.counts['correct-order'] ?? '',
      r.ownPairs?.before ?? '', r.ownPairs?.after ?? '', r.seconds.toFixed(1), r.failed,
    ].join(','),
  );
  return [head, ...rows].join('\n') + '\n';
}

function readme(i: BundleInput): string {
  return `# ${i.modelName} ${i.label}, exported from PSR Lab

- \`adapter/adapter_config.json\`, \`adapter/adapter_model.safetensors\`: the LoRA adapter of ${i.label} in PEFT's layout.
- \`pairs.jsonl\`: ${i.pairsJsonl ? "the last iteration's step-level preference pairs in Step-DPO's format (prompt, initial_reason_steps, chosen, rejected, …)" : 'absent: no iteration had made pairs yet'}.
- \`metrics.json\`, \`metrics.csv\`: every iteration of this model in the page (accuracy and judge accuracy before and after, pairs, own pairs preferred).

The adapter belongs on the model's base, which ships int8 in PSR Lab's own format. From the PSR Lab repository, write
an f32 copy that transformers reads:

    npm run psr -- dequantize --model public/models/${i.modelName} --out base-f32

then, in Python:

    from transformers import AutoModelForCausalLM
    from peft import PeftModel
    base = AutoModelForCausalLM.from_pretrained("base-f32")
    model = PeftModel.from_pretrained(base, "adapter")

The tokenizer (\`tokenizer.json\` in the model folder) is word-level and reads numbers least-significant digit first;
the pairs train with TRL's DPOTrainer after joining prompt + initial_reason_steps as the prompt.
`;
}

/** The zip's bytes; files sit in one folder named after the model and label. */
export function exportBundle(i: BundleInput): Promise<Uint8Array> {
  const dir = `psr-lab-${i.modelName}-${i.label}`;
  const files: AsyncZippable = {
    [`${dir}/README.md`]: strToU8(readme(i)),
    [`${dir}/metrics.json`]: strToU8(JSON.stringify({ model: i.modelName, label: i.label, iterations: i.history }, null, 2) + '\n'),
    [`${dir}/metrics.csv`]: strToU8(historyCsv(i.history)),
  };
  // float weights barely deflate: stored as they are
  for (const f of i.adapter) files[`${dir}/adapter/${peftFileName(f.name)}`] = [f.bytes, { level: f.name.endsWith('.safetensors') ? 0 : 6 }];
  if (i.pairsJsonl) files[`${dir}/pairs.jsonl`] = strToU8(i.pairsJsonl);
  return new Promise((resolve, reject) => zip(files, { level: 6 }, (err, data) => (err ? reject(err) : resolve(data))));
}

/** The ONNX export as one zip: `model.onnx` (stored as it is: float weights barely deflate) and the JSON files beside it. */
export function zipFolder(dir: string, files: ExportedFile[]): Promise<Uint8Array> {
  const z: AsyncZippable = {};
  for (const f of files) z[`${dir}/${f.name}`] = [f.bytes, { level: f.name.endsWith('.json') ? 6 : 0 }];
  return new Promise((resolve, reject) => zip(z, { level: 6 }, (err, data) => (err ? reject(err) : resolve(data))));
}
