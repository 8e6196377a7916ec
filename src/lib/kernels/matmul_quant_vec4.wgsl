// Register-blocked linear layer on a quantized frozen weight W(OC,C) for software adapters: the math of
// matmul_quant.wgsl (weights dequantized while they are read), the blocking of matmul_vec4.wgsl (mat4x4
// accumulators, no workgroup memory, vec4 reads of A). Per 4-deep k step one weight word gives 4 values.
//   forward          dst(N,OC)  = inp(N,C)·Wᵀ + bias   B(p,k) = W(p,k): 4 consecutive columns of row p
//   backward_input   dst(N,C)  += dout(N,OC)·W         B(p,k) = W(k,p): 4 consecutive columns of row k
// Formats (src/lib/model/quant.ts): int8 byte o·C + c, W = q·scale[o]; q4 row o at word o·G·4, column c
// in nibble c%8 of word c/8, W = (u − 8)·scale[o·G + c/32]. The wrapper uses this kernel only when
// K % 4 = 0 and C % 4 = 0 (a 4-column run then never crosses a word or a q4 group).
//   matmul_qvec4_big 16×16 per invocation, workgroup 4×4 (64×64 tile); matmul_qvec4_skinny 8×8, 8×1 (M ≤ 16)

struct Params {
  M: u32,          // rows of dst (N)
  P: u32,          // columns of dst: OC forward, C backward_input
  K: u32,          // reduction: C forward, OC backward_input (A's row stride)
  C: u32,          // weight columns (in features)
  G: u32,          // q4 groups per row, ceil(C/32) (unused by int8)
  scale_off: u32,  // word index of the first scale in w
  has_bias: u32,   // forward: 1 = add bias
  _pad: u32,
}

override FMT_Q4: bool = false;       // false: int8, true: q4
override TRANSPOSED: bool = false;   // false: forward, true: backward_input (accumulates into dst)

@group(0) @binding(0) var<storage, read_write> dst: array<f32>;  // forward out (N,OC); backward dinp (N,C)
@group(0) @binding(1) var<storage, read> a: array<vec4<f32>>;    // forward inp (N,C); backward dout (N,OC)
@group(0) @binding(2) var<storage, read> w: array<u32>;          // packed W (OC,C), then the scales' f32 bits
@group(0) @binding(3) var<uniform> params: Params;
@group(0) @binding(4) var<storage, read> bias: array<f32>;       // (OC), forward only

/** W(o, c..c+3) dequantized; c is a multiple of 4. */
fn w_run(o: u32, c: u32) -> vec4<f32> {
  if (FMT_Q4) {
    let word = w[o * params.G * 4u + (c >> 3u)] >> (4u * (c & 4u));
    let u = vec4<u32>(word, word >> 4u, word >> 8u, word >> 12u) & vec4<u32>(15u);
    return (vec4<f32>(u) - vec4<f32>(8.0)) * bitcast<f32>(w[params.scale_off + o * params.G + (c >> 5u)]);
  }
  let word = bitcast<i32>(w[(o * params.C + c) >> 2u]);
  let q = vec4<i32>(word << 24u, word << 16u, word << 8u, word) >> vec4<u32>(24u);
  return vec4<f32>(q) * bitcast<f32>(w[params.scale_off + o]);
}

/** Ak(i,c) = A(r+i, 4kq+c), rows clamped to M. */
fn load_a(r: u32, kq: u32) -> mat4x4<f32> {
  let s = params.K / 4u;
  let last = params.M - 1u;
  return transpose(mat4x4<f32>(
    a[min(r, last) * s + kq], a[min(r + 1u, last) * s + kq], a[min(r + 2u, last) * s + kq], a[min(r + 3u, last) * s + kq]));
}

/** Bkᵀ(c,j) = B(p+j, 4kq+c). */
fn load_bt(p: u32, kq: u32) -> mat4x4<f32> {
  let k = 4u * kq;
  if (TRANSPOSED) {
    // B(p..p+3, k+c) = W(k+c, p..p+3); p is a multiple of 4 and P = C % 4 = 0
    let q = min(p, params.P - 4u);
    return transpose(mat4x4<f32>(w_run(k, q), w_run(k + 1u, q), w_run(k + 2u, q), w_run(k + 3u, q)));
  }
  let last = params.P - 1u;
  return mat4x4<f32>(w_run(min(p, last), k), w_run(min(p + 1u, last), k), w_run(min(p + 2u, last), k), w_run(min(p + 3u, last), k));
}

/** dst(r..r+3, col) from one accumulator column: forward overwrites (+ bias), backward accumulates. */
fn store_col(r: u32, col: u32, v: vec4<f32>) {
  if (col >= params.P) {
    return;
  }
  var extra = 0.0;
  if (!TRANSPOSED && params.has_bias != 0u) {
    extra = bias[col];
  }
  for (var i = 0u; i < 4u; i++) {
    let row = r + i;
    if (row < params.M) {
      let idx = row * params.P + col;
      if (TRANSPOSED) {
        dst[idx] = dst[idx] + v[i];
      } else {
        dst[idx] = v[i] + extra;
      }
    }
  }
}

fn store_mat(r: u32, c: u32, acc: mat4x4<f32>) {
  store_col(r, c, acc[0]);
  store_col(r, c + 1u, acc[1]);
  store_col(r, c + 2u, acc[2]);
  store_col(r, c + 3u, acc[3]);
}

@compute @workgroup_size(4, 4)
fn matmul_qvec4_big(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
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
fn matmul_qvec4_skinny(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
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
