// The structural rules of ONNX's own checker (onnx.checker.check_model) that need no operator
// schemas, run on our decoded ModelProto: an IR version and an opset for every domain a node uses;
// graph inputs, initializers and node outputs named once (SSA); every node input defined before the
// node reads it (topological order); every graph output produced; initializer bytes = dims × element
// size; attributes typed. Returns the problems found (empty: the model passes these rules).
import { ATTR_FLOAT, ATTR_INT, ATTR_INTS, decodeModel, ONNX_BOOL, ONNX_FLOAT, ONNX_INT64, ONNX_INT8, ONNX_UINT8 } from './schema.ts';

const ELEMENT_BYTES: Record<number, number> = { [ONNX_FLOAT]: 4, [ONNX_UINT8]: 1, [ONNX_INT8]: 1, [ONNX_INT64]: 8, [ONNX_BOOL]: 1 };
const num = (v: number | { toNumber(): number } | null | undefined): number => (v === null || v === undefined ? 0 : typeof v === 'number' ? v : v.toNumber());

export function checkOnnxModel(bytes: Uint8Array): string[] {
  const problems: string[] = [];
  let m;
  try {
    m = decodeModel(bytes);
  } catch (e) {
    return [`not a ModelProto: ${(e as Error).message}`];
  }
  if (num(m.irVersion) < 3) problems.push(`ir_version ${num(m.irVersion)} is missing or too old`);
  const opsets = new Map(m.opsetImport.map((o) => [o.domain ?? '', num(o.version)]));
  if (!opsets.has('')) problems.push('no opset is imported for the default domain');
  const g = m.graph;
  if (!g) return [...problems, 'the model has no graph'];
  const defined = new Set<string>();
  const define = (name: string, what: string) => {
    if (!name) problems.push(`${what} has an empty name`);
    else if (defined.has(name)) problems.push(`${name} is defined twice (${what})`);
    else defined.add(name);
  };
  for (const t of g.initializer ?? []) {
    const dims = (t.dims ?? []).map(num);
    const size = ELEMENT_BYTES[t.dataType ?? 0];
    if (size === undefined) problems.push(`initializer ${t.name} has an unknown data type ${t.dataType}`);
    else if ((t.rawData?.length ?? 0) !== dims.reduce((a, d) => a * d, 1) * size) {
      problems.push(`initializer ${t.name}: ${t.rawData?.length ?? 0} bytes for dims [${dims.join(', ')}] of ${size}-byte elements`);
    }
    define(t.name ?? '', 'initializer');
  }
  for (const i of g.input ?? []) if (!defined.has(i.name ?? '')) define(i.name ?? '', 'graph input');
  for (const [k, n] of (g.node ?? []).entries()) {
    const where = `node ${k} (${n.opType})`;
    if (!n.opType) problems.push(`${where} has no op_type`);
    if (!opsets.has(n.domain ?? '')) problems.push(`${where} uses domain "${n.domain}" without an opset import for it`);
    for (const x of n.input ?? []) if (x !== '' && !defined.has(x)) problems.push(`${where} reads ${x} before anything defines it`);
    for (const a of n.attribute ?? []) {
      const ok = (a.type === ATTR_INT && a.i !== undefined) || (a.type === ATTR_FLOAT && a.f !== undefined) || (a.type === ATTR_INTS && Array.isArray(a.ints));
      if (!a.name || !ok) problems.push(`${where} has an attribute ${a.name ?? '(unnamed)'} without a value of its declared type ${a.type}`);
    }
    for (const y of n.output ?? []) define(y, where);
  }
  for (const o of g.output ?? []) if (!defined.has(o.name ?? '')) problems.push(`graph output ${o.name} is never produced`);
  for (const v of [...(g.input ?? []), ...(g.output ?? [])]) if (!v.type?.tensorType?.elemType) problems.push(`${v.name} has no element type`);
  return problems;
}
