// The one-zip export: the adapter under adapter/ with PEFT's names, the pairs, metrics as JSON and CSV
// (one row per iteration), and a README with the dequantize command; read back with fflate.
import { describe, expect, it } from 'vitest';
import { strFromU8, unzipSync } from 'fflate';
import { exportBundle, historyCsv } from '../../../src/ui/state/export-bundle.ts';
import type { IterationRecord } from '../../../src/ui/state/saved-work.ts';

const evaluation = (acc: number) => ({ solve: { accuracy: acc, problems: 24 }, judge: { judge_accuracy: 0.75, swap_consistency: 0.5 } }) as unknown as IterationRecord['before'];
const record: IterationRecord = {
  from: 'M1', to: 'M2', finished: '2026-12-02T17:00:00.000Z', before: evaluation(0.25), after: evaluation(0.3), pairs: 5,
  pairQuality: { counts: { 'correct-order': 2, 'both-valid': 1, 'both-invalid': 2, inverted: 0 } } as unknown as IterationRecord['pairQuality'],
  ownPairs: { before: 0.4, after: 0.6 }, seconds: 31.2, failed: false,
};

describe('exportBundle', () => {
  it('zips the adapter, pairs, metrics and a README into one folder', async () => {
    const zip = await exportBundle({
      label: 'M2', modelName: 'psr-tiny', pairsJsonl: '{"prompt":"q"}\n', history: [record],
      adapter: [{ name: 'M2-adapter_config.json', bytes: new TextEncoder().encode('{"r":16}') }, { name: 'M2-adapter_model.safetensors', bytes: new Uint8Array([1, 2, 3]) }],
    });
    const files = unzipSync(zip);
    const dir = 'psr-lab-psr-tiny-M2';
    expect(Object.keys(files).sort()).toEqual(
      ['README.md', 'adapter/adapter_config.json', 'adapter/adapter_model.safetensors', 'metrics.csv', 'metrics.json', 'pairs.jsonl'].map((f) => `${dir}/${f}`),
    );
    expect(Array.from(files[`${dir}/adapter/adapter_model.safetensors`])).toEqual([1, 2, 3]);
    expect(strFromU8(files[`${dir}/README.md`])).toContain('npm run psr -- dequantize --model public/models/psr-tiny --out base-f32');
    expect(JSON.parse(strFromU8(files[`${dir}/metrics.json`])).iterations).toHaveLength(1);
    expect(strFromU8(files[`${dir}/pairs.jsonl`])).toBe('{"prompt":"q"}\n');
  });

  it('leaves the pairs out when there are none, and says so', async () => {
    const files = unzipSync(await exportBundle({ label: 'M1', modelName: 'psr-tiny', pairsJsonl: null, history: [], adapter: [] }));
    expect(Object.keys(files).some((f) => f.endsWith('pairs.jsonl'))).toBe(false);
    expect(strFromU8(files['psr-lab-psr-tiny-M1/README.md'])).toContain('absent: no iteration had made pairs yet');
  });

  it('metrics.csv has a header and one row per iteration, percentages for the accuracies', () => {
    const [head, row, end] = historyCsv([record]).split('\n');
    expect(head.split(',')).toHaveLength(16);
    expect(row.split(',').slice(0, 5)).toEqual(['M1', 'M2', '2026-12-02T17:00:00.000Z', '25.00', '30.00']);
    expect(row.split(',')).toHaveLength(16);
    expect(end).toBe('');
  });
});
