// Register-blocked linear layer for software adapters (SwiftShader, llvmpipe): the same strided gemm as
// matmul.wgsl, dst(M,P) = alpha·Σ_k A(m,k)·B(p,k) + bias(p) + beta·dst, without workgroup memory.
// On a CPU every per-invocation load is a gather and a private array indexed in a loop lives in memory,
// so each invocation keeps a block of dst in mat4x4 registers (indices all compile-time constants) and
// reads A and B as vec4s: per 4-deep k step, a (4·BI)×(4·BJ) block costs 4·(BI+BJ) vec4 loads.
//   matmul_vec4_big     16×16 per invocation (4×4 mats), workgroup 4×4  → a 64×64 tile of dst
//   matmul_vec4_skinny   8×8  per invocation (2×2 mats), workgroup 8×1  → an 8×64 tile (decode: M ≤ 16)
// A is read along k (A_ALONG_M false: a row's k values are contiguous) or along m; B along k or p. The
// TypeScript wrapper (matmul.ts) picks this kernel only when those vec4 reads are aligned:
//   along k: stride_k = 1, row stride % 4 = 0, K % 4 = 0;  along m / p: stride = 1, k stride % 4 = 0,
//   M (resp. P) % 4 = 0. Edges are clamped reads (duplicated rows) and masked stores.

struct Params {
  M: u32,      // rows of dst
  P: u32,      // columns of dst (its row stride)
  K: u32,      // reduction length (a multiple of 4)
  a_sm: u32,   // A(m,k) = a[m·a_sm + k·a_sk]  (in floats)
  a_sk: u32,
  b_sp: u32,   // B(p,k) = b[p·b_sp + k·b_sk]
  b_sk: u32,
  alpha: f32,  // scale of the product
  beta: f32,   // 0: overwrite dst, 1: accumulate into dst
}

override A_ALONG_M: bool = false;  // false: A(m, k..k+3) is one vec4; true: A(m..m+3, k) is
override B_ALONG_P: bool = false;  // false: B(p, k..k+3) is one vec4; true: B(p..p+3, k) is
override HAS_BIAS: bool = false;   // add bias(p) (binding 4 is a placeholder otherwise)

@group(0) @binding(0) var<storage, read_write> dst: array<f32>;  // (M,P)
@group(0) @binding(1) var<storage, read> a: array<vec4<f32>>;    // A, 4 floats per element
@group(0) @binding(2) var<storage, read> b: array<vec4<f32>>;    // B, 4 floats per element
@group(0) @binding(3) var<uniform> params: Params;
@group(0) @binding(4) var<storage, read> bias: array<f32>;       // (P) when HAS_BIAS

/** Ak(i,c) = A(r+i, 4kq+c) for the 4 rows from r (clamped to M) and the k step kq. */
fn load_a(r: u32, kq: u32) -> mat4x4<f32> {
  if (A_ALONG_M) {
    // column c = A(r..r+3, 4kq+c); r is a multiple of 4 and M % 4 = 0
    let m4 = min(r, params.M - 4u) / 4u;
    let s = params.a_sk / 4u;
    let k = 4u * kq;
    return mat4x4<f32>(a[k * s + m4], a[(k + 1u) * s + m4], a[(k + 2u) * s + m4], a[(k + 3u) * s + m4]);
  }
  // column i = A(r+i, 4kq..4kq+3): transposed into Ak
  let s = params.a_sm / 4u;
  let last = params.M - 1u;
  return transpose(mat4x4<f32>(
    a[min(r, last) * s + kq], a[min(r + 1u, last) * s + kq], a[min(r + 2u, last) * s + kq], a[min(r + 3u, last) * s + kq]));
}

/** Bkᵀ(c,j) = B(p+j, 4kq+c): the transposed block, ready for acc += Ak · Bkᵀ. */
fn load_bt(p: u32, kq: u32) -> mat4x4<f32> {
  if (B_ALONG_P) {
    let p4 = min(p, params.P - 4u) / 4u;
    let s = params.b_sk / 4u;
    let k = 4u * kq;
    return transpose(mat4x4<f32>(b[k * s + p4], b[(k + 1u) * s + p4], b[(k + 2u) * s + p4], b[(k + 3u) * s + p4]));
  }
  let s = params.b_sp / 4u;
  let last = params.P - 1u;
  return mat4x4<f32>(
    b[min(p, last) * s + kq], b[min(p + 1u, last) * s + kq], b[min(p + 2u, last) * s + kq], b[min(p + 3u, last) * s + kq]);
}

