// The ONNX protobuf messages an exported decoder needs (ModelProto → GraphProto → NodeProto /
// TensorProto / ValueInfoProto), compiled from proto/onnx-subset.proto (ONNX's message names and
// field numbers) to static encode/decode code by protobufjs-cli: `npm run gen:onnx-proto`. Static
// code builds no functions at run time, so it runs under the page's Content-Security-Policy.
import { onnx } from './proto/onnx-proto.js';

export { onnx };

/** TensorProto.DataType values used here. */
export const ONNX_FLOAT = 1;
export const ONNX_UINT8 = 2;
export const ONNX_INT8 = 3;
export const ONNX_INT64 = 7;
export const ONNX_BOOL = 9;

/** ONNX Runtime's contrib-op domain (MatMulNBits) and the version of it the export imports. */
export const MS_DOMAIN = 'com.microsoft';
export const MS_DOMAIN_VERSION = 1;

/** AttributeProto.AttributeType values used here. */
export const ATTR_FLOAT = 1;
export const ATTR_INT = 2;
export const ATTR_INTS = 7;

/** The ModelProto bytes of a model given as plain properties. */
export function encodeModel(model: onnx.ModelProto.$Properties): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

/** A ModelProto decoded from bytes (int64 fields come back as Long objects where the `long` package is installed, else numbers). */
export function decodeModel(bytes: Uint8Array): onnx.ModelProto {
  return onnx.ModelProto.decode(bytes);
}
