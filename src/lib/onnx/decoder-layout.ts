// The names of the exported decoder's inputs and outputs, in the layout the ONNX Runtime /
// transformers.js ecosystem uses for decoder-only models: written by export-decoder.ts, fed and
// checked by ort-decoder.ts.
export type KvPart = 'key' | 'value';

export const pastName = (layer: number, part: KvPart): string => `past_key_values.${layer}.${part}`;
export const presentName = (layer: number, part: KvPart): string => `present.${layer}.${part}`;

const layers = (L: number) => Array.from({ length: L }, (_, l) => l);

/** input_ids, attention_mask, position_ids, past_key_values.N.key / .value for N < L. */
export function decoderInputNames(L: number): string[] {
  return ['input_ids', 'attention_mask', 'position_ids', ...layers(L).flatMap((l) => [pastName(l, 'key'), pastName(l, 'value')])];
}

/** logits, present.N.key / .value for N < L. */
export function decoderOutputNames(L: number): string[] {
  return ['logits', ...layers(L).flatMap((l) => [presentName(l, 'key'), presentName(l, 'value')])];
}
