// "No ground truth in the loop": the search and the step model must not import the step checker,
// the oracle pair labeller or any reference solution. Checked on the source text: direct imports
// of every search file, and the whole (non-type) import graph of search.ts.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const PSR = resolve(ROOT, 'src/lib/psr');
const SEARCH_FILES = ['search.ts', 'step-scoring.ts', 'search-config.ts', 'search-stats.ts', 'step-model.ts', 'events.ts', 'pairs.ts', 'control.ts'];
/** Modules that hold ground truth: the checker, the oracle labeller, the math barrel that re-exports them, datasets with reference solutions. */
const ORACLE = /(?:^|\/)(?:checker|pair-quality|datasets|mistakes|judge-format)\.ts$|\/math\/index\.ts$|\/math$/;

/** Module specifiers a file imports at run time (`import type` and `export type` are erased, so skipped). */
function valueImports(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of src.matchAll(/^\s*(import|export)\s+(type\s+)?[^;]*?\sfrom\s+'([^']+)'/gms)) if (!m[2]) out.push(m[3]);
  for (const m of src.matchAll(/^\s*import\s+'([^']+)'/gm)) out.push(m[1]);
  for (const m of src.matchAll(/import\(\s*'([^']+)'\s*\)/g)) out.push(m[1]);
  return out;
}

function allImports(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  return [...src.matchAll(/from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)|^\s*import\s+'([^']+)'/gm)].map((m) => m[1] ?? m[2] ?? m[3]);
}

describe('no ground truth inside the self-rewarding search', () => {
  it('no search file imports the checker, the oracle labeller or reference solutions (types included)', () => {
    for (const f of SEARCH_FILES) {
      const bad = allImports(resolve(PSR, f)).filter((s) => ORACLE.test(s));
      expect(bad, `${f} imports ${bad.join(', ')}`).toEqual([]);
    }
  });

  for (const entry of ['search.ts', 'step-model.ts', 'judge.ts']) it(`the import graph of ${entry} never reaches the oracle`, () => {
    const seen = new Set<string>();
    const reached: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const spec of valueImports(file)) {
        if (!spec.startsWith('.')) continue;
        const target = resolve(dirname(file), spec);
        if (ORACLE.test(target)) reached.push(`${file.slice(ROOT.length + 1)} → ${spec}`);
        else visit(target);
      }
    };
    visit(resolve(PSR, entry));
    expect(seen.size).toBeGreaterThan(3); // the walk really followed the imports
    expect(reached).toEqual([]);
  });

  it('the guard itself notices an oracle import (pair-quality.ts imports the checker)', () => {
    expect(valueImports(resolve(PSR, 'pair-quality.ts')).filter((s) => ORACLE.test(s))).toEqual(['../math/checker.ts']);
  });
});
