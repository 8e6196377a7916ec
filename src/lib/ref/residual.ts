// Residual add (CPU reference): out = a + b over n elements; backward passes dout to both.
// (The GPU side may express forward as an in-place add kernel `add_forward`.)
import { checkLen, checkSizes } from './shape.ts';

export function residualForward(
  out: Float32Array, // (n)
  a: Float32Array, // (n)
  b: Float32Array, // (n)
  n: number,
): void {
  const op = 'residualForward';
  checkSizes(op, { n });
  checkLen(op, 'out', out, n, '(n)');
  checkLen(op, 'a', a, n, '(n)');
  checkLen(op, 'b', b, n, '(n)');
  for (let j = 0; j < n; j++) out[j] = a[j] + b[j];
}

export function residualBackward(
  da: Float32Array | null, // (n) accumulated
  db: Float32Array | null, // (n) accumulated
  dout: Float32Array, // (n)
  n: number,
): void {
  const op = 'residualBackward';
  checkSizes(op, { n });
  checkLen(op, 'da', da, n, '(n)', true);
  checkLen(op, 'db', db, n, '(n)', true);
  checkLen(op, 'dout', dout, n, '(n)');
  if (da !== null) for (let j = 0; j < n; j++) da[j] += dout[j];
  if (db !== null) for (let j = 0; j < n; j++) db[j] += dout[j];
}
