// The folders of src/lib are layers, and imports only run down: file formats and the device at the
// bottom, the ops (ref, kernels, cpu) above them, the backends above the ops, the transformer above
// the backend interface, then settings, training, the method, the app's tasks and the engine.
// A new import that runs back up fails here with the file and the import.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const LIB = resolve(__dirname, '../../src/lib');

/** Rank of each top-level entry of src/lib: an import may only go to a lower rank (or its own folder). */
const RANK: Record<string, number> = {
  'errors.ts': 0,
  formats: 1, gpu: 1, tokenizer: 1,
  math: 2, ref: 2, kernels: 2, cpu: 2,
  backend: 3,
  model: 4,
  settings: 5, onnx: 5,
  train: 6,
  psr: 7,
  bench: 8, webllm: 8,
  lab: 9,
  'api.ts': 10, 'engine.ts': 11, 'node-engine.ts': 12,
};
/** Same-rank imports that are part of the design: the WASM kernels and the WGSL AdamW share the reference's types. */
const SIDEWAYS = new Set(['cpu->ref', 'kernels->ref']);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.ts$/.test(n) ? [p] : [];
  });
}

const top = (file: string) => relative(LIB, file).split('/')[0];

describe('src/lib layering', () => {
  const all = files(LIB);

  it('every top-level entry has a rank', () => {
    expect(readdirSync(LIB).filter((n) => !n.endsWith('.md')).filter((n) => !(n in RANK))).toEqual([]);
  });

  it('no import runs back up', () => {
    const upward: string[] = [];
    for (const f of all) {
      const from = top(f);
      for (const m of readFileSync(f, 'utf8').matchAll(/from '(\.{1,2}\/[^'?]+)/g)) {
        const to = top(resolve(dirname(f), m[1]));
        if (to === from || RANK[to] < RANK[from] || SIDEWAYS.has(`${from}->${to}`)) continue;
        upward.push(`${relative(LIB, f)} imports ${m[1]} (${from} rank ${RANK[from]} → ${to} rank ${RANK[to]})`);
      }
    }
    expect(upward).toEqual([]);
  });
});
