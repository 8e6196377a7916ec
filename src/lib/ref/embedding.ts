// Token embedding lookup (CPU reference): out(N,C) = wte(V,C)[tokens(N)].
// Backward scatters dout rows back into dwte by token id (accumulating).
import { ShapeError } from '../errors.ts';
import { checkLen, checkSizes, type IntArray } from './shape.ts';

function checkTokens(op: string, tokens: IntArray, N: number, V: number): void {
  for (let n = 0; n < N; n++) {
    const id = tokens[n];
    if (id < 0 || id >= V) {
      throw new ShapeError(`${op}: tokens[${n}] = ${id} is outside the vocabulary [0, ${V}); check the tokenizer and V.`);
    }
  }
}

export function embeddingForward(
  out: Float32Array, // (N,C)
  tokens: IntArray, // (N)
  wte: Float32Array, // (V,C)
  N: number,
  C: number,
  V: number,
): void {
  const op = 'embeddingForward';
  checkSizes(op, { N, C, V });
  checkLen(op, 'out', out, N * C, '(N,C)');
  checkLen(op, 'tokens', tokens, N, '(N)');
  checkLen(op, 'wte', wte, V * C, '(V,C)');
  checkTokens(op, tokens, N, V);
  for (let n = 0; n < N; n++) {
    const src = tokens[n] * C;
    out.set(wte.subarray(src, src + C), n * C);
  }
}

export function embeddingBackward(
  dwte: Float32Array, // (V,C) accumulated
  dout: Float32Array, // (N,C)
  tokens: IntArray, // (N)
  N: number,
  C: number,
  V: number,
): void {
  const op = 'embeddingBackward';
  checkSizes(op, { N, C, V });
  checkLen(op, 'dwte', dwte, V * C, '(V,C)');
  checkLen(op, 'dout', dout, N * C, '(N,C)');
  checkLen(op, 'tokens', tokens, N, '(N)');
  checkTokens(op, tokens, N, V);
  for (let n = 0; n < N; n++) {
    const dst = tokens[n] * C;
    const src = n * C;
    for (let c = 0; c < C; c++) dwte[dst + c] += dout[src + c];
  }
}
