// The ONNX export's weight variants and how the CLI, the worker and the page name them (a module of
// its own, so the page can name them without loading the exporter).
export type OnnxQuant = 'none' | 'int8' | 'q4';

export const ONNX_QUANT_LABEL: Record<OnnxQuant, string> = {
  none: 'f32',
  int8: 'int8 linears (per output channel, DequantizeLinear)',
  q4: "4-bit linears (blocks of 32, ONNX Runtime's MatMulNBits)",
};

export function isOnnxQuant(x: unknown): x is OnnxQuant {
  return typeof x === 'string' && Object.hasOwn(ONNX_QUANT_LABEL, x);
}
