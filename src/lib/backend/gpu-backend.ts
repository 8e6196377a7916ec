// GpuBackend: the Backend interface on WebGPU storage buffers, dispatching the WGSL kernels in
// src/lib/kernels. Ops only record commands; work is submitted on flush() or when a caller reads
// a tensor back, so a whole training step is recorded without readbacks.
import type { GpuContext } from '../gpu/context.ts';
import { STORAGE_RW } from '../gpu/buffers.ts';
import type { AdamWHyper, Backend, QTensor, Tensor } from './backend.ts';
import type { QuantFormat, QuantizedMatrix } from '../formats/quant.ts';
import * as matmulQuant from '../kernels/matmul-quant.ts';
import { InvalidInputError, ShapeError } from '../errors.ts';
import * as embedding from '../kernels/embedding.ts';
import * as rmsnorm from '../kernels/rmsnorm.ts';
import * as matmul from '../kernels/matmul.ts';
import * as rope from '../kernels/rope.ts';
import * as attention from '../kernels/attention.ts';
import * as swiglu from '../kernels/swiglu.ts';
import * as residual from '../kernels/residual.ts';
import * as crossentropy from '../kernels/crossentropy.ts';
import * as adamw from '../kernels/adamw.ts';
import * as cached from '../kernels/cached-attention.ts';

export class GpuTensor implements Tensor {
  constructor(
    readonly buffer: GPUBuffer,
    readonly length: number,
    readonly dtype: Tensor['dtype'],
    readonly label: string,
  ) {}
}

/** A quantized weight on the GPU: one buffer of packed words (data, then scales from word scaleOffset). */
export class GpuQTensor extends GpuTensor implements QTensor {
  constructor(readonly weight: matmulQuant.GpuQuantWeight, label: string) {
    super(weight.buffer, weight.words, 'u32', label);
  }
  get format(): QuantFormat {
    return this.weight.format;
  }
  get OC(): number {
    return this.weight.OC;
  }
  get C(): number {
    return this.weight.C;
  }
}

function qw(t: QTensor): matmulQuant.GpuQuantWeight {
  if (!(t instanceof GpuQTensor)) {
    throw new InvalidInputError(`GpuBackend: ${t.label} is not a GPU quantized weight; create it with this backend's uploadQuantized().`);
  }
  return t.weight;
}

function b(t: Tensor): GPUBuffer {
  if (!(t instanceof GpuTensor)) throw new InvalidInputError(`GpuBackend: tensor ${t.label} was not made by a GPU backend; create it with this backend.`);
  return t.buffer;
}

function bOrNull(t: Tensor | null): GPUBuffer | null {
  return t === null ? null : b(t);
}

export class GpuBackend implements Backend {
  readonly kind = 'webgpu' as const;
  private pendingDestroy: GPUBuffer[] = [];
  private normBuf: GpuTensor | null = null;

  constructor(readonly ctx: GpuContext) {}

  private make(bytes: ArrayBufferView | null, length: number, dtype: Tensor['dtype'], label: string): GpuTensor {
    if (bytes) return new GpuTensor(this.ctx.upload(bytes, label), length, dtype, label);
    const buffer = this.ctx.device.createBuffer({
      label,
      size: Math.max(16, Math.ceil((length * 4) / 16) * 16),
      usage: STORAGE_RW,
    });
    return new GpuTensor(buffer, length, dtype, label);
  }

  zeros(length: number, label: string): Tensor {
    return this.make(null, length, 'f32', label); // WebGPU buffers start zeroed
  }

  fromF32(data: Float32Array, label: string): Tensor {
    return this.make(data, data.length, 'f32', label);
  }

  fromInts(data: Int32Array | Uint32Array, label: string, dtype: 'i32' | 'u32' = data instanceof Uint32Array ? 'u32' : 'i32'): Tensor {
    return this.make(data, data.length, dtype, label);
  }

  write(t: Tensor, data: Float32Array): void {
    if (t.length !== data.length) {
      throw new ShapeError(`write ${t.label}: tensor holds ${t.length} values, data has ${data.length}; pass data of the tensor's length.`);
    }
    // queue.writeBuffer runs before commands still sitting in the encoder: submit those first.
    this.flush();
    this.ctx.device.queue.writeBuffer(b(t), 0, data.buffer, data.byteOffset, data.byteLength);
  }

