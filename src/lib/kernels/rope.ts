// Rotary position embedding on the GPU (rope.wgsl), HF rotate_half convention (pairs i, i+HS/2),
// inv_freq_i = theta^(−2i/HS) (an f64-computed table cached per context). Forward may run in
// place (out === inp). CPU twin: src/lib/ref/rope.ts.
// Functions are async only for the cached pipeline lookup; they record dispatches, never flush.
import code from './rope.wgsl?raw';
import type { GpuContext } from '../gpu/context.ts';
import { checkBuffer, checkDims, grid1d } from './common.ts';
import { InvalidInputError, ShapeError } from '../errors.ts';

const WG = 64;

const invFreqCache = new WeakMap<GpuContext, Map<string, GPUBuffer>>();

/** (HS/2) inv_freq[i] = theta^(−2i/HS), computed in f64 and uploaded once per (ctx, HS, theta). */
function invFreq(ctx: GpuContext, HS: number, theta: number): GPUBuffer {
  let byKey = invFreqCache.get(ctx);
  if (!byKey) invFreqCache.set(ctx, (byKey = new Map()));
  const key = `${HS}|${theta}`;
  let buf = byKey.get(key);
  if (!buf) {
    const table = new Float32Array(HS / 2); // (HS/2)
    for (let i = 0; i < HS / 2; i++) table[i] = Math.pow(theta, (-2 * i) / HS);
    buf = ctx.upload(table, `rope:inv_freq HS=${HS} theta=${theta}`);
    byKey.set(key, buf);
  }
  return buf;
}

function checkRope(op: string, N: number, NH: number, HS: number, theta: number): void {
  checkDims(op, { N, NH, HS });
  if (HS % 2 !== 0) throw new ShapeError(`${op}: head size HS = ${HS} is odd; rope needs an even HS (pairs i, i+HS/2).`);
  if (!(theta > 0)) throw new InvalidInputError(`${op}: theta = ${theta} must be > 0 (config.json's rope_theta, e.g. 10000).`);
}

/** out(N,NH,HS) = rotation of inp by pos·freq; NH may be NKV (keys). out may be inp. */
export async function ropeForward(
  ctx: GpuContext,
  out: GPUBuffer, // (N,NH,HS)
  inp: GPUBuffer, // (N,NH,HS)
  positions: GPUBuffer, // (N) i32
  N: number,
  NH: number,
  HS: number,
  theta: number,
): Promise<void> {
  const op = 'ropeForward';
  checkRope(op, N, NH, HS, theta);
  checkBuffer(op, 'out', out, N * NH * HS, '(N,NH,HS)');
  checkBuffer(op, 'inp', inp, N * NH * HS, '(N,NH,HS)');
  checkBuffer(op, 'positions', positions, N, '(N)');
  const grid = grid1d(op, (N * NH * HS) / 2, WG);
  const entry = out === inp ? 'rope_forward_inplace' : 'rope_forward';
  const pipeline = await ctx.pipelines.get('rope', code, entry);
  const params = ctx.uniforms('rope', [N, NH, HS]);
  const table = invFreq(ctx, HS, theta);
  if (out === inp) ctx.dispatch(pipeline, [out, positions, table, params], grid);
  else ctx.dispatch(pipeline, [out, inp, positions, table, params], grid);
}

/** dinp(N,NH,HS) += Rᵀ·dout (rotation by −angle); dinp must not be dout. */
export async function ropeBackward(
  ctx: GpuContext,
  dinp: GPUBuffer, // (N,NH,HS) accumulated
  dout: GPUBuffer, // (N,NH,HS)
  positions: GPUBuffer, // (N) i32
  N: number,
  NH: number,
  HS: number,
  theta: number,
): Promise<void> {
  const op = 'ropeBackward';
  checkRope(op, N, NH, HS, theta);
  if (dinp === dout) throw new InvalidInputError(`${op}: dinp and dout are the same buffer; backward accumulates, pass a separate dinp.`);
  checkBuffer(op, 'dinp', dinp, N * NH * HS, '(N,NH,HS)');
  checkBuffer(op, 'dout', dout, N * NH * HS, '(N,NH,HS)');
  checkBuffer(op, 'positions', positions, N, '(N)');
  const pipeline = await ctx.pipelines.get('rope', code, 'rope_backward');
  const params = ctx.uniforms('rope', [N, NH, HS]);
  ctx.dispatch(pipeline, [dinp, dout, positions, invFreq(ctx, HS, theta), params], grid1d(op, (N * NH * HS) / 2, WG));
}
