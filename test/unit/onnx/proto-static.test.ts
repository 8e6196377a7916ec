// The ONNX messages are static code compiled from proto/onnx-subset.proto by protobufjs-cli: the
// committed files must be what `npm run gen:onnx-proto` makes from the committed .proto, and they
// must build no code at run time (the page's Content-Security-Policy has no 'unsafe-eval').
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pkg from '../../../package.json' with { type: 'json' };

const DIR = 'src/lib/onnx/proto';

describe('static ONNX protobuf code', () => {
  it('is up to date with onnx-subset.proto (regenerate with npm run gen:onnx-proto)', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'psr-proto-'));
    try {
      const out = join(tmp, 'onnx-proto.js');
      // The package script's own arguments, with the output redirected.
      const args = pkg.scripts['gen:onnx-proto'].split(' ').slice(1);
      args[args.indexOf('-o') + 1] = out;
      execFileSync(process.execPath, ['node_modules/protobufjs-cli/bin/pbjs', ...args], { stdio: 'pipe' });
      expect(await readFile(out, 'utf8')).toBe(await readFile(join(DIR, 'onnx-proto.js'), 'utf8'));
      expect(await readFile(join(tmp, 'onnx-proto.d.ts'), 'utf8')).toBe(await readFile(join(DIR, 'onnx-proto.d.ts'), 'utf8'));
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }, 60_000);

  it('builds no functions from strings (no eval, no Function constructor)', async () => {
    const code = await readFile(join(DIR, 'onnx-proto.js'), 'utf8');
    expect(code).not.toMatch(/\beval\s*\(|\bFunction\s*\(|new Function/);
    expect(code).toContain('protobufjs/minimal.js');
  });
});
