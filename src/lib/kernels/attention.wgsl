// Causal self-attention with key padding and grouped-query heads; scale = 1/sqrt(HS).
// Query t of head h attends keys s ≤ t with keyValid[b,s] = 1 of kv head h / (NH/NKV), with a
// stable softmax (row max subtracted). A query with no valid key outputs zeros, keeps an all-zero
// att row and gets zero gradient (its att row is zero, so every term vanishes).
// forward       one invocation per (b, t, h): scores, then probabilities, in the att row (any T)
// backward_dq   one invocation per (b, t, h): dS = P·(dP − Σ P·dP)·scale into a scratch
//               dscores(B,NH,T,T) and dq += dS·k
// backward_dkv  one invocation per (b, s, kvh, i): dk += Σ_h Σ_t dS·q, dv += Σ_h Σ_t P·dout over
//               the query heads sharing the kv head (no atomics)

struct Params {
  B: u32,
  T: u32,
  NH: u32,     // query heads
  NKV: u32,    // kv heads, NH % NKV == 0
  HS: u32,     // head size
  scale: f32,  // 1/sqrt(HS)
  _pad0: u32,
  _pad1: u32,
}

const WG: u32 = 64u;

@group(0) @binding(3) var<storage, read> k: array<f32>;  // (B,T,NKV,HS)
@group(0) @binding(4) var<storage, read> v: array<f32>;  // (B,T,NKV,HS)
@group(0) @binding(6) var<uniform> params: Params;

/** (b, t, h) of a flat index over (B, T, NH). */
fn btn(row: u32) -> vec3<u32> {
  let h = row % params.NH;
  let bt = row / params.NH;
  return vec3<u32>(bt / params.T, bt % params.T, h);
}

// ---- forward bindings ----
@group(0) @binding(0) var<storage, read_write> out: array<f32>;  // (B,T,NH,HS)
@group(0) @binding(1) var<storage, read_write> att: array<f32>;  // (B,NH,T,T) probabilities, 0 where masked
@group(0) @binding(2) var<storage, read> q: array<f32>;          // (B,T,NH,HS)
@group(0) @binding(5) var<storage, read> key_valid: array<u32>;  // (B,T) 1 = real token, 0 = padding

@compute @workgroup_size(WG)
fn attention_forward(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let row = (wid.y * nwg.x + wid.x) * WG + lid;
  if (row >= params.B * params.T * params.NH) {
    return;
  }
  let T = params.T;
  let HS = params.HS;
  let NKV = params.NKV;
  let at = btn(row);
  let b = at.x;
  let t = at.y;
  let h = at.z;
  let kvh = h / (params.NH / NKV);
  let qo = row * HS;                      // q and out share the layout (B,T,NH,HS)
  let ao = ((b * params.NH + h) * T + t) * T;  // att row (b,h,t,:)
  // The att row itself holds the scores, then the probabilities (no private array: any T).
  var row_max = 0.0;
  var any_valid = false;
  for (var s = 0u; s < T; s++) {
    if (s > t || key_valid[b * T + s] == 0u) {
      att[ao + s] = 0.0;
      continue;
    }
    let ko = ((b * T + s) * NKV + kvh) * HS;
    var dot = 0.0;
    for (var i = 0u; i < HS; i++) {
      dot = fma(q[qo + i], k[ko + i], dot);
    }
    let score = dot * params.scale;
    att[ao + s] = score;
    if (!any_valid || score > row_max) {
      row_max = score;
    }
    any_valid = true;
  }
  var sum = 0.0;
  for (var s = 0u; s <= t; s++) {
    if (any_valid && key_valid[b * T + s] != 0u) {
      let e = exp(att[ao + s] - row_max);
      att[ao + s] = e;
      sum += e;
    }
  }
  let inv = select(0.0, 1.0 / sum, any_valid);
  for (var s = 0u; s <= t; s++) {
    att[ao + s] = att[ao + s] * inv;
  }
  for (var i = 0u; i < HS; i++) {
    var acc = 0.0;
    for (var s = 0u; s <= t; s++) {
      acc = fma(att[ao + s], v[((b * T + s) * NKV + kvh) * HS + i], acc);
    }
    out[qo + i] = acc;
  }
}

