// AdamW (PyTorch semantics: decoupled decay first, p *= 1 − lr·wd, then the bias-corrected Adam
// step) and global-norm gradient clipping as a two-pass reduction plus a scale:
// adamw_step         one invocation per element: m, v, p updated in place
// gradnorm_partial   G workgroups per gradient tensor, each writing Σg² of its grid-stride share
//                    to partials[offset + workgroup]
// gradnorm_finalize  one workgroup: norm(2) = [‖g‖₂, coef = min(1, max_norm / (‖g‖₂ + 1e-6))]
// gradnorm_scale     one invocation per element: g *= coef
// Element-wise grids are folded into x and y.

const WG: u32 = 64u;
const RWG: u32 = 256u;  // reduction workgroup size

fn flat(wid: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 {
  return (wid.y * nwg.x + wid.x) * WG + lid;
}

// ---- adamw_step bindings ----
struct AdamParams {
  n: u32,       // elements
  lr: f32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  decay: f32,   // 1 − lr·weight_decay (1 for norms and biases)
  bc1: f32,     // 1 − beta1^t
  bc2: f32,     // 1 − beta2^t
}
@group(0) @binding(0) var<storage, read_write> param: array<f32>;  // (n) updated in place
@group(0) @binding(1) var<storage, read> grad: array<f32>;         // (n)
@group(0) @binding(2) var<storage, read_write> m: array<f32>;      // (n) first moment
@group(0) @binding(3) var<storage, read_write> v: array<f32>;      // (n) second moment
@group(0) @binding(4) var<uniform> adam: AdamParams;

@compute @workgroup_size(WG)
fn adamw_step(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let j = flat(wid, nwg, lid);
  if (j >= adam.n) {
    return;
  }
  let g = grad[j];
  let mj = adam.beta1 * m[j] + (1.0 - adam.beta1) * g;
  let vj = adam.beta2 * v[j] + (1.0 - adam.beta2) * g * g;
  m[j] = mj;
  v[j] = vj;
  let mhat = mj / adam.bc1;
  let vhat = vj / adam.bc2;
  param[j] = param[j] * adam.decay - adam.lr * mhat / (sqrt(vhat) + adam.eps);
}

// ---- gradient-norm bindings ----
struct NormParams {
  n: u32,          // partial: tensor length; finalize: number of partials; scale: tensor length
  offset: u32,     // partial: first slot of this tensor in partials
  _pad: u32,
  max_norm: f32,   // finalize only
}
@group(0) @binding(0) var<storage, read_write> partials: array<f32>;  // (total partials) Σg² per workgroup
@group(0) @binding(1) var<storage, read> grad_in: array<f32>;         // (n) partial: one gradient tensor
@group(0) @binding(2) var<uniform> norm_params: NormParams;

var<workgroup> sums: array<f32, RWG>;  // (RWG)

/** Sum over the reduction workgroup (uniform control flow). */
fn workgroup_sum(lid: u32, value: f32) -> f32 {
  sums[lid] = value;
  workgroupBarrier();
  for (var stride = RWG / 2u; stride > 0u; stride = stride / 2u) {
    if (lid < stride) {
      sums[lid] += sums[lid + stride];
    }
    workgroupBarrier();
  }
  return sums[0];
}

@compute @workgroup_size(RWG)
fn gradnorm_partial(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  var ss = 0.0;
  for (var j = wid.x * RWG + lid; j < norm_params.n; j += nwg.x * RWG) {
    let g = grad_in[j];
    ss = fma(g, g, ss);
  }
  let total = workgroup_sum(lid, ss);
  if (lid == 0u) {
    partials[norm_params.offset + wid.x] = total;
  }
}

@group(0) @binding(1) var<storage, read_write> norm_out: array<f32>;  // (2) [‖g‖₂, clip coefficient]

@compute @workgroup_size(RWG)
fn gradnorm_finalize(@builtin(local_invocation_index) lid: u32) {
  var ss = 0.0;
  for (var j = lid; j < norm_params.n; j += RWG) {
    ss += partials[j];
  }
  let total = workgroup_sum(lid, ss);
  if (lid == 0u) {
    let norm = sqrt(total);
    norm_out[0] = norm;
    norm_out[1] = min(1.0, norm_params.max_norm / (norm + 1e-6));
  }
}

@group(0) @binding(0) var<storage, read_write> grad_scaled: array<f32>;  // (n) scaled in place
@group(0) @binding(1) var<storage, read> norm_in: array<f32>;            // (2) from gradnorm_finalize

@compute @workgroup_size(WG)
fn gradnorm_scale(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let j = flat(wid, nwg, lid);
  if (j >= norm_params.n) {
    return;
  }
  grad_scaled[j] = grad_scaled[j] * norm_in[1];
}
