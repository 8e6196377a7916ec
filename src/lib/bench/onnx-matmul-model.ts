// A one-node ONNX model, Y(M,Nc) = MatMul(A(M,K), B(K,Nc)), encoded by hand as protobuf bytes (no
// protobuf dependency). Shared by the CPU benchmark (onnxruntime-web wasm, src/cli/onnx-matmul.ts) and
// the WebGPU benchmark (onnxruntime-web's WebGPU EP, ort-webgpu.ts), in Node and in the browser.

/** Minimal protobuf writer: varints, length-delimited fields, nested messages. */
class Pb {
  private bytes: number[] = [];
  private varint(v: number): void {
    while (v > 0x7f) {
      this.bytes.push((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    this.bytes.push(v);
  }
  int(field: number, v: number): this {
    this.varint((field << 3) | 0);
    this.varint(v);
    return this;
  }
  raw(field: number, data: Uint8Array | number[]): this {
    this.varint((field << 3) | 2);
    this.varint(data.length);
    for (const b of data) this.bytes.push(b);
    return this;
  }
  str(field: number, s: string): this {
    return this.raw(field, new TextEncoder().encode(s));
  }
  msg(field: number, m: Pb): this {
    return this.raw(field, m.bytes);
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

const FLOAT = 1; // TensorProto.DataType.FLOAT

function valueInfo(name: string, dims: number[]): Pb {
  const shape = new Pb();
  for (const d of dims) shape.msg(1, new Pb().int(1, d)); // TensorShapeProto.dim { dim_value }
  const tensorType = new Pb().int(1, FLOAT).msg(2, shape); // TypeProto.Tensor { elem_type, shape }
  return new Pb().str(1, name).msg(2, new Pb().msg(1, tensorType)); // ValueInfoProto { name, type }
}

/** ModelProto bytes (IR 8, opset 13) for Y = A·B with static shapes. */
export function matmulModelBytes(M: number, K: number, Nc: number): Uint8Array {
  const node = new Pb().str(1, 'A').str(1, 'B').str(2, 'Y').str(3, 'matmul').str(4, 'MatMul');
  const graph = new Pb()
    .msg(1, node)
    .str(2, 'psr_matmul')
    .msg(11, valueInfo('A', [M, K]))
    .msg(11, valueInfo('B', [K, Nc]))
    .msg(12, valueInfo('Y', [M, Nc]));
  return new Pb()
    .int(1, 8) // ir_version
    .str(2, 'psr-lab bench') // producer_name
    .msg(7, graph)
    .msg(8, new Pb().str(1, '').int(2, 13)) // opset_import { domain "", version 13 }
    .finish();
}
