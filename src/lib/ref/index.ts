// CPU reference ops, one file per op family (see README.md for the shared contract).
export * from './shape.ts';
export * from './embedding.ts';
export * from './rmsnorm.ts';
export * from './matmul.ts';
export * from './rope.ts';
export * from './attention.ts';
export * from './swiglu.ts';
export * from './residual.ts';
export * from './crossentropy.ts';
export * from './adamw.ts';
export * from './cached-attention.ts';
