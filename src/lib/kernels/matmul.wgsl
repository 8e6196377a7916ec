// Linear layer, HF/PyTorch weight layout (OC, C): out(N,OC) = inp(N,C) · weight(OC,C)ᵀ + bias(OC).
// One tiled core computes dst(M,P) = alpha · Σ_k A(m,k)·B(p,k) + beta · dst, with A and B read
// through strides, so forward, dinp and dweight are the same kernel with different strides:
//   forward  A = inp (N×C),   B = weight (OC×C)          M=N,  P=OC, K=C
//   dinp     A = dout (N×OC), B = weightᵀ (C×OC)         M=N,  P=C,  K=OC   (beta = 1: +=)
//   dweight  A = doutᵀ (OC×N), B = inpᵀ (C×N)            M=OC, P=C,  K=N    (beta = 1: +=)
// Tiles: a workgroup of 16×16 invocations owns a 64×64 block of dst, each invocation a 4×4
// register block; K advances 16 at a time through workgroup memory (2 × 4 KiB). Edges are
// zero-filled, so no size needs to be a multiple of a tile. dbias is a per-column row sum.

struct Params {
  M: u32,      // rows of dst
  P: u32,      // columns of dst (its row stride)
  K: u32,      // reduction length
  a_sm: u32,   // A(m,k) = a[m·a_sm + k·a_sk]
  a_sk: u32,
  b_sp: u32,   // B(p,k) = b[p·b_sp + k·b_sk]
  b_sk: u32,
  alpha: f32,  // scale of the product (LoRA's scale; 1 otherwise)
  beta: f32,   // 0: overwrite dst, 1: accumulate into dst
}

const BM: u32 = 64u;  // dst rows per workgroup
const BP: u32 = 64u;  // dst columns per workgroup
const BK: u32 = 16u;  // reduction slice held in workgroup memory
const TILE_LOADS: u32 = 4u;  // (BM·BK) / 256 elements of each tile loaded per invocation

@group(0) @binding(0) var<storage, read_write> dst: array<f32>;  // (M,P): out, dinp or dweight
@group(0) @binding(1) var<storage, read> a: array<f32>;          // forward inp (N,C); backward dout (N,OC)
@group(0) @binding(2) var<storage, read> b: array<f32>;          // forward weight (OC,C); dinp weight (OC,C); dweight inp (N,C)
@group(0) @binding(3) var<uniform> params: Params;
@group(0) @binding(4) var<storage, read> bias: array<f32>;       // (OC), matmul_forward_bias only

var<workgroup> a_tile: array<f32, 1024>;  // (BK, BM)
var<workgroup> b_tile: array<f32, 1024>;  // (BK, BP)

/** The 4×4 block of Σ_k A·B owned by this invocation: rows row0 + ly + 16i, cols col0 + lx + 16j. */
fn gemm_block(lx: u32, ly: u32, row0: u32, col0: u32) -> array<f32, 16> {
  let tid = ly * 16u + lx;
  var acc: array<f32, 16>;
  for (var k0 = 0u; k0 < params.K; k0 += BK) {
    for (var l = 0u; l < TILE_LOADS; l++) {
      let e = tid + l * 256u;
      // Walk global memory along its contiguous axis so neighbouring invocations load neighbours.
      var m: u32;
      var k: u32;
      if (params.a_sk == 1u) { m = e / BK; k = e % BK; } else { k = e / BM; m = e % BM; }
      var va = 0.0;
      if (row0 + m < params.M && k0 + k < params.K) {
        va = a[(row0 + m) * params.a_sm + (k0 + k) * params.a_sk];
      }
      a_tile[k * BM + m] = va;
      var p: u32;
      if (params.b_sk == 1u) { p = e / BK; k = e % BK; } else { k = e / BP; p = e % BP; }
      var vb = 0.0;
      if (col0 + p < params.P && k0 + k < params.K) {
        vb = b[(col0 + p) * params.b_sp + (k0 + k) * params.b_sk];
      }
      b_tile[k * BP + p] = vb;
    }
    workgroupBarrier();
    for (var k = 0u; k < BK; k++) {
      var av: array<f32, 4>;
      var bv: array<f32, 4>;
      for (var i = 0u; i < 4u; i++) {
        av[i] = a_tile[k * BM + ly + 16u * i];
        bv[i] = b_tile[k * BP + lx + 16u * i];
      }
      for (var i = 0u; i < 4u; i++) {
        for (var j = 0u; j < 4u; j++) {
          acc[i * 4u + j] = fma(av[i], bv[j], acc[i * 4u + j]);
        }
      }
    }
    workgroupBarrier();
  }
  return acc;
}

/** dst = alpha·product + extra + beta·dst, skipping positions outside (M,P); beta = 0 never reads dst. */
fn store(row: u32, col: u32, product: f32, extra: f32) {
  if (row >= params.M || col >= params.P) {
    return;
  }
  let idx = row * params.P + col;
  var v = fma(params.alpha, product, extra);
  if (params.beta != 0.0) {
    v = fma(params.beta, dst[idx], v);
  }
  dst[idx] = v;
}

/** The whole gemm for this workgroup's 64×64 block of dst (no bias). */
fn gemm(lid: vec3<u32>, wid: vec3<u32>) {
  let row0 = wid.y * BM;
  let col0 = wid.x * BP;
  let acc = gemm_block(lid.x, lid.y, row0, col0);
  for (var i = 0u; i < 4u; i++) {
    for (var j = 0u; j < 4u; j++) {
      store(row0 + lid.y + 16u * i, col0 + lid.x + 16u * j, acc[i * 4u + j], 0.0);
    }
  }
}

// out(N,OC) = alpha · inp·weightᵀ (+ beta·out)
@compute @workgroup_size(16, 16)
fn matmul_forward(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  gemm(lid, wid);
}

// out(N,OC) = alpha · inp·weightᵀ + bias (+ beta·out); the bias is not scaled by alpha
@compute @workgroup_size(16, 16)
fn matmul_forward_bias(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let row0 = wid.y * BM;
  let col0 = wid.x * BP;
  let acc = gemm_block(lid.x, lid.y, row0, col0);
  for (var j = 0u; j < 4u; j++) {
    let col = col0 + lid.x + 16u * j;
    var bj = 0.0;
    if (col < params.P) {
      bj = bias[col];
    }
    for (var i = 0u; i < 4u; i++) {
      store(row0 + lid.y + 16u * i, col, acc[i * 4u + j], bj);
    }
  }
}

// dinp(N,C) += dout(N,OC) · weight(OC,C)
@compute @workgroup_size(16, 16)
fn matmul_backward_dinp(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  gemm(lid, wid);
}

// dweight(OC,C) += dout(N,OC)ᵀ · inp(N,C)
@compute @workgroup_size(16, 16)
fn matmul_backward_dweight(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  gemm(lid, wid);
}

// ---- dbias bindings: dbias(OC) += Σ_rows dout(N,OC), one invocation per output channel ----
struct BiasParams {
  N: u32,   // rows
  OC: u32,  // output channels
  _pad0: u32,
  _pad1: u32,
}
@group(0) @binding(2) var<uniform> bias_params: BiasParams;

@compute @workgroup_size(64)
fn matmul_backward_dbias(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lidx: u32,
) {
  let o = (wid.y * nwg.x + wid.x) * 64u + lidx;
  let OC = bias_params.OC;
  if (o >= OC) {
    return;
  }
  var acc = 0.0;
  for (var n = 0u; n < bias_params.N; n++) {
    acc += a[n * OC + o];
  }
  dst[o] += acc;
}
