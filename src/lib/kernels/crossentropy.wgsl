// Cross-entropy over the vocabulary, two forms sharing one stable log-sum-exp per row:
//  SFT      losses[n] = w_n·(lse_n − logits[n, target_n]);  loss = Σ losses / Σ w  (0 if Σ w = 0)
//  seq-logp seqLogp[b] = Σ_t mask[b,t]·(logits[b,t,target] − lse[b,t])  (DPO's span log-prob)
// crossentropy_forward / seqlogp_forward  one workgroup per row: max and Σexp reductions over V,
//                                         lse(N) written for every row
// crossentropy_loss                       one workgroup: loss(2) = [Σ losses / Σ w, Σ w]
// crossentropy_weight_sum                 one workgroup: loss(2) = [0, Σ w] (what backward needs)
// seqlogp_reduce                          one invocation per sequence: Σ over T of the token terms
// crossentropy_backward / seqlogp_backward  one invocation per (n, v): dlogits += … (accumulate)
// WEIGHTED = false reads no weights (all 1). A target outside [0, V) on a scored row is treated as
// not scored (the CPU twin throws: validate targets before upload).

struct Params {
  N: u32,      // rows (= B·T)
  V: u32,      // vocabulary size
  T: u32,      // tokens per sequence (seq-logp)
  dloss: f32,  // upstream gradient of the scalar loss (crossentropy_backward)
}

override WEIGHTED: bool = true;
const WG: u32 = 64u;

var<workgroup> scratch: array<f32, WG>;  // (WG) reduction scratch

@group(0) @binding(1) var<storage, read_write> lse: array<f32>;  // (N) log-sum-exp per row (forward writes, backward reads)
@group(0) @binding(2) var<storage, read> logits: array<f32>;     // (N,V)
@group(0) @binding(3) var<storage, read> targets: array<i32>;    // (N)
@group(0) @binding(5) var<uniform> params: Params;

fn valid_target(t: i32) -> bool {
  return t >= 0 && u32(t) < params.V;
}

/** log Σ_v exp(logits[row, v]), max-subtracted; call from uniform control flow. */
fn row_logsumexp(row: u32, lid: u32) -> f32 {
  let V = params.V;
  let base = row * V;
  var m = -3.0e38;
  for (var j = lid; j < V; j += WG) {
    m = max(m, logits[base + j]);
  }
  scratch[lid] = m;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride = stride / 2u) {
    if (lid < stride) {
      scratch[lid] = max(scratch[lid], scratch[lid + stride]);
    }
    workgroupBarrier();
  }
  let row_max = scratch[0];
  workgroupBarrier();
  var s = 0.0;
  for (var j = lid; j < V; j += WG) {
    s += exp(logits[base + j] - row_max);
  }
  scratch[lid] = s;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride = stride / 2u) {
    if (lid < stride) {
      scratch[lid] += scratch[lid + stride];
    }
    workgroupBarrier();
  }
  let total = scratch[0];
  workgroupBarrier();
  return row_max + log(total);
}

// ---- crossentropy_forward bindings ----
@group(0) @binding(0) var<storage, read_write> losses: array<f32>;  // (N) weighted per-row loss
@group(0) @binding(4) var<storage, read> weights: array<f32>;       // (N) 0 = not scored (unread unless WEIGHTED)

fn weight_of(n: u32) -> f32 {
  if (WEIGHTED) {
    return weights[n];
  }
  return 1.0;
}

@compute @workgroup_size(WG)
fn crossentropy_forward(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let row = wid.y * nwg.x + wid.x;
  if (row >= params.N) {
    return;
  }
  let l = row_logsumexp(row, lid);
  if (lid == 0u) {
    lse[row] = l;
    let w = weight_of(row);
    let t = targets[row];
    var loss = 0.0;
    if (w != 0.0 && valid_target(t)) {
      loss = w * (l - logits[row * params.V + u32(t)]);
    }
    losses[row] = loss;
  }
}

// ---- crossentropy_backward bindings (also 1 lse, 2 logits, 3 targets, 4 weights, 5 params) ----
@group(0) @binding(0) var<storage, read_write> dlogits: array<f32>;  // (N,V) accumulated
@group(0) @binding(6) var<storage, read> loss_in: array<f32>;        // (2) [_, Σ w] from crossentropy_weight_sum

@compute @workgroup_size(WG)
fn crossentropy_backward(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let j = (wid.y * nwg.x + wid.x) * WG + lid;
  let V = params.V;
  if (j >= params.N * V) {
    return;
  }
  let n = j / V;
  let w = weight_of(n);
  let wsum = loss_in[1];
  let t = targets[n];
  if (w == 0.0 || wsum == 0.0 || !valid_target(t)) {
    return;
  }
  let g = params.dloss * w / wsum;
  let onehot = select(0.0, 1.0, u32(t) == j % V);
  dlogits[j] += g * (exp(logits[j] - lse[n]) - onehot);
}

