// The row-wise TypeScript reference ops the kernel threads also run (SwiGLU, RMSNorm without its
// weight gradient, RoPE): each call gets byte offsets into the shared memory and computes its band of
// rows with the reference code itself, so a split run is bit-identical to one thread. (RMSNorm's
// weight gradient sums over rows: it stays on one thread.) Used by the pool's threads (protocol.ts)
// and by the calling thread (WasmKernels.call).
import { swigluBackward, swigluForward } from '../../ref/swiglu.ts';
import { rmsnormBackward, rmsnormForward } from '../../ref/rmsnorm.ts';
import { ropeBackward, ropeForward } from '../../ref/rope.ts';

type JsKernel = (buffer: ArrayBufferLike, a: number[]) => void;

const f32 = (buffer: ArrayBufferLike, ptr: number, n: number) => new Float32Array(buffer, ptr, n);
const positions = (buffer: ArrayBufferLike, ptr: number, n: number, unsigned: number) => (unsigned ? new Uint32Array(buffer, ptr, n) : new Int32Array(buffer, ptr, n));

export const JS_KERNELS = {
  /** [out, gate, up, N, I] */
  swiglu_forward: (b, [out, gate, up, N, I]) => swigluForward(f32(b, out, N * I), f32(b, gate, N * I), f32(b, up, N * I), N, I),
  /** [dgate, dup, dout, gate, up, N, I] */
  swiglu_backward: (b, [dg, du, dout, gate, up, N, I]) =>
    swigluBackward(f32(b, dg, N * I), f32(b, du, N * I), f32(b, dout, N * I), f32(b, gate, N * I), f32(b, up, N * I), N, I),
  /** [out, rstd, inp, weight, N, C, eps] */
  rmsnorm_forward: (b, [out, rstd, inp, w, N, C, eps]) => rmsnormForward(f32(b, out, N * C), f32(b, rstd, N), f32(b, inp, N * C), f32(b, w, C), N, C, eps),
  /** [dinp, dout, inp, weight, rstd, N, C] (no weight gradient) */
  rmsnorm_backward_input: (b, [dinp, dout, inp, w, rstd, N, C]) =>
    rmsnormBackward(f32(b, dinp, N * C), null, f32(b, dout, N * C), f32(b, inp, N * C), f32(b, w, C), f32(b, rstd, N), N, C),
  /** [out, inp, positions, unsigned, N, NH, HS, theta] */
  rope_forward: (b, [out, inp, pos, unsigned, N, NH, HS, theta]) =>
    ropeForward(f32(b, out, N * NH * HS), f32(b, inp, N * NH * HS), positions(b, pos, N, unsigned), N, NH, HS, theta),
  /** [dinp, dout, positions, unsigned, N, NH, HS, theta] */
  rope_backward: (b, [dinp, dout, pos, unsigned, N, NH, HS, theta]) =>
    ropeBackward(f32(b, dinp, N * NH * HS), f32(b, dout, N * NH * HS), positions(b, pos, N, unsigned), N, NH, HS, theta),
} satisfies Record<string, JsKernel>;

export type JsKernelName = keyof typeof JS_KERNELS;
