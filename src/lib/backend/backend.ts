// Backend: the tensor operations a model needs, behind one interface with two implementations —
// CpuBackend (src/lib/ref, TypeScript) and GpuBackend (src/lib/kernels, WGSL). The transformer,
// losses and optimizer are written once against this interface.
// Op arguments mirror src/lib/ref/README.md (outputs first, then inputs, then sizes); backward
// ops accumulate (+=) into gradients. Ops may return a promise (GPU pipeline lookup): await them.
import type { QuantFormat, QuantizedMatrix } from '../formats/quant.ts';
import type { AdamWHyper } from '../ref/adamw.ts';

/** A backend-owned array of `length` 4-byte values (f32 data, or i32 tokens / u32 masks). */
export interface Tensor {
  readonly length: number;
  readonly dtype: 'f32' | 'i32' | 'u32';
  readonly label: string;
}

export type Awaitable = void | Promise<void>;

/** AdamW hyper-parameters of one parameter group: the ops' own type (src/lib/ref/adamw.ts). */
export type { AdamWHyper };

export interface Backend {
  /** Which implementation this is (the names of backend/choice.ts). */
  readonly kind: 'webgpu' | 'wasm' | 'cpu';

  // ---- memory ---------------------------------------------------------------------------------
  /** A zero-filled f32 tensor. */
  zeros(length: number, label: string): Tensor;
  fromF32(data: Float32Array, label: string): Tensor;
  /** Tokens, targets, positions (i32) or masks (u32 0/1). */
  fromInts(data: Int32Array | Uint32Array, label: string, dtype?: 'i32' | 'u32'): Tensor;
  /** Overwrite an f32 tensor's contents (length must match). */
  write(t: Tensor, data: Float32Array): void;
  /** Copy the tensor to the CPU (on WebGPU: submits pending work and waits). */
  read(t: Tensor): Promise<Float32Array>;
  zero(t: Tensor): Awaitable;
  /** dst[dstOffset .. dstOffset+n) = src[srcOffset .. srcOffset+n) (offsets in elements). */
  copy(dst: Tensor, src: Tensor, n?: number, srcOffset?: number, dstOffset?: number): Awaitable;
  free(t: Tensor): void;
  /** Submit recorded work without waiting (no-op on CPU). */
  flush(): void;

  // ---- elementwise helpers --------------------------------------------------------------------
  /** y += alpha·x over n elements. */
  axpy(y: Tensor, x: Tensor, alpha: number, n: number): Awaitable;

