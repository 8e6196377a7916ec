// Decode throughput for `psr bench-cpu --decode`: the tiny model's shape (random weights, vocab 198)
// with a shared prefix prefilled into row 0 and forked to every row, then one token per row per step
// through Decoder.append, on WasmBackend with the reference cached attention ("before") and with the
// WebAssembly one ("after"), side by side in one run; plus the two cache ops alone at the same shape.
import { CpuBackend } from '../lib/backend/cpu-backend.ts';
import { WasmBackend } from '../lib/backend/wasm-backend.ts';
import type { Tensor } from '../lib/backend/backend.ts';
import { tinyModelConfig } from '../lib/model/tiny.ts';
import { initWeights, type ModelWeights } from '../lib/model/weights.ts';
import { ModelParams } from '../lib/model/params.ts';
import { Decoder } from '../lib/model/decoder.ts';
import { createRng } from '../lib/math/rng.ts';
import type { ModelConfig } from '../lib/model/config.ts';
import * as ref from '../lib/ref/cached-attention.ts';
import * as wasm from '../lib/cpu/cached-attention.ts';
import { WasmArena } from '../lib/cpu/wasm-arena.ts';

const VOCAB = 198;
const ARENA_BYTES = 512 * 1024 * 1024;
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

/** WasmBackend as it was before the wasm cached attention: that op on the TypeScript reference. */
class WasmBackendRefCachedAttention extends WasmBackend {
  override cachedAttentionForward(
    out: Tensor, q: Tensor, kCache: Tensor, vCache: Tensor, keyValid: Tensor, qPos: Tensor,
    B: number, Tq: number, S: number, NH: number, NKV: number, HS: number,
  ): void {
    CpuBackend.prototype.cachedAttentionForward.call(this, out, q, kCache, vCache, keyValid, qPos, B, Tq, S, NH, NKV, HS);
  }
}

const VARIANTS = {
  wasmRefCachedAttention: () => new WasmBackendRefCachedAttention(ARENA_BYTES),
  wasm: () => new WasmBackend(ARENA_BYTES),
} as const;
type Variant = keyof typeof VARIANTS;

interface DecodeRun {
  tokensPerSec: number;
  msPerStep: { median: number; min: number };
}

async function decodeRun(variant: Variant, config: ModelConfig, weights: ModelWeights, rows: number, prefix: number[], steps: number): Promise<DecodeRun> {
  const warm = 2;
  const be = VARIANTS[variant]();
  const params = ModelParams.create(be, config, weights, null, 'none');
  const dec = new Decoder(params, rows, prefix.length + warm + steps);
  try {
    await dec.append([prefix, ...Array.from({ length: rows - 1 }, () => [])]);
    await dec.fork(0, Array.from({ length: rows }, (_, b) => b));
    const times: number[] = [];
    for (let step = 0; step < warm + steps; step++) {
      const tokens = Array.from({ length: rows }, (_, b) => [(b * 7 + step * 13 + 3) % VOCAB]);
      const t0 = performance.now();
      await dec.append(tokens);
      if (step >= warm) times.push(performance.now() - t0);
    }
    const total = times.reduce((a, b) => a + b, 0);
    const sorted = [...times].sort((a, b) => a - b);
    return {
      tokensPerSec: round((rows * steps) / (total / 1000), 1),
      msPerStep: { median: round(sorted[Math.floor(sorted.length / 2)]), min: round(sorted[0]) },
    };
  } finally {
    dec.free();
    params.free();
  }
}

/** Best milliseconds of `fn` over ≥ 3 runs and ≥ minMs. */
function bestMs(fn: () => void, minMs: number): number {
  fn();
  let best = Infinity;
  const start = performance.now();
  for (let runs = 0; runs < 3 || performance.now() - start < minMs; runs++) {
    const t = performance.now();
    fn();
    best = Math.min(best, performance.now() - t);
  }
  return round(best, 4);
}

