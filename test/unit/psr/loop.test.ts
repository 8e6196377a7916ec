// One full self-rewarding iteration end to end on a micro model (WasmBackend): search with
// self-judging → pairs → step-DPO → evaluation, for PSR and for the SRLM baseline, with the
// stages in order and the trained adapter handed to the caller.
import { describe, expect, it } from 'vitest';
import { WasmBackend } from '../../../src/lib/backend/wasm-backend.ts';
import { runIterations, type LoopEvent } from '../../../src/lib/psr/loop.ts';
import { searchSettings } from '../../../src/lib/psr/search-config.ts';
import { DEFAULT_SRLM_SETTINGS } from '../../../src/lib/psr/srlm.ts';
import { DEFAULT_STEP_DPO } from '../../../src/lib/train/step-dpo.ts';
import { microLoop } from '../../util/micro-loop.ts';

describe('runIterations on a micro model', () => {
  for (const method of ['psr', 'srlm'] as const) {
    it(`runs one ${method} iteration: stages in order, report filled, adapter saved`, async () => {
      const { ctx, adapter, pools } = microLoop(new WasmBackend(256 * 1024 * 1024));
      const events: LoopEvent[] = [];
      const saved: number[] = [];
      const { reports, start } = await runIterations(
        ctx,
        adapter,
        {
          method, pools,
          search: searchSettings({ w: 3, maxSteps: 2, temperature: 1 }),
          srlm: { ...DEFAULT_SRLM_SETTINGS, n: 3, temperature: 1, maxTokens: 24 },
          dpo: { ...DEFAULT_STEP_DPO, epochs: 1 },
          seed: 1,
        },
        { onEvent: (e) => events.push(e), onIteration: (r) => void saved.push(r.iteration) },
      );
      expect(start?.solve.problems).toBe(2);
      expect(reports).toHaveLength(1);
      const r = reports[0];
      expect(r.error).toBeNull();
      expect(r.poolSize).toBe(2);
      expect(r.evaluation?.judge.pairs).toBe(2);
      if (method === 'psr') expect(r.pairs).toBeGreaterThan(0); // random candidates at temperature 1 differ
      if (r.pairs > 0) expect(r.dpo?.steps).toBeGreaterThan(0);
      expect(saved).toEqual([1]);
      const stages = events.filter((e) => e.type === 'stage').map((e) => (e as { stage: string }).stage);
      expect(stages[0]).toBe('evaluate');
      expect(stages).toContain('search');
      expect(stages.at(-1)).toBe('done');
      expect(events.some((e) => e.type === (method === 'psr' ? 'search' : 'srlm'))).toBe(true);
    });
  }
});
