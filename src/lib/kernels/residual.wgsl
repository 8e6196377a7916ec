// Residual stream adds, element-wise over n values (1-D grids folded into x and y).
// residual_forward  out = a + b
// add_forward       out += alpha · inp   (in place; residual backward is da += dout, db += dout,
//                                         and LoRA / gradient accumulation use it with alpha ≠ 1)

struct Params {
  n: u32,      // element count
  alpha: f32,  // add_forward's scale of inp (residual_forward ignores it)
  _pad0: u32,
  _pad1: u32,
}

const WG: u32 = 64u;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;  // (n)
@group(0) @binding(2) var<storage, read> a: array<f32>;          // (n) residual_forward's a; add_forward's inp
@group(0) @binding(3) var<storage, read> b: array<f32>;          // (n) residual_forward only

fn flat(wid: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 {
  return (wid.y * nwg.x + wid.x) * WG + lid;
}

@compute @workgroup_size(WG)
fn residual_forward(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let j = flat(wid, nwg, lid);
  if (j < params.n) {
    out[j] = a[j] + b[j];
  }
}

@compute @workgroup_size(WG)
fn add_forward(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let j = flat(wid, nwg, lid);
  if (j < params.n) {
    out[j] = fma(params.alpha, a[j], out[j]);
  }
}
