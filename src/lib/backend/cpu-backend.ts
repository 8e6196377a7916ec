// CpuBackend: the Backend interface on plain typed arrays, calling the CPU reference ops in
// src/lib/ref. Used by the Node CLI and tests, and as the truth the WebGPU backend is checked against.
import * as ref from '../ref/index.ts';
import type { AdamWHyper, Backend, QTensor, Tensor } from './backend.ts';
import { InvalidInputError, ShapeError } from '../errors.ts';
import { matmulQuantBackwardInput, matmulQuantForward } from '../ref/matmul-quant.ts';
import { packQuantized, unpackQuantized } from '../formats/quant.ts';
import type { PackedQuantized, QuantFormat, QuantizedMatrix } from '../formats/quant.ts';

export class CpuTensor implements Tensor {
  constructor(
    readonly data: Float32Array | Int32Array | Uint32Array,
    readonly dtype: Tensor['dtype'],
    readonly label: string,
  ) {}
  get length(): number {
    return this.data.length;
  }
}

export function f(t: Tensor): Float32Array {
  if (!(t instanceof CpuTensor) || t.dtype !== 'f32') {
    throw new InvalidInputError(`CpuBackend: tensor ${t.label} is not a CPU f32 tensor; create it with this backend.`);
  }
  return t.data as Float32Array;
}

export function fOrNull(t: Tensor | null): Float32Array | null {
  return t === null ? null : f(t);
}

export function ints(t: Tensor): Int32Array | Uint32Array {
  if (!(t instanceof CpuTensor) || t.dtype === 'f32') {
    throw new InvalidInputError(`CpuBackend: tensor ${t.label} is not a CPU integer tensor; create it with fromInts().`);
  }
  return t.data as Int32Array | Uint32Array;
}

export function mask(t: Tensor): Uint32Array {
  const a = ints(t);
  if (!(a instanceof Uint32Array)) {
    throw new InvalidInputError(`CpuBackend: mask ${t.label} must be u32; create it with fromInts(data, label, 'u32').`);
  }
  return a;
}

/**
 * A quantized weight on the CPU: `data` holds the packed words (see packQuantized), `q` views them as a
 * QuantizedMatrix without copying. The words come from the backend's own fromInts(), so subclasses that
 * allocate elsewhere (WasmBackend's arena) own and free them like any other tensor.
 */
export class CpuQTensor extends CpuTensor implements QTensor {
  readonly format: QuantFormat;
  readonly OC: number;
  readonly C: number;
  readonly q: QuantizedMatrix;
  constructor(words: Uint32Array, layout: Omit<PackedQuantized, 'words'>, label: string) {
    super(words, 'u32', label);
    this.format = layout.format;
    this.OC = layout.OC;
    this.C = layout.C;
    this.q = unpackQuantized({ ...layout, words });
  }
}

function qt(t: QTensor): QuantizedMatrix {
  if (!(t instanceof CpuQTensor)) {
    throw new InvalidInputError(`CpuBackend: ${t.label} is not a CPU quantized weight; create it with this backend's uploadQuantized().`);
  }
  return t.q;
}

export class CpuBackend implements Backend {
  readonly kind: 'cpu' | 'wasm' = 'cpu';

  zeros(length: number, label: string): Tensor {
    return new CpuTensor(new Float32Array(length), 'f32', label);
  }

  fromF32(data: Float32Array, label: string): Tensor {
    return new CpuTensor(Float32Array.from(data), 'f32', label);
  }

  fromInts(data: Int32Array | Uint32Array, label: string, dtype: 'i32' | 'u32' = data instanceof Uint32Array ? 'u32' : 'i32'): Tensor {
    return new CpuTensor(dtype === 'u32' ? Uint32Array.from(data) : Int32Array.from(data), dtype, label);
  }

  write(t: Tensor, data: Float32Array): void {
    const a = f(t);
    if (a.length !== data.length) {
      throw new ShapeError(`write ${t.label}: tensor holds ${a.length} values, data has ${data.length}; pass data of the tensor's length.`);
    }
    a.set(data);
  }