/** One cachedAttentionForward and one kvWrite at a decode step's shape, on arena arrays. */
function opTimings(config: ModelConfig, B: number, S: number, pos: number, minMs: number) {
  const { numHeads: NH, numKvHeads: NKV, headDim: HS } = config;
  const arena = new WasmArena(B * (S * NKV * HS * 2 + 3 * NH * HS + 2 * S) * 4 + (1 << 20));
  const rnd = createRng(9);
  const rand = (n: number) => {
    const a = arena.f32(n); // filled in place: .map would return an array outside the arena
    for (let i = 0; i < n; i++) a[i] = rnd.nextFloat() * 2 - 1;
    return a;
  };
  const q = rand(B * NH * HS); // (B,1,NH,HS)
  const kc = rand(B * S * NKV * HS); // (B,S,NKV,HS)
  const vc = rand(B * S * NKV * HS); // (B,S,NKV,HS)
  const rows = rand(B * NKV * HS); // (B,1,NKV*HS) new keys
  const out = arena.f32(B * NH * HS); // (B,1,NH,HS)
  const valid = arena.u32(B * S); // (B,S)
  for (let i = 0; i < B * S; i++) valid[i] = i % S <= pos ? 1 : 0;
  const qPos = arena.i32(B).fill(pos); // (B,1)
  const k = arena.kernels;
  const refMs = bestMs(() => ref.cachedAttentionForward(out, q, kc, vc, valid, qPos, B, 1, S, NH, NKV, HS), minMs);
  const wasmMs = bestMs(() => wasm.cachedAttentionForward(out, q, kc, vc, valid, qPos, B, 1, S, NH, NKV, HS, k), minMs);
  const kvWriteMs = bestMs(() => ref.kvWrite(kc, rows, qPos, B, 1, S, NKV * HS), minMs);
  return {
    shape: { B, Tq: 1, S, NH, NKV, HS, qPos: pos },
    ms: { cachedAttentionRef: refMs, cachedAttentionWasm: wasmMs, kvWriteRef: kvWriteMs },
    speedup: round(refMs / wasmMs, 1),
  };
}

export async function benchDecode(rowsList: number[], prefixLen: number, steps: number, minMs: number) {
  const config = tinyModelConfig(VOCAB, { bos: 1, eos: 2, pad: 0 });
  const weights = initWeights(config, createRng(1).fork('init'));
  const prng = createRng(2);
  const prefix = Array.from({ length: prefixLen }, () => prng.int(3, VOCAB - 1));
  const results = [];
  for (const rows of rowsList) {
    const before = await decodeRun('wasmRefCachedAttention', config, weights, rows, prefix, steps);
    const after = await decodeRun('wasm', config, weights, rows, prefix, steps);
    results.push({
      rows,
      tokensPerSec: { wasmRefCachedAttention: before.tokensPerSec, wasm: after.tokensPerSec },
      msPerStep: { wasmRefCachedAttention: before.msPerStep, wasm: after.msPerStep },
      speedup: round(after.tokensPerSec / before.tokensPerSec, 2),
      ops: opTimings(config, rows, prefixLen + steps, prefixLen + Math.floor(steps / 2), minMs),
    });
  }
  return {
    model: {
      C: config.hiddenSize, L: config.numLayers, NH: config.numHeads, NKV: config.numKvHeads, HS: config.headDim,
      I: config.intermediateSize, V: VOCAB, weights: 'random',
    },
    prefixTokens: prefixLen,
    decodeSteps: steps,
    timing: 'tokensPerSec = rows·steps / Σ step time (2 warm-up steps excluded); per-step time is one Decoder.append of one token per row (4 layers); ops: best single call, arena arrays',
    variants: {
      wasmRefCachedAttention: 'WasmBackend with cachedAttentionForward on the TypeScript reference (before)',
      wasm: 'WasmBackend with cachedAttentionForward on src/lib/cpu/cached-attention.ts (after)',
    },
    results,
  };
}
