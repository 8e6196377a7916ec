// One full self-rewarding iteration end to end on a micro model (WasmBackend): search with
// self-judging → pairs → step-DPO → evaluation, for PSR and for the SRLM baseline, with the
// stages in order, pairs made by both methods on a fixed seed, and the trained (changed) adapter
// handed to the caller.
import { describe, expect, it } from 'vitest';
import { WasmBackend } from '../../../src/lib/backend/wasm-backend.ts';
import { GREEDY_AUDIT_PAIRS, runIterations, type LoopEvent } from '../../../src/lib/psr/loop.ts';
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
      let trained: typeof adapter | null = null;
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
        {
          onEvent: (e) => events.push(e),
          onIteration: (r, a) => {
            saved.push(r.iteration);
            trained = a;
          },
        },
      );
      expect(start?.solve.problems).toBe(2);
      expect(reports).toHaveLength(1);
      const r = reports[0];
      expect(r.error).toBeNull();
      expect(r.poolSize).toBe(2);
      expect(r.evaluation?.judge.pairs).toBe(2);
      // Seed 1 on this micro model: random candidates (PSR) and whole solutions (SRLM, scored by the
      // expected rubric digit) at temperature 1 differ, so both methods make pairs and train on them.
      expect(r.pairs).toBeGreaterThan(0);
      expect(r.dpo?.steps).toBe(Math.ceil(r.pairs / DEFAULT_STEP_DPO.pairsPerBatch));
      expect(r.pairQuality).not.toBeNull();
      // The step-wise method audits its trained prefixes against M_t's greedy step; SRLM's pairs are whole solutions.
      if (method === 'psr') {
        expect(r.greedyAudit?.pairs).toBe(Math.min(r.trainedPairs, GREEDY_AUDIT_PAIRS));
        expect(r.greedyAudit!.advantage.value).toBeCloseTo(r.greedyAudit!.chosenValid.value! - r.greedyAudit!.greedyValid.value!, 12);
      } else {
        expect(r.greedyAudit).toBeNull();
      }
      const moved = trained!.layers[0].q_proj!.b.some((x, i) => x !== adapter.layers[0].q_proj!.b[i]);
      expect(moved, 'step-DPO changed the LoRA weights').toBe(true);
      expect(saved).toEqual([1]);
      const stages = events.filter((e) => e.type === 'stage').map((e) => (e as { stage: string }).stage);
      expect(stages[0]).toBe('evaluate');
      expect(stages).toContain('search');
      expect(stages.at(-1)).toBe('done');
      expect(events.some((e) => e.type === (method === 'psr' ? 'search' : 'srlm'))).toBe(true);
    });
  }
});
