// Attention of new queries over a KV cache, for incremental decoding (CPU twin:
// src/lib/ref/cached-attention.ts). One invocation per (b, tq, h): the query at absolute position
// q_pos[b,tq] attends cache slots s ≤ q_pos with key_valid[b,s] = 1 of kv head h / (NH/NKV);
// three passes over the slots (max, sum, weighted values): no private score array, any S.

struct Params {
  B: u32,
  Tq: u32,     // new queries per row
  S: u32,      // cache slots per row
  NH: u32,
  NKV: u32,
  HS: u32,     // head size
  scale: f32,  // 1/sqrt(HS)
  _pad0: u32,
}

const WG: u32 = 64u;

@group(0) @binding(0) var<storage, read_write> out: array<f32>;   // (B,Tq,NH,HS)
@group(0) @binding(1) var<storage, read> q: array<f32>;           // (B,Tq,NH,HS)
@group(0) @binding(2) var<storage, read> k_cache: array<f32>;     // (B,S,NKV,HS)
@group(0) @binding(3) var<storage, read> v_cache: array<f32>;     // (B,S,NKV,HS)
@group(0) @binding(4) var<storage, read> key_valid: array<u32>;   // (B,S)
@group(0) @binding(5) var<storage, read> pos: array<i32>;         // (B,Tq) absolute position of each query
@group(0) @binding(6) var<uniform> params: Params;

fn flat(wid: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 {
  return (wid.y * nwg.x + wid.x) * WG + lid;
}

@compute @workgroup_size(WG)
fn cached_attention_forward(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let row = flat(wid, nwg, lid); // over (B, Tq, NH)
  if (row >= params.B * params.Tq * params.NH) {
    return;
  }
  let HS = params.HS;
  let S = params.S;
  let h = row % params.NH;
  let bt = row / params.NH;        // b * Tq + tq
  let b = bt / params.Tq;
  let p = pos[bt];
  let kvh = h / (params.NH / params.NKV);
  let qo = row * HS;
  for (var i = 0u; i < HS; i++) {
    out[qo + i] = 0.0;
  }
  // pass 1: the max score over attended slots
  var maxScore = -3.0e38;
  var found = false;
  for (var s = 0u; s < S; s++) {
    if (i32(s) > p || key_valid[b * S + s] == 0u) {
      continue;
    }
    let ko = ((b * S + s) * params.NKV + kvh) * HS;
    var dot = 0.0;
    for (var i = 0u; i < HS; i++) {
      dot += q[qo + i] * k_cache[ko + i];
    }
    maxScore = max(maxScore, dot * params.scale);
    found = true;
  }
  if (!found) {
    return;
  }
  // pass 2: the softmax denominator
  var sum = 0.0;
  for (var s = 0u; s < S; s++) {
    if (i32(s) > p || key_valid[b * S + s] == 0u) {
      continue;
    }
    let ko = ((b * S + s) * params.NKV + kvh) * HS;
    var dot = 0.0;
    for (var i = 0u; i < HS; i++) {
      dot += q[qo + i] * k_cache[ko + i];
    }
    sum += exp(dot * params.scale - maxScore);
  }
  // pass 3: the weighted values
  for (var s = 0u; s < S; s++) {
    if (i32(s) > p || key_valid[b * S + s] == 0u) {
      continue;
    }
    let ko = ((b * S + s) * params.NKV + kvh) * HS;
    var dot = 0.0;
    for (var i = 0u; i < HS; i++) {
      dot += q[qo + i] * k_cache[ko + i];
    }
    let w = exp(dot * params.scale - maxScore) / sum;
    for (var i = 0u; i < HS; i++) {
      out[qo + i] += w * v_cache[ko + i];
    }
  }
}
