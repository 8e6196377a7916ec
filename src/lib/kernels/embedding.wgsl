// Token embedding lookup and its backward, without float atomics.
// forward:  out(N,C) = wte(V,C)[tokens(N)]           one invocation per (n, c)
// backward: dwte(V,C) += Σ_{n: tokens[n] = v} dout(n,c)  one invocation per (v, c), looping over N
// A token outside [0, V) reads as a zero row and is ignored by backward (the CPU twin throws:
// validate tokens before upload). 1-D grids are folded into x and y.

struct Params {
  N: u32,  // rows (= B·T)
  C: u32,  // channels
  V: u32,  // vocabulary size
  _pad: u32,
}

const WG: u32 = 64u;

@group(0) @binding(3) var<uniform> params: Params;

// ---- forward bindings ----
@group(0) @binding(0) var<storage, read_write> out: array<f32>;  // (N,C)
@group(0) @binding(1) var<storage, read> tokens: array<i32>;     // (N)
@group(0) @binding(2) var<storage, read> wte: array<f32>;        // (V,C)

@compute @workgroup_size(WG)
fn embedding_forward(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = (wid.y * nwg.x + wid.x) * WG + lid;
  let C = params.C;
  if (i >= params.N * C) {
    return;
  }
  let n = i / C;
  let c = i % C;
  let tok = tokens[n];
  var value = 0.0;
  if (tok >= 0 && u32(tok) < params.V) {
    value = wte[u32(tok) * C + c];
  }
  out[i] = value;
}

// ---- backward bindings ----
@group(0) @binding(0) var<storage, read_write> dwte: array<f32>;  // (V,C) accumulated
@group(0) @binding(1) var<storage, read> dout: array<f32>;        // (N,C)
@group(0) @binding(2) var<storage, read> tokens_b: array<i32>;    // (N)

@compute @workgroup_size(WG)
fn embedding_backward(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = (wid.y * nwg.x + wid.x) * WG + lid;
  let C = params.C;
  if (i >= params.V * C) {
    return;
  }
  let v = i32(i / C);
  let c = i % C;
  var acc = 0.0;
  for (var n = 0u; n < params.N; n++) {
    if (tokens_b[n] == v) {
      acc += dout[n * C + c];
    }
  }
  dwte[i] += acc;
}