// ---- backward_dq bindings ----
@group(0) @binding(0) var<storage, read_write> dq: array<f32>;       // (B,T,NH,HS) accumulated
@group(0) @binding(1) var<storage, read_write> dscores: array<f32>;  // (B,NH,T,T) scratch: dS, 0 where masked
@group(0) @binding(2) var<storage, read> dout: array<f32>;           // (B,T,NH,HS)
@group(0) @binding(5) var<storage, read> att_in: array<f32>;         // (B,NH,T,T) from forward

@compute @workgroup_size(WG)
fn attention_backward_dq(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let row = (wid.y * nwg.x + wid.x) * WG + lid;
  if (row >= params.B * params.T * params.NH) {
    return;
  }
  let T = params.T;
  let HS = params.HS;
  let NKV = params.NKV;
  let at = btn(row);
  let b = at.x;
  let t = at.y;
  let h = at.z;
  let kvh = h / (params.NH / NKV);
  let qo = row * HS;
  let ao = ((b * params.NH + h) * T + t) * T;
  // The dscores row holds dP first, then dS (no private array: any T).
  var pdp = 0.0;              // Σ_s P_s·dP_s
  for (var s = 0u; s <= t; s++) {
    let prob = att_in[ao + s];
    var d = 0.0;
    if (prob != 0.0) {
      let vo = ((b * T + s) * NKV + kvh) * HS;
      for (var i = 0u; i < HS; i++) {
        d = fma(dout[qo + i], v[vo + i], d);
      }
    }
    dscores[ao + s] = d;
    pdp = fma(prob, d, pdp);
  }
  for (var s = 0u; s < T; s++) {
    var value = 0.0;
    if (s <= t) {
      value = att_in[ao + s] * (dscores[ao + s] - pdp) * params.scale;
    }
    dscores[ao + s] = value;
  }
  for (var i = 0u; i < HS; i++) {
    var acc = 0.0;
    for (var s = 0u; s <= t; s++) {
      acc = fma(dscores[ao + s], k[((b * T + s) * NKV + kvh) * HS + i], acc);
    }
    dq[qo + i] += acc;
  }
}

// ---- backward_dkv bindings ----
@group(0) @binding(0) var<storage, read_write> dk: array<f32>;  // (B,T,NKV,HS) accumulated
@group(0) @binding(1) var<storage, read_write> dv: array<f32>;  // (B,T,NKV,HS) accumulated
@group(0) @binding(3) var<storage, read> q_in: array<f32>;      // (B,T,NH,HS)
@group(0) @binding(4) var<storage, read> dscores_in: array<f32>;  // (B,NH,T,T) from backward_dq
// binding 2: dout (B,T,NH,HS), binding 5: att_in (B,NH,T,T), binding 6: params

@compute @workgroup_size(WG)
fn attention_backward_dkv(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let idx = (wid.y * nwg.x + wid.x) * WG + lid;
  let T = params.T;
  let HS = params.HS;
  let NH = params.NH;
  let NKV = params.NKV;
  if (idx >= params.B * T * NKV * HS) {
    return;
  }
  let i = idx % HS;
  let kvh = (idx / HS) % NKV;
  let bs = idx / (HS * NKV);
  let b = bs / T;
  let s = bs % T;
  let group = NH / NKV;
  var acc_k = 0.0;
  var acc_v = 0.0;
  for (var hh = 0u; hh < group; hh++) {
    let h = kvh * group + hh;
    for (var t = s; t < T; t++) {
      let a = ((b * NH + h) * T + t) * T + s;
      let prob = att_in[a];
      if (prob == 0.0) {
        continue;
      }
      let qo = ((b * T + t) * NH + h) * HS + i;
      acc_k = fma(dscores_in[a], q_in[qo], acc_k);
      acc_v = fma(prob, dout[qo], acc_v);
    }
  }
  dk[idx] += acc_k;
  dv[idx] += acc_v;
}
