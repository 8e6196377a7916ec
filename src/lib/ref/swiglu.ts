// SwiGLU gate (CPU reference): out(N,I) = silu(gate) · up, silu(x) = x·σ(x).
// Backward: dgate += dout·up·σ(g)·(1 + g·(1 − σ(g))), dup += dout·silu(g).
import { checkLen, checkSizes } from './shape.ts';

export function swigluForward(
  out: Float32Array, // (N,I)
  gate: Float32Array, // (N,I)
  up: Float32Array, // (N,I)
  N: number,
  I: number,
): void {
  const op = 'swigluForward';
  checkSizes(op, { N, I });
  checkLen(op, 'out', out, N * I, '(N,I)');
  checkLen(op, 'gate', gate, N * I, '(N,I)');
  checkLen(op, 'up', up, N * I, '(N,I)');
  const n = N * I;
  for (let j = 0; j < n; j++) {
    const g = gate[j];
    out[j] = (g / (1 + Math.exp(-g))) * up[j];
  }
}

export function swigluBackward(
  dgate: Float32Array, // (N,I) accumulated
  dup: Float32Array, // (N,I) accumulated
  dout: Float32Array, // (N,I)
  gate: Float32Array, // (N,I)
  up: Float32Array, // (N,I)
  N: number,
  I: number,
): void {
  const op = 'swigluBackward';
  checkSizes(op, { N, I });
  checkLen(op, 'dgate', dgate, N * I, '(N,I)');
  checkLen(op, 'dup', dup, N * I, '(N,I)');
  checkLen(op, 'dout', dout, N * I, '(N,I)');
  checkLen(op, 'gate', gate, N * I, '(N,I)');
  checkLen(op, 'up', up, N * I, '(N,I)');
  const n = N * I;
  for (let j = 0; j < n; j++) {
    const g = gate[j];
    const sig = 1 / (1 + Math.exp(-g));
    const d = dout[j];
    dgate[j] += d * up[j] * sig * (1 + g * (1 - sig));
    dup[j] += d * g * sig;
  }
}
