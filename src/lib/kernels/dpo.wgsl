// Step-DPO loss on P preference pairs of sequence log-probs (policy and frozen reference):
//   z = beta·((pc − rc) − (pr − rr)),  loss_p = softplus(−z) = −log σ(z),  loss = mean_p loss_p
// dpo_forward   one invocation per pair: losses, chosen/rejected rewards, margins (= z)
// dpo_summary   one workgroup: summary(2) = [mean loss, accuracy = mean(margin > 0)]
// dpo_backward  one invocation per pair: dpc += −dloss·beta·σ(−z)/P, dpr += +dloss·beta·σ(−z)/P
// softplus and σ use overflow-free forms.

struct Params {
  P: u32,      // pairs
  beta: f32,   // DPO temperature
  dloss: f32,  // upstream gradient of the mean loss (backward)
  _pad: u32,
}

const WG: u32 = 64u;

@group(0) @binding(0) var<storage, read> policy_chosen: array<f32>;    // (P)
@group(0) @binding(1) var<storage, read> policy_rejected: array<f32>;  // (P)
@group(0) @binding(2) var<storage, read> ref_chosen: array<f32>;       // (P)
@group(0) @binding(3) var<storage, read> ref_rejected: array<f32>;     // (P)
@group(0) @binding(4) var<uniform> params: Params;

fn softplus(x: f32) -> f32 {
  return max(x, 0.0) + log(1.0 + exp(-abs(x)));
}

fn sigmoid(x: f32) -> f32 {
  let e = exp(-abs(x));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);
}

fn pair(wid: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 {
  return (wid.y * nwg.x + wid.x) * WG + lid;
}

// ---- forward bindings ----
@group(0) @binding(5) var<storage, read_write> losses: array<f32>;            // (P) softplus(−z)
@group(0) @binding(6) var<storage, read_write> chosen_rewards: array<f32>;    // (P) beta·(pc − rc)
@group(0) @binding(7) var<storage, read_write> rejected_rewards: array<f32>;  // (P) beta·(pr − rr)
@group(0) @binding(8) var<storage, read_write> margins: array<f32>;           // (P) z

@compute @workgroup_size(WG)
fn dpo_forward(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let p = pair(wid, nwg, lid);
  if (p >= params.P) {
    return;
  }
  let cr = params.beta * (policy_chosen[p] - ref_chosen[p]);
  let rr = params.beta * (policy_rejected[p] - ref_rejected[p]);
  let z = cr - rr;
  losses[p] = softplus(-z);
  chosen_rewards[p] = cr;
  rejected_rewards[p] = rr;
  margins[p] = z;
}

// ---- backward bindings ----
@group(0) @binding(5) var<storage, read_write> dpolicy_chosen: array<f32>;    // (P) accumulated
@group(0) @binding(6) var<storage, read_write> dpolicy_rejected: array<f32>;  // (P) accumulated

@compute @workgroup_size(WG)
fn dpo_backward(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let p = pair(wid, nwg, lid);
  if (p >= params.P) {
    return;
  }
  let cr = params.beta * (policy_chosen[p] - ref_chosen[p]);
  let rr = params.beta * (policy_rejected[p] - ref_rejected[p]);
  let g = params.dloss * params.beta * sigmoid(-(cr - rr)) / f32(params.P);
  dpolicy_chosen[p] -= g;
  dpolicy_rejected[p] += g;
}

// ---- summary bindings: one workgroup ----
@group(0) @binding(0) var<storage, read_write> summary: array<f32>;  // (2) [mean loss, accuracy]
@group(0) @binding(1) var<storage, read> losses_in: array<f32>;      // (P) from dpo_forward
@group(0) @binding(2) var<storage, read> margins_in: array<f32>;     // (P) from dpo_forward
@group(0) @binding(3) var<uniform> params_sum: Params;

var<workgroup> loss_part: array<f32, WG>;     // (WG)
var<workgroup> correct_part: array<f32, WG>;  // (WG)

@compute @workgroup_size(WG)
fn dpo_summary(@builtin(local_invocation_index) lid: u32) {
  var l = 0.0;
  var c = 0.0;
  for (var p = lid; p < params_sum.P; p += WG) {
    l += losses_in[p];
    c += select(0.0, 1.0, margins_in[p] > 0.0);
  }
  loss_part[lid] = l;
  correct_part[lid] = c;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride = stride / 2u) {
    if (lid < stride) {
      loss_part[lid] += loss_part[lid + stride];
      correct_part[lid] += correct_part[lid + stride];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let n = f32(params_sum.P);
    summary[0] = loss_part[0] / n;
    summary[1] = correct_part[0] / n;
  }
}