// ---- seqlogp_forward bindings (also 1 lse, 2 logits, 3 targets, 5 params) ----
@group(0) @binding(0) var<storage, read_write> token_logp: array<f32>;  // (N) mask·log p(target), scratch
@group(0) @binding(4) var<storage, read> span_mask: array<u32>;         // (N) 1 = token of the scored span

@compute @workgroup_size(WG)
fn seqlogp_forward(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let row = wid.y * nwg.x + wid.x;
  if (row >= params.N) {
    return;
  }
  let l = row_logsumexp(row, lid);
  if (lid == 0u) {
    lse[row] = l;
    let t = targets[row];
    var value = 0.0;
    if (span_mask[row] != 0u && valid_target(t)) {
      value = logits[row * params.V + u32(t)] - l;
    }
    token_logp[row] = value;
  }
}

// ---- seqlogp_backward bindings (also 1 lse, 2 logits, 3 targets, 4 span_mask, 5 params) ----
@group(0) @binding(6) var<storage, read> dseq_logp: array<f32>;  // (B) upstream gradient per sequence

@compute @workgroup_size(WG)
fn seqlogp_backward(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let j = (wid.y * nwg.x + wid.x) * WG + lid;
  let V = params.V;
  if (j >= params.N * V) {
    return;
  }
  let n = j / V;
  let t = targets[n];
  let g = dseq_logp[n / params.T];
  if (span_mask[n] == 0u || g == 0.0 || !valid_target(t)) {
    return;
  }
  let onehot = select(0.0, 1.0, u32(t) == j % V);
  dlogits[j] += g * (onehot - exp(logits[j] - lse[n]));
}

// ---- crossentropy_loss bindings: one workgroup ----
@group(0) @binding(0) var<storage, read_write> loss_out: array<f32>;  // (2) [Σ losses / Σ w, Σ w]
@group(0) @binding(1) var<storage, read> losses_in: array<f32>;       // (N) from crossentropy_forward
@group(0) @binding(2) var<storage, read> weights_in: array<f32>;      // (N) (unread unless WEIGHTED)
@group(0) @binding(3) var<uniform> params_loss: Params;

var<workgroup> scratch_w: array<f32, WG>;  // (WG) Σ w reduction

@compute @workgroup_size(WG)
fn crossentropy_loss(@builtin(local_invocation_index) lid: u32) {
  var sl = 0.0;
  var sw = 0.0;
  for (var n = lid; n < params_loss.N; n += WG) {
    sl += losses_in[n];
    if (WEIGHTED) {
      sw += weights_in[n];
    } else {
      sw += 1.0;
    }
  }
  scratch[lid] = sl;
  scratch_w[lid] = sw;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride = stride / 2u) {
    if (lid < stride) {
      scratch[lid] += scratch[lid + stride];
      scratch_w[lid] += scratch_w[lid + stride];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let total_w = scratch_w[0];
    loss_out[0] = select(scratch[0] / total_w, 0.0, total_w == 0.0);
    loss_out[1] = total_w;
  }
}

// ---- crossentropy_weight_sum bindings: one workgroup ----
@group(0) @binding(1) var<storage, read> weights_ws: array<f32>;  // (N) (unread unless WEIGHTED)
@group(0) @binding(2) var<uniform> params_ws: Params;
// binding 0: loss_out (2), written [0, Σ w]

@compute @workgroup_size(WG)
fn crossentropy_weight_sum(@builtin(local_invocation_index) lid: u32) {
  var sw = 0.0;
  for (var n = lid; n < params_ws.N; n += WG) {
    if (WEIGHTED) {
      sw += weights_ws[n];
    } else {
      sw += 1.0;
    }
  }
  scratch_w[lid] = sw;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride = stride / 2u) {
    if (lid < stride) {
      scratch_w[lid] += scratch_w[lid + stride];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    loss_out[0] = 0.0;
    loss_out[1] = scratch_w[0];
  }
}

// ---- seqlogp_reduce bindings: one invocation per sequence ----
@group(0) @binding(0) var<storage, read_write> seq_logp: array<f32>;  // (B)
@group(0) @binding(1) var<storage, read> token_logp_in: array<f32>;   // (N) from seqlogp_forward
@group(0) @binding(2) var<uniform> params_seq: Params;

@compute @workgroup_size(WG)
fn seqlogp_reduce(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let b = (wid.y * nwg.x + wid.x) * WG + lid;
  let T = params_seq.T;
  if (b >= params_seq.N / T) {
    return;
  }
  var s = 0.0;
  for (var t = 0u; t < T; t++) {
    s += token_logp_in[b * T + t];
  }
  seq_logp[b] = s;
}
