// safetensors dtype names, element sizes and the alignment order the reference writer sorts by.
// Shared by the reader (safetensors.ts) and the writer (safetensors-write.ts).

/** Every dtype the safetensors spec knows, ordered by increasing alignment as the reference writer sorts them. */
export const DTYPES = [
  'BOOL', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64',
] as const;
export type Dtype = (typeof DTYPES)[number];

/** Dtypes writeSafetensors accepts. */
export const WRITE_DTYPES = ['F32', 'F16', 'BF16', 'I8', 'U8', 'I32'] as const;
export type WriteDtype = (typeof WRITE_DTYPES)[number];

/** Bytes per element. */
export const DTYPE_SIZE: Record<Dtype, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
};

/** Refuse headers above this many bytes (the reference implementation's cap). */
export const MAX_HEADER_BYTES = 100_000_000;
