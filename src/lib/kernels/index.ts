// WGSL kernels, one file pair per op family (see README.md for the table of entry points and
// CPU twins). Every function records dispatches on a GpuContext; callers flush and read back.
export * from './embedding.ts';
export * from './rmsnorm.ts';
export * from './matmul.ts';
export * from './matmul-quant.ts';
export * from './rope.ts';
export * from './attention.ts';
export * from './swiglu.ts';
export * from './residual.ts';
export * from './crossentropy.ts';
export * from './dpo.ts';
export * from './adamw.ts';
