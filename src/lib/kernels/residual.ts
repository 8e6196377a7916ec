// Residual adds on the GPU (residual.wgsl): out = a + b; backward da += dout, db += dout; and the
// in-place addInPlace(out += alpha·inp) it is built from. CPU twin: src/lib/ref/residual.ts.
// Functions are async only for the cached pipeline lookup; they record dispatches, never flush.
import code from './residual.wgsl?raw';
import type { GpuContext } from '../gpu/context.ts';
import { checkBuffer, checkDims, grid1d } from './common.ts';
import { InvalidInputError } from '../errors.ts';

const WG = 64;

/** out(n) = a(n) + b(n); out may be neither a nor b (use addInPlace for that). */
export async function residualForward(
  ctx: GpuContext,
  out: GPUBuffer, // (n)
  a: GPUBuffer, // (n)
  b: GPUBuffer, // (n)
  n: number,
): Promise<void> {
  const op = 'residualForward';
  checkDims(op, { n });
  if (out === a || out === b) throw new InvalidInputError(`${op}: out is also an input; use addInPlace(ctx, out, other, n) for in-place adds.`);
  for (const [name, buf] of [['out', out], ['a', a], ['b', b]] as const) checkBuffer(op, name, buf, n, '(n)');
  const pipeline = await ctx.pipelines.get('residual', code, 'residual_forward');
  const params = ctx.uniforms('residual', [n, { f32: 1 }]);
  ctx.dispatch(pipeline, [params, out, a, b], grid1d(op, n, WG));
}

/** out(n) += alpha·inp(n), in place. */
export async function addInPlace(
  ctx: GpuContext,
  out: GPUBuffer, // (n) updated in place
  inp: GPUBuffer, // (n)
  n: number,
  alpha = 1,
): Promise<void> {
  const op = 'addInPlace';
  checkDims(op, { n });
  if (out === inp) throw new InvalidInputError(`${op}: out and inp are the same buffer; to double a buffer use a scale kernel.`);
  if (!Number.isFinite(alpha)) throw new InvalidInputError(`${op}: alpha = ${alpha} must be finite.`);
  checkBuffer(op, 'out', out, n, '(n)');
  checkBuffer(op, 'inp', inp, n, '(n)');
  const pipeline = await ctx.pipelines.get('residual', code, 'add_forward');
  const params = ctx.uniforms('residual', [n, { f32: alpha }]);
  ctx.dispatch(pipeline, [params, out, inp], grid1d(op, n, WG));
}

/** da(n) += dout, db(n) += dout; null = not needed. */
export async function residualBackward(
  ctx: GpuContext,
  da: GPUBuffer | null, // (n) accumulated
  db: GPUBuffer | null, // (n) accumulated
  dout: GPUBuffer, // (n)
  n: number,
): Promise<void> {
  if (da) await addInPlace(ctx, da, dout, n);
  if (db) await addInPlace(ctx, db, dout, n);
}