  async read(t: Tensor): Promise<Float32Array> {
    return Float32Array.from((t as CpuTensor).data);
  }

  zero(t: Tensor): void {
    (t as CpuTensor).data.fill(0);
  }

  copy(dst: Tensor, src: Tensor, n = src.length, srcOffset = 0, dstOffset = 0): void {
    const d = (dst as CpuTensor).data;
    const s = (src as CpuTensor).data;
    if (d.constructor !== s.constructor) throw new InvalidInputError(`copy ${src.label} → ${dst.label}: dtypes differ.`);
    (d as Float32Array).set((s as Float32Array).subarray(srcOffset, srcOffset + n), dstOffset);
  }

  free(_t: Tensor): void {}

  flush(): void {}

  axpy(y: Tensor, x: Tensor, alpha: number, n: number): void {
    const ya = f(y);
    const xa = f(x);
    for (let i = 0; i < n; i++) ya[i] += alpha * xa[i];
  }

  embeddingForward(out: Tensor, tokens: Tensor, wte: Tensor, N: number, C: number, V: number): void {
    ref.embeddingForward(f(out), ints(tokens), f(wte), N, C, V);
  }
  embeddingBackward(dwte: Tensor, dout: Tensor, tokens: Tensor, N: number, C: number, V: number): void {
    ref.embeddingBackward(f(dwte), f(dout), ints(tokens), N, C, V);
  }
  rmsnormForward(out: Tensor, rstd: Tensor, inp: Tensor, weight: Tensor, N: number, C: number, eps: number): void {
    ref.rmsnormForward(f(out), f(rstd), f(inp), f(weight), N, C, eps);
  }
  rmsnormBackward(
    dinp: Tensor | null, dweight: Tensor | null, dout: Tensor, inp: Tensor, weight: Tensor, rstd: Tensor, N: number, C: number,
  ): void {
    ref.rmsnormBackward(fOrNull(dinp), fOrNull(dweight), f(dout), f(inp), f(weight), f(rstd), N, C);
  }
  matmulForward(out: Tensor, inp: Tensor, weight: Tensor, bias: Tensor | null, N: number, C: number, OC: number): void {
    ref.matmulForward(f(out), f(inp), f(weight), fOrNull(bias), N, C, OC);
  }
  matmulBackward(
    dinp: Tensor | null, dweight: Tensor | null, dbias: Tensor | null,
    dout: Tensor, inp: Tensor, weight: Tensor, N: number, C: number, OC: number,
  ): void {
    ref.matmulBackward(fOrNull(dinp), fOrNull(dweight), fOrNull(dbias), f(dout), f(inp), f(weight), N, C, OC);
  }
  ropeForward(out: Tensor, inp: Tensor, positions: Tensor, N: number, NH: number, HS: number, theta: number): void {
    ref.ropeForward(f(out), f(inp), ints(positions), N, NH, HS, theta);
  }
  ropeBackward(dinp: Tensor, dout: Tensor, positions: Tensor, N: number, NH: number, HS: number, theta: number): void {
    ref.ropeBackward(f(dinp), f(dout), ints(positions), N, NH, HS, theta);
  }
  attentionForward(
    out: Tensor, att: Tensor, q: Tensor, k: Tensor, v: Tensor, keyValid: Tensor,
    B: number, T: number, NH: number, NKV: number, HS: number,
  ): void {
    ref.attentionForward(f(out), f(att), f(q), f(k), f(v), mask(keyValid), B, T, NH, NKV, HS);
  }
  attentionBackward(
    dq: Tensor, dk: Tensor, dv: Tensor, dout: Tensor, q: Tensor, k: Tensor, v: Tensor, att: Tensor,
    B: number, T: number, NH: number, NKV: number, HS: number,
  ): void {
    ref.attentionBackward(f(dq), f(dk), f(dv), f(dout), f(q), f(k), f(v), f(att), B, T, NH, NKV, HS);
  }
  cachedAttentionForward(
    out: Tensor, q: Tensor, kCache: Tensor, vCache: Tensor, keyValid: Tensor, qPos: Tensor,
    B: number, Tq: number, S: number, NH: number, NKV: number, HS: number,
  ): void {
    ref.cachedAttentionForward(f(out), f(q), f(kCache), f(vCache), mask(keyValid), ints(qPos), B, Tq, S, NH, NKV, HS);
  }
  kvWrite(cache: Tensor, rows: Tensor, writePos: Tensor, B: number, Tq: number, S: number, D: number): void {
    ref.kvWrite(f(cache), f(rows), ints(writePos), B, Tq, S, D);
  }
  swigluForward(out: Tensor, gate: Tensor, up: Tensor, N: number, I: number): void {
    ref.swigluForward(f(out), f(gate), f(up), N, I);
  }
  swigluBackward(dgate: Tensor, dup: Tensor, dout: Tensor, gate: Tensor, up: Tensor, N: number, I: number): void {
    ref.swigluBackward(f(dgate), f(dup), f(dout), f(gate), f(up), N, I);
  }
  residualForward(out: Tensor, a: Tensor, b: Tensor, n: number): void {
    ref.residualForward(f(out), f(a), f(b), n);
  }
  crossEntropyForward(
    losses: Tensor, logsumexp: Tensor, logits: Tensor, targets: Tensor, weights: Tensor | null, N: number, V: number,
  ): void {
    ref.crossEntropyForward(f(losses), f(logsumexp), f(logits), ints(targets), fOrNull(weights), N, V);
  }
  crossEntropyBackward(
    dlogits: Tensor, logits: Tensor, logsumexp: Tensor, targets: Tensor, weights: Tensor | null, N: number, V: number,
    dloss: number,
  ): void {
    ref.crossEntropyBackward(f(dlogits), f(logits), f(logsumexp), ints(targets), fOrNull(weights), N, V, dloss);
  }
  seqLogprobForward(
    seqLogp: Tensor, logsumexp: Tensor, logits: Tensor, targets: Tensor, spanMask: Tensor, B: number, T: number, V: number,
  ): void {
    ref.seqLogprobForward(f(seqLogp), f(logsumexp), f(logits), ints(targets), mask(spanMask), B, T, V);
  }
  seqLogprobBackward(
    dlogits: Tensor, dseqLogp: Tensor, logits: Tensor, logsumexp: Tensor, targets: Tensor, spanMask: Tensor,
    B: number, T: number, V: number,
  ): void {
    ref.seqLogprobBackward(f(dlogits), f(dseqLogp), f(logits), f(logsumexp), ints(targets), mask(spanMask), B, T, V);
  }
  adamwStep(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, hyper: AdamWHyper, t: number): void {
    ref.adamwStep(f(param), f(grad), f(m), f(v), hyper, t);
  }
  async clipGradNorm(grads: Tensor[], maxNorm: number): Promise<number> {
    return ref.clipGradNorm(grads.map(f), maxNorm);
  }

  // ---- quantized frozen weights (src/lib/formats/quant.ts, src/lib/ref/matmul-quant.ts) ----
  uploadQuantized(q: QuantizedMatrix, label: string): QTensor {
    const { words, ...layout } = packQuantized(q);
    const t = this.fromInts(words, label, 'u32') as CpuTensor;
    return new CpuQTensor(t.data as Uint32Array, layout, label);
  }
  matmulQuantForward(out: Tensor, inp: Tensor, w: QTensor, bias: Tensor | null, N: number, C: number, OC: number): void {
    matmulQuantForward(f(out), f(inp), qt(w), fOrNull(bias), N, C, OC);
  }
  matmulQuantBackwardInput(dinp: Tensor, dout: Tensor, w: QTensor, N: number, C: number, OC: number): void {
    matmulQuantBackwardInput(f(dinp), f(dout), qt(w), N, C, OC);
  }
}
