// Linear layer on a quantized frozen weight W(OC,C), dequantized on the fly while tiles are loaded
// (formats: src/lib/model/quant.ts; CPU twin: src/lib/ref/matmul-quant.ts):
//   forward         out(N,OC)  = inp(N,C)·Wᵀ + bias     dst(M,P) = Σ_k A(m,k)·B(p,k), M=N, P=OC, K=C,  B(p,k) = W(p,k)
//   backward_input  dinp(N,C) += dout(N,OC)·W           M=N, P=C,  K=OC, B(p,k) = W(k,p)
// The weight buffer `w` is one array<u32>: the packed data, then (from word scale_off) the scales' f32 bits.
//   int8: byte o·C + c of the data (4 weights per word, little-endian), sign-extended; W = q·scale[o]
//   q4:   row o starts at word o·G·4; column c is nibble c%8 of word c/8 (low bits first); W = (u − 8)·scale[o·G + c/32]
// Tiles as in matmul.wgsl: 16×16 invocations own a 64×64 block of dst, 4×4 registers each, K advances 16
// at a time through workgroup memory; edges are zero-filled, so no size needs to be a multiple of a tile.

struct Params {
  M: u32,          // rows of dst (N)
  P: u32,          // columns of dst (its row stride): OC forward, C backward_input
  K: u32,          // reduction length: C forward, OC backward_input (also A's row stride)
  C: u32,          // weight columns (in features)
  G: u32,          // q4 groups per row, ceil(C/32) (unused by int8)
  scale_off: u32,  // word index of the first scale in w
  has_bias: u32,   // forward: 1 = add bias, 0 = bias is a placeholder
  _pad: u32,
}

const BM: u32 = 64u;  // dst rows per workgroup
const BP: u32 = 64u;  // dst columns per workgroup
const BK: u32 = 16u;  // reduction slice held in workgroup memory
const TILE_LOADS: u32 = 4u;  // (BM·BK) / 256 elements of each tile loaded per invocation
const FMT_INT8: u32 = 0u;
const FMT_Q4: u32 = 1u;

@group(0) @binding(0) var<storage, read_write> dst: array<f32>;  // forward out (N,OC); backward dinp (N,C)
@group(0) @binding(1) var<storage, read> a: array<f32>;          // forward inp (N,C); backward dout (N,OC)
@group(0) @binding(2) var<storage, read> w: array<u32>;          // packed W (OC,C) + scales
@group(0) @binding(3) var<uniform> params: Params;
@group(0) @binding(4) var<storage, read> bias: array<f32>;       // (OC), forward only

var<workgroup> a_tile: array<f32, 1024>;  // (BK, BM)
var<workgroup> b_tile: array<f32, 1024>;  // (BK, BP)

fn scale_at(i: u32) -> f32 {
  return bitcast<f32>(w[params.scale_off + i]);
}

/** W(o,c) from int8: byte o·C + c, sign-extended by shifting it to the top of an i32 and back. */
fn w_int8(o: u32, c: u32) -> f32 {
  let idx = o * params.C + c;
  let word = w[idx >> 2u];
  let q = bitcast<i32>(word << (24u - 8u * (idx & 3u))) >> 24u;
  return f32(q) * scale_at(o);
}

/** W(o,c) from q4: nibble c%8 of word c/8 of row o, minus 8. */
fn w_q4(o: u32, c: u32) -> f32 {
  let word = w[o * params.G * 4u + (c >> 3u)];
  let q = i32((word >> (4u * (c & 7u))) & 0xfu) - 8;
  return f32(q) * scale_at(o * params.G + (c >> 5u));
}

fn w_at(fmt: u32, o: u32, c: u32) -> f32 {
  if (fmt == FMT_INT8) {
    return w_int8(o, c);
  }
  return w_q4(o, c);
}

/** The 4×4 block of Σ_k A·B owned by this invocation: rows row0 + ly + 16i, cols col0 + lx + 16j. */
fn gemm_block(lx: u32, ly: u32, row0: u32, col0: u32, fmt: u32, transposed: bool) -> array<f32, 16> {
  let tid = ly * 16u + lx;
  var acc: array<f32, 16>;
  for (var k0 = 0u; k0 < params.K; k0 += BK) {
    for (var l = 0u; l < TILE_LOADS; l++) {
      let e = tid + l * 256u;
      // A is row-major (M,K): neighbouring invocations walk k.
      let am = e / BK;
      let ak = e % BK;
      var va = 0.0;
      if (row0 + am < params.M && k0 + ak < params.K) {
        va = a[(row0 + am) * params.K + k0 + ak];
      }
      a_tile[ak * BM + am] = va;
      // B: forward B(p,k) = W(p,k) is contiguous along k; backward B(p,k) = W(k,p) along p.
      var p: u32;
      var k: u32;
      if (transposed) { k = e / BP; p = e % BP; } else { p = e / BK; k = e % BK; }
      var vb = 0.0;
      if (col0 + p < params.P && k0 + k < params.K) {
        if (transposed) {
          vb = w_at(fmt, k0 + k, col0 + p);
        } else {
          vb = w_at(fmt, col0 + p, k0 + k);
        }
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

/** out = acc (+ bias): overwrites dst. */
fn forward(lid: vec3<u32>, wid: vec3<u32>, fmt: u32) {
  let row0 = wid.y * BM;
  let col0 = wid.x * BP;
  let acc = gemm_block(lid.x, lid.y, row0, col0, fmt, false);
  for (var j = 0u; j < 4u; j++) {
    let col = col0 + lid.x + 16u * j;
    if (col >= params.P) {
      continue;
    }
    var bj = 0.0;
    if (params.has_bias != 0u) {
      bj = bias[col];
    }
    for (var i = 0u; i < 4u; i++) {
      let row = row0 + lid.y + 16u * i;
      if (row < params.M) {
        dst[row * params.P + col] = acc[i * 4u + j] + bj;
      }
    }
  }
}

/** dinp += acc. */
fn backward_input(lid: vec3<u32>, wid: vec3<u32>, fmt: u32) {
  let row0 = wid.y * BM;
  let col0 = wid.x * BP;
  let acc = gemm_block(lid.x, lid.y, row0, col0, fmt, true);
  for (var i = 0u; i < 4u; i++) {
    let row = row0 + lid.y + 16u * i;
    for (var j = 0u; j < 4u; j++) {
      let col = col0 + lid.x + 16u * j;
      if (row < params.M && col < params.P) {
        let idx = row * params.P + col;
        dst[idx] = dst[idx] + acc[i * 4u + j];
      }
    }
  }
}

// out(N,OC) = inp(N,C)·Wᵀ + bias, W int8 per output channel
@compute @workgroup_size(16, 16)
fn matmul_int8_forward(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  forward(lid, wid, FMT_INT8);
}

// out(N,OC) = inp(N,C)·Wᵀ + bias, W q4 in groups of 32
@compute @workgroup_size(16, 16)
fn matmul_q4_forward(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  forward(lid, wid, FMT_Q4);
}

// dinp(N,C) += dout(N,OC)·W, W int8
@compute @workgroup_size(16, 16)
fn matmul_int8_backward_input(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  backward_input(lid, wid, FMT_INT8);
}

// dinp(N,C) += dout(N,OC)·W, W q4
@compute @workgroup_size(16, 16)
fn matmul_q4_backward_input(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  backward_input(lid, wid, FMT_Q4);
}