  async read(t: Tensor): Promise<Float32Array> {
    this.flush();
    const raw = await this.ctx.read(b(t), t.length * 4);
    return t.dtype === 'f32' ? new Float32Array(raw) : Float32Array.from(t.dtype === 'i32' ? new Int32Array(raw) : new Uint32Array(raw));
  }

  zero(t: Tensor): void {
    this.ctx.clear(b(t), Math.ceil((t.length * 4) / 4) * 4);
  }

  copy(dst: Tensor, src: Tensor, n = src.length, srcOffset = 0, dstOffset = 0): void {
    this.ctx.copy(b(src), b(dst), n * 4, srcOffset * 4, dstOffset * 4);
  }

  free(t: Tensor): void {
    // Commands recorded but not yet submitted may still use the buffer: destroy after the next submit.
    this.pendingDestroy.push(b(t));
  }

  flush(): void {
    this.ctx.flush();
    for (const buf of this.pendingDestroy) buf.destroy();
    this.pendingDestroy = [];
  }

  axpy(y: Tensor, x: Tensor, alpha: number, n: number): Promise<void> {
    return residual.addInPlace(this.ctx, b(y), b(x), n, alpha);
  }

  embeddingForward(out: Tensor, tokens: Tensor, wte: Tensor, N: number, C: number, V: number): Promise<void> {
    return embedding.embeddingForward(this.ctx, b(out), b(tokens), b(wte), N, C, V);
  }
  embeddingBackward(dwte: Tensor, dout: Tensor, tokens: Tensor, N: number, C: number, V: number): Promise<void> {
    return embedding.embeddingBackward(this.ctx, b(dwte), b(dout), b(tokens), N, C, V);
  }
  rmsnormForward(out: Tensor, rstd: Tensor, inp: Tensor, weight: Tensor, N: number, C: number, eps: number): Promise<void> {
    return rmsnorm.rmsnormForward(this.ctx, b(out), b(rstd), b(inp), b(weight), N, C, eps);
  }
  rmsnormBackward(
    dinp: Tensor | null, dweight: Tensor | null, dout: Tensor, inp: Tensor, weight: Tensor, rstd: Tensor, N: number, C: number,
  ): Promise<void> {
    return rmsnorm.rmsnormBackward(this.ctx, bOrNull(dinp), bOrNull(dweight), b(dout), b(inp), b(weight), b(rstd), N, C);
  }
  matmulForward(out: Tensor, inp: Tensor, weight: Tensor, bias: Tensor | null, N: number, C: number, OC: number): Promise<void> {
    return matmul.matmulForward(this.ctx, b(out), b(inp), b(weight), bOrNull(bias), N, C, OC);
  }
  matmulBackward(
    dinp: Tensor | null, dweight: Tensor | null, dbias: Tensor | null,
    dout: Tensor, inp: Tensor, weight: Tensor, N: number, C: number, OC: number,
  ): Promise<void> {
    return matmul.matmulBackward(this.ctx, bOrNull(dinp), bOrNull(dweight), bOrNull(dbias), b(dout), b(inp), b(weight), N, C, OC);
  }
  ropeForward(out: Tensor, inp: Tensor, positions: Tensor, N: number, NH: number, HS: number, theta: number): Promise<void> {
    return rope.ropeForward(this.ctx, b(out), b(inp), b(positions), N, NH, HS, theta);
  }
  ropeBackward(dinp: Tensor, dout: Tensor, positions: Tensor, N: number, NH: number, HS: number, theta: number): Promise<void> {
    return rope.ropeBackward(this.ctx, b(dinp), b(dout), b(positions), N, NH, HS, theta);
  }
  attentionForward(
    out: Tensor, att: Tensor, q: Tensor, k: Tensor, v: Tensor, keyValid: Tensor,
    B: number, T: number, NH: number, NKV: number, HS: number,
  ): Promise<void> {
    return attention.attentionForward(this.ctx, b(out), b(att), b(q), b(k), b(v), b(keyValid), B, T, NH, NKV, HS);
  }
  attentionBackward(
    dq: Tensor, dk: Tensor, dv: Tensor, dout: Tensor, q: Tensor, k: Tensor, v: Tensor, att: Tensor,
    B: number, T: number, NH: number, NKV: number, HS: number,
  ): Promise<void> {
    return attention.attentionBackward(this.ctx, b(dq), b(dk), b(dv), b(dout), b(q), b(k), b(v), b(att), B, T, NH, NKV, HS);
  }
  cachedAttentionForward(
    out: Tensor, q: Tensor, kCache: Tensor, vCache: Tensor, keyValid: Tensor, qPos: Tensor,
    B: number, Tq: number, S: number, NH: number, NKV: number, HS: number,
  ): Promise<void> {
    return cached.cachedAttentionForward(this.ctx, b(out), b(q), b(kCache), b(vCache), b(keyValid), b(qPos), B, Tq, S, NH, NKV, HS);
  }
  kvWrite(cache: Tensor, rows: Tensor, writePos: Tensor, B: number, Tq: number, S: number, D: number): Promise<void> {
    return cached.kvWrite(this.ctx, b(cache), b(rows), b(writePos), B, Tq, S, D);
  }
  swigluForward(out: Tensor, gate: Tensor, up: Tensor, N: number, I: number): Promise<void> {
    return swiglu.swigluForward(this.ctx, b(out), b(gate), b(up), N, I);
  }
  swigluBackward(dgate: Tensor, dup: Tensor, dout: Tensor, gate: Tensor, up: Tensor, N: number, I: number): Promise<void> {
    return swiglu.swigluBackward(this.ctx, b(dgate), b(dup), b(dout), b(gate), b(up), N, I);
  }
  residualForward(out: Tensor, a: Tensor, c: Tensor, n: number): Promise<void> {
    return residual.residualForward(this.ctx, b(out), b(a), b(c), n);
  }
  crossEntropyForward(
    losses: Tensor, logsumexp: Tensor, logits: Tensor, targets: Tensor, weights: Tensor | null, N: number, V: number,
  ): Promise<void> {
    return crossentropy.crossEntropyForward(this.ctx, b(losses), b(logsumexp), b(logits), b(targets), bOrNull(weights), N, V);
  }
  crossEntropyBackward(
    dlogits: Tensor, logits: Tensor, logsumexp: Tensor, targets: Tensor, weights: Tensor | null, N: number, V: number,
    dloss: number,
  ): Promise<void> {
    return crossentropy.crossEntropyBackward(this.ctx, b(dlogits), b(logits), b(logsumexp), b(targets), bOrNull(weights), N, V, dloss);
  }
  seqLogprobForward(
    seqLogp: Tensor, logsumexp: Tensor, logits: Tensor, targets: Tensor, spanMask: Tensor, B: number, T: number, V: number,
  ): Promise<void> {
    return crossentropy.seqLogprobForward(this.ctx, b(seqLogp), b(logsumexp), b(logits), b(targets), b(spanMask), B, T, V);
  }
  seqLogprobBackward(
    dlogits: Tensor, dseqLogp: Tensor, logits: Tensor, logsumexp: Tensor, targets: Tensor, spanMask: Tensor,
    B: number, T: number, V: number,
  ): Promise<void> {
    return crossentropy.seqLogprobBackward(this.ctx, b(dlogits), b(dseqLogp), b(logits), b(logsumexp), b(targets), b(spanMask), B, T, V);
  }
  adamwStep(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, hyper: AdamWHyper, t: number): Promise<void> {
    return adamw.adamwStep(this.ctx, b(param), b(grad), b(m), b(v), param.length, hyper, t);
  }
  /** The norm stays on the GPU for the clip; reading it back (8 bytes) is what the caller asked for. */
  async clipGradNorm(grads: Tensor[], maxNorm: number): Promise<number> {
    this.normBuf ??= this.zeros(2, 'grad-norm') as GpuTensor;
    await adamw.clipGradNorm(this.ctx, grads.map((g) => ({ buffer: b(g), length: g.length })), maxNorm, this.normBuf.buffer);
    return (await this.read(this.normBuf))[0];
  }

  // ---- quantized frozen weights (src/lib/kernels/matmul-quant.ts) ----
  uploadQuantized(q: QuantizedMatrix, label: string): QTensor {
    return new GpuQTensor(matmulQuant.uploadQuantized(this.ctx, q, label), label);
  }
  matmulQuantForward(out: Tensor, inp: Tensor, w: QTensor, bias: Tensor | null, N: number, C: number, OC: number): Promise<void> {
    return matmulQuant.matmulQuantForward(this.ctx, b(out), b(inp), qw(w), bOrNull(bias), N, C, OC);
  }
  matmulQuantBackwardInput(dinp: Tensor, dout: Tensor, w: QTensor, N: number, C: number, OC: number): Promise<void> {
    return matmulQuant.matmulQuantBackwardInput(this.ctx, b(dinp), b(dout), qw(w), N, C, OC);
  }
}
