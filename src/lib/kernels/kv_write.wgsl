// KV-cache write: scatter new rows into cache slots (CPU twin: kvWrite in
// src/lib/ref/cached-attention.ts). One invocation per (b, tq, d):
// cache[b, write_pos[b,tq], d] = rows[b,tq,d]; write_pos < 0 skips the row.

struct Params {
  B: u32,
  Tq: u32,   // new rows per batch row
  S: u32,    // cache slots per batch row
  D: u32,    // row width (NKV*HS)
}

const WG: u32 = 64u;

@group(0) @binding(0) var<storage, read_write> cache: array<f32>;  // (B,S,D)
@group(0) @binding(1) var<storage, read> rows: array<f32>;         // (B,Tq,D)
@group(0) @binding(2) var<storage, read> write_pos: array<i32>;    // (B,Tq)
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn kv_write_forward(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let idx = (wid.y * nwg.x + wid.x) * WG + lid; // over (B, Tq, D)
  let D = params.D;
  if (idx >= params.B * params.Tq * D) {
    return;
  }
  let d = idx % D;
  let bt = idx / D;
  let b = bt / params.Tq;
  let slot = write_pos[bt];
  if (slot < 0 || u32(slot) >= params.S) {
    return;
  }
  cache[(b * params.S + u32(slot)) * D + d] = rows[idx];
}
