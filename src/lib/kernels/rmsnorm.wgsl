// RMSNorm, HF Llama convention: rstd = 1/sqrt(mean(x²) + eps), out = x · rstd · weight.
// forward           one workgroup per row: reduce Σx² over C, write rstd(N) and out(N,C)
// backward          one workgroup per row: dinp += rstd·(g − x̂·mean(g·x̂)), g = dout·weight, x̂ = x·rstd
// backward_dweight  one invocation per channel c: dweight[c] += Σ_rows dout·x̂ (no atomics)
// Rows fold into x and y of the grid.

struct Params {
  N: u32,    // rows
  C: u32,    // channels
  eps: f32,  // added to mean(x²)
  _pad: u32,
}

const WG: u32 = 64u;

var<workgroup> partial: array<f32, WG>;  // (WG) reduction scratch

/** Sum of `value` over the workgroup (call from uniform control flow). */
fn workgroup_sum(lid: u32, value: f32) -> f32 {
  partial[lid] = value;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride = stride / 2u) {
    if (lid < stride) {
      partial[lid] += partial[lid + stride];
    }
    workgroupBarrier();
  }
  let total = partial[0];
  workgroupBarrier();
  return total;
}

@group(0) @binding(2) var<storage, read> inp: array<f32>;     // (N,C)
@group(0) @binding(3) var<storage, read> weight: array<f32>;  // (C)
@group(0) @binding(4) var<uniform> params: Params;

// ---- forward bindings ----
@group(0) @binding(0) var<storage, read_write> out: array<f32>;       // (N,C)
@group(0) @binding(1) var<storage, read_write> rstd_out: array<f32>;  // (N)

@compute @workgroup_size(WG)
fn rmsnorm_forward(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let row = wid.y * nwg.x + wid.x;
  if (row >= params.N) {
    return;
  }
  let C = params.C;
  let base = row * C;
  var ss = 0.0;
  for (var c = lid; c < C; c += WG) {
    let x = inp[base + c];
    ss = fma(x, x, ss);
  }
  let total = workgroup_sum(lid, ss);
  let r = 1.0 / sqrt(total / f32(C) + params.eps);
  if (lid == 0u) {
    rstd_out[row] = r;
  }
  for (var c = lid; c < C; c += WG) {
    out[base + c] = inp[base + c] * r * weight[c];
  }
}

// ---- backward (dinp) bindings ----
@group(0) @binding(0) var<storage, read_write> dinp: array<f32>;  // (N,C) accumulated
@group(0) @binding(1) var<storage, read> dout: array<f32>;        // (N,C)
@group(0) @binding(5) var<storage, read> rstd: array<f32>;        // (N) from forward

@compute @workgroup_size(WG)
fn rmsnorm_backward(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let row = wid.y * nwg.x + wid.x;
  if (row >= params.N) {
    return;
  }
  let C = params.C;
  let base = row * C;
  let r = rstd[row];
  var dot = 0.0;  // Σ_c g_c · x̂_c
  for (var c = lid; c < C; c += WG) {
    dot += dout[base + c] * weight[c] * inp[base + c] * r;
  }
  let mean_dot = workgroup_sum(lid, dot) / f32(C);
  for (var c = lid; c < C; c += WG) {
    let g = dout[base + c] * weight[c];
    let xhat = inp[base + c] * r;
    dinp[base + c] += r * (g - xhat * mean_dot);
  }
}

// ---- backward (dweight) bindings: binding 3 is rstd here, not weight ----
@group(0) @binding(0) var<storage, read_write> dweight: array<f32>;  // (C) accumulated
@group(0) @binding(3) var<storage, read> rstd_dw: array<f32>;        // (N) from forward

@compute @workgroup_size(WG)
fn rmsnorm_backward_dweight(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let c = (wid.y * nwg.x + wid.x) * WG + lid;
  let C = params.C;
  if (c >= C) {
    return;
  }
  var acc = 0.0;
  for (var n = 0u; n < params.N; n++) {
    acc += dout[n * C + c] * inp[n * C + c] * rstd_dw[n];
  }
  dweight[c] += acc;
}
