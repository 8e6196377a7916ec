// The tiny model's tokenizer: vocabulary from the world templates, lossless canonical decoding,
// digit-order knob, HF tokenizer.json / tokenizer_config.json I/O.
export * from './special.ts';
export * from './pretokenize.ts';
export * from './tokenizer.ts';
export * from './tokenizer-json.ts';