  // ---- model ops (see src/lib/ref/README.md for shapes and semantics) ------------------------
  embeddingForward(out: Tensor, tokens: Tensor, wte: Tensor, N: number, C: number, V: number): Awaitable;
  embeddingBackward(dwte: Tensor, dout: Tensor, tokens: Tensor, N: number, C: number, V: number): Awaitable;
  rmsnormForward(out: Tensor, rstd: Tensor, inp: Tensor, weight: Tensor, N: number, C: number, eps: number): Awaitable;
  rmsnormBackward(
    dinp: Tensor | null, dweight: Tensor | null, dout: Tensor, inp: Tensor, weight: Tensor, rstd: Tensor, N: number, C: number,
  ): Awaitable;
  matmulForward(out: Tensor, inp: Tensor, weight: Tensor, bias: Tensor | null, N: number, C: number, OC: number): Awaitable;
  matmulBackward(
    dinp: Tensor | null, dweight: Tensor | null, dbias: Tensor | null,
    dout: Tensor, inp: Tensor, weight: Tensor, N: number, C: number, OC: number,
  ): Awaitable;
  ropeForward(out: Tensor, inp: Tensor, positions: Tensor, N: number, NH: number, HS: number, theta: number): Awaitable;
  ropeBackward(dinp: Tensor, dout: Tensor, positions: Tensor, N: number, NH: number, HS: number, theta: number): Awaitable;
  attentionForward(
    out: Tensor, att: Tensor, q: Tensor, k: Tensor, v: Tensor, keyValid: Tensor,
    B: number, T: number, NH: number, NKV: number, HS: number,
  ): Awaitable;
  attentionBackward(
    dq: Tensor, dk: Tensor, dv: Tensor, dout: Tensor, q: Tensor, k: Tensor, v: Tensor, att: Tensor,
    B: number, T: number, NH: number, NKV: number, HS: number,
  ): Awaitable;
  /** Incremental decoding: new queries (B,Tq) over a KV cache of S slots (see ref/cached-attention.ts). */
  cachedAttentionForward(
    out: Tensor, q: Tensor, kCache: Tensor, vCache: Tensor, keyValid: Tensor, qPos: Tensor,
    B: number, Tq: number, S: number, NH: number, NKV: number, HS: number,
  ): Awaitable;
  /** cache(B,S,D)[b, writePos[b,t]] = rows(B,Tq,D)[b,t]; writePos −1 skips. */
  kvWrite(cache: Tensor, rows: Tensor, writePos: Tensor, B: number, Tq: number, S: number, D: number): Awaitable;
  swigluForward(out: Tensor, gate: Tensor, up: Tensor, N: number, I: number): Awaitable;
  swigluBackward(dgate: Tensor, dup: Tensor, dout: Tensor, gate: Tensor, up: Tensor, N: number, I: number): Awaitable;
  residualForward(out: Tensor, a: Tensor, b: Tensor, n: number): Awaitable;
  /** losses(N), logsumexp(N); the scalar loss is Σlosses/Σweights (read `losses` to get it). */
  crossEntropyForward(
    losses: Tensor, logsumexp: Tensor, logits: Tensor, targets: Tensor, weights: Tensor | null, N: number, V: number,
  ): Awaitable;
  crossEntropyBackward(
    dlogits: Tensor, logits: Tensor, logsumexp: Tensor, targets: Tensor, weights: Tensor | null, N: number, V: number,
    dloss: number,
  ): Awaitable;
  seqLogprobForward(
    seqLogp: Tensor, logsumexp: Tensor, logits: Tensor, targets: Tensor, spanMask: Tensor, B: number, T: number, V: number,
  ): Awaitable;
  seqLogprobBackward(
    dlogits: Tensor, dseqLogp: Tensor, logits: Tensor, logsumexp: Tensor, targets: Tensor, spanMask: Tensor,
    B: number, T: number, V: number,
  ): Awaitable;
  /** In place: param, m, v updated from grad; t is the 1-based step. */
  adamwStep(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, hyper: AdamWHyper, t: number): Awaitable;
  /** Scale every grad by min(1, maxNorm/(‖g‖+1e-6)); resolves to the pre-clip global norm (one readback). */
  clipGradNorm(grads: Tensor[], maxNorm: number): Promise<number>;

  // ---- quantized frozen weights (src/lib/formats/quant.ts; QLoRA-style: LoRA, norms stay f32) ----
  /** Keep a quantized (or f32) linear weight W (OC,C) on the backend, packed as packQuantized() lays it out. */
  uploadQuantized(q: QuantizedMatrix, label: string): QTensor;
  /** out(N,OC) = inp(N,C)·Wᵀ + bias, W decoded on the fly; out is overwritten (see ref/matmul-quant.ts). */
  matmulQuantForward(out: Tensor, inp: Tensor, w: QTensor, bias: Tensor | null, N: number, C: number, OC: number): Awaitable;
  /** dinp(N,C) += dout(N,OC)·W; the base weight is frozen, so there is no dW. */
  matmulQuantBackwardInput(dinp: Tensor, dout: Tensor, w: QTensor, N: number, C: number, OC: number): Awaitable;
}

/**
 * A quantized frozen weight on a backend. `length` / `dtype` ('u32') describe its packed storage words
 * (data then scales, see packQuantized); `format`, `OC`, `C` describe the matrix. Free it with free().
 */
export interface QTensor extends Tensor {
  readonly format: QuantFormat;
  readonly OC: number;
  readonly C: number;
}