/** dst(r..r+3, col) from one column v of an accumulator (masked at the edges). */
fn store_col(r: u32, col: u32, v: vec4<f32>) {
  if (col >= params.P) {
    return;
  }
  var extra = 0.0;
  if (HAS_BIAS) {
    extra = bias[col];
  }
  let out = params.alpha * v + vec4<f32>(extra);
  for (var i = 0u; i < 4u; i++) {
    let row = r + i;
    if (row < params.M) {
      let idx = row * params.P + col;
      var x = out[i];
      if (params.beta != 0.0) {
        x = fma(params.beta, dst[idx], x);
      }
      dst[idx] = x;
    }
  }
}

/** The 4×4 block of dst at (r, c) from acc (acc[j][i] = dst(r+i, c+j)). */
fn store_mat(r: u32, c: u32, acc: mat4x4<f32>) {
  store_col(r, c, acc[0]);
  store_col(r, c + 1u, acc[1]);
  store_col(r, c + 2u, acc[2]);
  store_col(r, c + 3u, acc[3]);
}

@compute @workgroup_size(4, 4)
fn matmul_vec4_big(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let r = wid.y * 64u + lid.y * 16u;
  let c = wid.x * 64u + lid.x * 16u;
  var acc00 = mat4x4<f32>(); var acc01 = mat4x4<f32>(); var acc02 = mat4x4<f32>(); var acc03 = mat4x4<f32>();
  var acc10 = mat4x4<f32>(); var acc11 = mat4x4<f32>(); var acc12 = mat4x4<f32>(); var acc13 = mat4x4<f32>();
  var acc20 = mat4x4<f32>(); var acc21 = mat4x4<f32>(); var acc22 = mat4x4<f32>(); var acc23 = mat4x4<f32>();
  var acc30 = mat4x4<f32>(); var acc31 = mat4x4<f32>(); var acc32 = mat4x4<f32>(); var acc33 = mat4x4<f32>();
  for (var kq = 0u; kq < params.K / 4u; kq++) {
    let a0 = load_a(r, kq); let a1 = load_a(r + 4u, kq); let a2 = load_a(r + 8u, kq); let a3 = load_a(r + 12u, kq);
    let b0 = load_bt(c, kq); let b1 = load_bt(c + 4u, kq); let b2 = load_bt(c + 8u, kq); let b3 = load_bt(c + 12u, kq);
    acc00 += a0 * b0; acc01 += a0 * b1; acc02 += a0 * b2; acc03 += a0 * b3;
    acc10 += a1 * b0; acc11 += a1 * b1; acc12 += a1 * b2; acc13 += a1 * b3;
    acc20 += a2 * b0; acc21 += a2 * b1; acc22 += a2 * b2; acc23 += a2 * b3;
    acc30 += a3 * b0; acc31 += a3 * b1; acc32 += a3 * b2; acc33 += a3 * b3;
  }
  store_mat(r, c, acc00); store_mat(r, c + 4u, acc01); store_mat(r, c + 8u, acc02); store_mat(r, c + 12u, acc03);
  store_mat(r + 4u, c, acc10); store_mat(r + 4u, c + 4u, acc11); store_mat(r + 4u, c + 8u, acc12); store_mat(r + 4u, c + 12u, acc13);
  store_mat(r + 8u, c, acc20); store_mat(r + 8u, c + 4u, acc21); store_mat(r + 8u, c + 8u, acc22); store_mat(r + 8u, c + 12u, acc23);
  store_mat(r + 12u, c, acc30); store_mat(r + 12u, c + 4u, acc31); store_mat(r + 12u, c + 8u, acc32); store_mat(r + 12u, c + 12u, acc33);
}

@compute @workgroup_size(8, 1)
fn matmul_vec4_skinny(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let r = wid.y * 8u;
  let c = wid.x * 64u + lid.x * 8u;
  var acc00 = mat4x4<f32>(); var acc01 = mat4x4<f32>();
  var acc10 = mat4x4<f32>(); var acc11 = mat4x4<f32>();
  for (var kq = 0u; kq < params.K / 4u; kq++) {
    let a0 = load_a(r, kq); let a1 = load_a(r + 4u, kq);
    let b0 = load_bt(c, kq); let b1 = load_bt(c + 4u, kq);
    acc00 += a0 * b0; acc01 += a0 * b1;
    acc10 += a1 * b0; acc11 += a1 * b1;
  }
  store_mat(r, c, acc00); store_mat(r, c + 4u, acc01);
  store_mat(r + 4u, c, acc10); store_mat(r + 4u, c + 4u, acc11);
}
