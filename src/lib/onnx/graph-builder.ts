// A small builder of ONNX graphs: nodes with generated output names, f32 / int64 initializers, typed
// graph inputs and outputs with named (symbolic) dimensions, and the ModelProto bytes (schema.ts).
import { ATTR_FLOAT, ATTR_INT, ATTR_INTS, encodeModel, MS_DOMAIN, MS_DOMAIN_VERSION, ONNX_FLOAT, ONNX_INT64, ONNX_INT8, ONNX_UINT8, type onnx } from './schema.ts';

/** An attribute value: an integer, a float ({ f }), or a list of integers. */
export type AttrValue = number | { f: number } | number[];

type Dim = number | string;

interface TensorInit {
  name: string;
  dims: number[];
  dataType: number;
  rawData: Uint8Array;
}

function valueInfo(name: string, elemType: number, dims: Dim[]) {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}

function attribute(name: string, v: AttrValue) {
  if (Array.isArray(v)) return { name, type: ATTR_INTS, ints: v };
  if (typeof v === 'number') return { name, type: ATTR_INT, i: v };
  return { name, type: ATTR_FLOAT, f: v.f };
}

/** Little-endian bytes of a typed array (copied, so later changes to the source do not leak in). */
function bytesOf(a: Float32Array | BigInt64Array | Int8Array | Uint8Array): Uint8Array {
  return new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
}

export class GraphBuilder {
  private readonly nodes: onnx.NodeProto.$Properties[] = [];
  private readonly inits: TensorInit[] = [];
  private readonly inputs: onnx.ValueInfoProto.$Properties[] = [];
  private readonly outputs: onnx.ValueInfoProto.$Properties[] = [];
  private count = 0;
  private readonly constants = new Map<string, string>();
  private usesMsDomain = false;

  /** Add a node; returns its output names (`outputs` of them, named after `hint`). */
  nodeN(opType: string, inputs: string[], outputs: number, attrs: Record<string, AttrValue> = {}, hint = opType): string[] {
    const id = this.count++;
    const outs = Array.from({ length: outputs }, (_, i) => `${hint}_${id}${outputs > 1 ? `_${i}` : ''}`);
    this.nodes.push({ opType, input: inputs, output: outs, name: `${hint}_${id}`, attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)) });
    return outs;
  }

  /** Add a node of ONNX Runtime's contrib domain (com.microsoft, e.g. MatMulNBits) with one output; the model then imports that domain. */
  msOp(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, hint = opType): string {
    const out = this.op(opType, inputs, attrs, hint);
    this.nodes[this.nodes.length - 1].domain = MS_DOMAIN;
    this.usesMsDomain = true;
    return out;
  }

  /** Add a node with one output; returns its name. */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, hint = opType): string {
    return this.nodeN(opType, inputs, 1, attrs, hint)[0];
  }

  /** Add a node writing to a given output name (a graph output such as "logits"). */
  opTo(output: string, opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}): string {
    this.nodes.push({ opType, input: inputs, output: [output], name: `${opType}_${this.count++}_${output}`, attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)) });
    return output;
  }

  /** An f32 initializer of shape `dims` (row-major). */
  f32(name: string, data: Float32Array, dims: number[]): string {
    this.inits.push({ name, dims, dataType: ONNX_FLOAT, rawData: bytesOf(data) });
    return name;
  }

  /** An int8 initializer of shape `dims` (row-major). */
  i8(name: string, data: Int8Array, dims: number[]): string {
    this.inits.push({ name, dims, dataType: ONNX_INT8, rawData: bytesOf(data) });
    return name;
  }

  /** A uint8 initializer of shape `dims` (row-major). */
  u8(name: string, data: Uint8Array, dims: number[]): string {
    this.inits.push({ name, dims, dataType: ONNX_UINT8, rawData: bytesOf(data) });
    return name;
  }

  /** A 1-D int64 constant (shared between uses of the same values). */
  i64(values: number[]): string {
    const key = values.join(',');
    const known = this.constants.get(key);
    if (known !== undefined) return known;
    const name = `const_i64_${this.constants.size}`;
    this.inits.push({ name, dims: [values.length], dataType: ONNX_INT64, rawData: bytesOf(BigInt64Array.from(values.map((v) => BigInt(v)))) });
    this.constants.set(key, name);
    return name;
  }

  /** A scalar (0-D) int64 constant. */
  i64Scalar(value: number): string {
    const name = `const_i64_scalar_${this.count++}`;
    this.inits.push({ name, dims: [], dataType: ONNX_INT64, rawData: bytesOf(BigInt64Array.of(BigInt(value))) });
    return name;
  }

  /** A scalar f32 constant. */
  scalar(name: string, value: number): string {
    this.inits.push({ name, dims: [], dataType: ONNX_FLOAT, rawData: bytesOf(Float32Array.of(value)) });
    return name;
  }

  input(name: string, elemType: number, dims: Dim[]): string {
    this.inputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  output(name: string, elemType: number, dims: Dim[]): void {
    this.outputs.push(valueInfo(name, elemType, dims));
  }

  /** The ModelProto bytes (IR 8, default domain at `opset`; com.microsoft too when a contrib op was added). */
  encode(o: { graphName: string; opset: number; producer: string; doc: string; metadata?: Record<string, string> }): Uint8Array {
    return encodeModel({
      irVersion: 8,
      producerName: o.producer,
      docString: o.doc,
      opsetImport: [{ domain: '', version: o.opset }, ...(this.usesMsDomain ? [{ domain: MS_DOMAIN, version: MS_DOMAIN_VERSION }] : [])],
      metadataProps: Object.entries(o.metadata ?? {}).map(([key, value]) => ({ key, value })),
      graph: { name: o.graphName, node: this.nodes, initializer: this.inits, input: this.inputs, output: this.outputs },
    });
  }
}
