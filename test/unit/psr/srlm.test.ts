// The outcome-level baseline's self-scoring: each whole solution gets the expected rubric digit
// Σ k·P(k | prompt) over 0..5, from the logits after `<score>` — checked against one prompt
// prefilled alone — so scores are real numbers in [0, 5] and near-equal solutions rarely tie.
import { describe, expect, it } from 'vitest';
import { WasmBackend } from '../../../src/lib/backend/wasm-backend.ts';
import { ModelParams } from '../../../src/lib/model/params.ts';
import { Decoder } from '../../../src/lib/model/decoder.ts';
import { formatSolutionScorePrompt } from '../../../src/lib/math/formats.ts';
import { scoreSolutions } from '../../../src/lib/psr/srlm.ts';
import { microLoop } from '../../util/micro-loop.ts';

const { ctx, adapter, pools } = microLoop(new WasmBackend(64 * 1024 * 1024));
const params = ModelParams.create(ctx.backend, ctx.config, ctx.base, adapter, 'none');
const tok = ctx.tok;
const p = pools[0][0];

describe('SRLM self-scoring', () => {
  it('scores each solution with its expected rubric digit', async () => {
    const solutions = [p.steps, ['Step 1: 2 + 2 = 4 apples.'], ['Step 1: 1 + 1 = 2 apples. The answer is 2.']];
    const scores = await scoreSolutions(params, tok, p.question, solutions);
    for (const [i, steps] of solutions.entries()) {
      const prompt = Array.from(tok.encode(formatSolutionScorePrompt(p.question, steps), { strict: false }).ids);
      const dec = new Decoder(params, 1, prompt.length);
      const logits = await dec.prefill([prompt]);
      dec.free();
      const l = [0, 1, 2, 3, 4, 5].map((d) => logits[tok.id(String(d))]);
      const z = l.map((x) => Math.exp(x - Math.max(...l)));
      const expected = z.reduce((a, x, k) => a + k * x, 0) / z.reduce((a, x) => a + x, 0);
      expect(scores[i]).toBeCloseTo(expected, 4);
      expect(scores[i]).toBeGreaterThanOrEqual(0);
      expect(scores[i]).toBeLessThanOrEqual(5);
    }
    expect(new Set(scores).size).toBe(3);
  });
});
