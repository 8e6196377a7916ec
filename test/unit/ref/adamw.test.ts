// Optimiser reference: AdamW against a hand-computed two-step PyTorch-semantics example,
// global-norm clipping, and the warmup + cosine learning-rate schedule.
import { describe, expect, it } from 'vitest';
import { adamwStep, clipGradNorm } from '../../../src/lib/ref/adamw.ts';
import { lrSchedule } from '../../../src/lib/train/schedule.ts';
import { ShapeError } from '../../../src/lib/errors.ts';
import { expectClose } from '../../util/compare.ts';

describe('AdamW reference', () => {
  it('matches a hand-computed two-step example (decay first, then bias-corrected Adam)', () => {
    // lr 0.1, β1 0.9, β2 0.999, eps 1e-8; grads 0.5 then −0.25.
    // step 1: m = 0.05, v = 0.00025, m̂ = 0.5, v̂ = 0.25 → Adam term 0.1·0.5/(0.5+1e-8) = 0.099999998
    // step 2: m = 0.02, v = 0.00031225, m̂ = 0.02/0.19, v̂ = 0.00031225/0.001999 → Adam term 0.0266337033
    // param 0 has wd 0.01: 1 → 1·0.999 − 0.099999998 = 0.899000002 → 0.899000002·0.999 − 0.0266337033 = 0.8714672987
    // param 1 has wd 0:  −2 → −2.099999998 → −2.1266337013
    const hyper = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
    const p = [new Float32Array([1]), new Float32Array([-2])];
    const m = [new Float32Array(1), new Float32Array(1)];
    const v = [new Float32Array(1), new Float32Array(1)];
    const wd = [0.01, 0];
    for (const [t, g] of [[1, 0.5], [2, -0.25]] as const) {
      for (let i = 0; i < 2; i++) adamwStep(p[i], new Float32Array([g]), m[i], v[i], { ...hyper, weightDecay: wd[i] }, t);
      if (t === 1) {
        expectClose([p[0][0], p[1][0]], [0.899000002, -2.099999998], { atol: 1e-6, rtol: 0, label: 'step 1' });
        expectClose([m[0][0], v[0][0]], [0.05, 0.00025], { atol: 1e-9, rtol: 1e-6, label: 'moments 1' });
      }
    }
    expectClose([p[0][0], p[1][0]], [0.8714672987, -2.1266337013], { atol: 1e-6, rtol: 0, label: 'step 2' });
    expectClose([m[0][0], v[0][0]], [0.02, 0.00031225], { atol: 1e-9, rtol: 1e-6, label: 'moments 2' });
  });

  it('rejects step 0 and mismatched state lengths', () => {
    const h = { lr: 1e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0 };
    const a = new Float32Array(3);
    expect(() => adamwStep(a, a.slice(), a.slice(), a.slice(), h, 0)).toThrow(ShapeError);
    expect(() => adamwStep(a, a.slice(), new Float32Array(2), a.slice(), h, 1)).toThrow(/m has length 2, expected 3/);
  });
});

describe('clipGradNorm reference', () => {
  it('scales all grads by maxNorm/(‖g‖+1e-6) when above, leaves them otherwise, returns the norm', () => {
    const g = [new Float32Array([3]), new Float32Array([0, 4])];
    expect(clipGradNorm(g, 10)).toBeCloseTo(5, 6);
    expectClose([g[0][0], g[1][1]], [3, 4], { atol: 0, rtol: 0, label: 'unclipped' });
    expect(clipGradNorm(g, 1)).toBeCloseTo(5, 6);
    const c = 1 / (5 + 1e-6);
    expectClose([g[0][0], g[1][0], g[1][1]], [3 * c, 0, 4 * c], { atol: 1e-7, rtol: 0, label: 'clipped' });
  });
});

describe('lrSchedule reference', () => {
  const cfg = { maxLr: 1e-3, minLr: 1e-4, warmupSteps: 4, totalSteps: 14 };
  it('warms up linearly, then decays by a cosine to minLr', () => {
    expectClose([0, 1, 2, 3].map((s) => lrSchedule(s, cfg)), [2.5e-4, 5e-4, 7.5e-4, 1e-3], { atol: 1e-12, rtol: 1e-9, label: 'warmup' });
    expect(lrSchedule(4, cfg)).toBeCloseTo(1e-3, 12);
    expect(lrSchedule(9, cfg)).toBeCloseTo(5.5e-4, 12); // halfway: (max+min)/2
    expect(lrSchedule(14, cfg)).toBe(1e-4);
    expect(lrSchedule(100, cfg)).toBe(1e-4);
    for (let s = 4; s < 14; s++) expect(lrSchedule(s + 1, cfg)).toBeLessThan(lrSchedule(s, cfg));
  });

  it('handles no warmup and rejects warmup longer than the run', () => {
    expect(lrSchedule(0, { ...cfg, warmupSteps: 0 })).toBe(1e-3);
    expect(() => lrSchedule(0, { ...cfg, warmupSteps: 20 })).toThrow(/need 0 ≤ warmupSteps ≤ totalSteps/);
  });
});
