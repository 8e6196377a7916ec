// Rotary position embedding, HF Llama rotate_half convention: channel i pairs with i + HS/2
// (not interleaved), angle = pos · inv_freq[i] with inv_freq[i] = theta^(−2i/HS) (a table the
// wrapper computes in f64 once per (HS, theta), like HF's inv_freq buffer):
//   out[i] = x[i]·cos − x[i+HS/2]·sin,  out[i+HS/2] = x[i+HS/2]·cos + x[i]·sin   (i < HS/2)
// forward          out(N,NH,HS) = R·inp     one invocation per (n, head, i < HS/2)
// forward_inplace  x(N,NH,HS) = R·x         (a buffer cannot be bound twice when one binding writes)
// backward         dinp += Rᵀ·dout          (rotation by −angle; accumulates)
// sin/cos are our own (range reduction + polynomials, ~1e-7): WGSL's builtins only promise 2^-11.

struct Params {
  N: u32,   // rows
  NH: u32,  // heads (NKV for keys)
  HS: u32,  // head size, even
  _pad: u32,
}

const WG: u32 = 64u;
// π/2 split in three (Cody–Waite): k·PIO2_HI and k·PIO2_MID are exact for |k| < 2^14.
const PIO2_HI: f32 = 1.5703125;
const PIO2_MID: f32 = 4.8351287841796875e-4;
const PIO2_LO: f32 = 3.1391647326017846e-7;
const TWO_OVER_PI: f32 = 0.6366197723675814;

/** (cos, sin) of `angle`, accurate to ~1e-7 for |angle| < 2.5e4. */
fn cos_sin(angle: f32) -> vec2<f32> {
  let k = round(angle * TWO_OVER_PI);
  let r = ((angle - k * PIO2_HI) - k * PIO2_MID) - k * PIO2_LO;  // |r| ≤ π/4
  let r2 = r * r;
  let s = r + r * r2 * (-1.0 / 6.0 + r2 * (1.0 / 120.0 + r2 * (-1.0 / 5040.0 + r2 * (1.0 / 362880.0))));
  let c = 1.0 + r2 * (-0.5 + r2 * (1.0 / 24.0 + r2 * (-1.0 / 720.0 + r2 * (1.0 / 40320.0))));
  let q = i32(k) & 3;  // quadrant
  if (q == 0) { return vec2<f32>(c, s); }
  if (q == 1) { return vec2<f32>(-s, c); }
  if (q == 2) { return vec2<f32>(-c, -s); }
  return vec2<f32>(s, -c);
}

/** This invocation's pair as (head base offset, i < HS/2, row n, 1 if in range else 0). */
fn pair_index(p: Params, wid: vec3<u32>, nwg: vec3<u32>, lid: u32) -> vec4<u32> {
  let half = p.HS / 2u;
  let j = (wid.y * nwg.x + wid.x) * WG + lid;
  let valid = select(0u, 1u, j < p.N * p.NH * half);
  let i = j % half;
  let nh = j / half;  // n·NH + head
  return vec4<u32>(nh * p.HS, i, nh / p.NH, valid);
}

// ---- forward / backward bindings ----
@group(0) @binding(0) var<storage, read_write> dst: array<f32>;  // forward out (N,NH,HS); backward dinp (N,NH,HS) accumulated
@group(0) @binding(1) var<storage, read> src: array<f32>;        // forward inp (N,NH,HS); backward dout (N,NH,HS)
@group(0) @binding(2) var<storage, read> positions: array<i32>;  // (N)
@group(0) @binding(3) var<storage, read> inv_freq: array<f32>;   // (HS/2)
@group(0) @binding(4) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn rope_forward(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let at = pair_index(params, wid, nwg, lid);
  if (at.w == 0u) {
    return;
  }
  let i1 = at.x + at.y;
  let i2 = i1 + params.HS / 2u;
  let cs = cos_sin(f32(positions[at.z]) * inv_freq[at.y]);
  let x1 = src[i1];
  let x2 = src[i2];
  dst[i1] = x1 * cs.x - x2 * cs.y;
  dst[i2] = x2 * cs.x + x1 * cs.y;
}

@compute @workgroup_size(WG)
fn rope_backward(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let at = pair_index(params, wid, nwg, lid);
  if (at.w == 0u) {
    return;
  }
  let i1 = at.x + at.y;
  let i2 = i1 + params.HS / 2u;
  let cs = cos_sin(f32(positions[at.z]) * inv_freq[at.y]);
  let d1 = src[i1];
  let d2 = src[i2];
  // Rᵀ: rotation by −angle
  dst[i1] += d1 * cs.x + d2 * cs.y;
  dst[i2] += d2 * cs.x - d1 * cs.y;
}

// ---- forward_inplace bindings (one buffer fewer, so the numbers shift) ----
@group(0) @binding(0) var<storage, read_write> x: array<f32>;       // (N,NH,HS) rotated in place
@group(0) @binding(1) var<storage, read> positions_ip: array<i32>;  // (N)
@group(0) @binding(2) var<storage, read> inv_freq_ip: array<f32>;   // (HS/2)
@group(0) @binding(3) var<uniform> params_ip: Params;

@compute @workgroup_size(WG)
fn rope_forward_inplace(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let at = pair_index(params_ip, wid, nwg, lid);
  if (at.w == 0u) {
    return;
  }
  let i1 = at.x + at.y;
  let i2 = i1 + params_ip.HS / 2u;
  let cs = cos_sin(f32(positions_ip[at.z]) * inv_freq_ip[at.y]);
  let x1 = x[i1];
  let x2 = x[i2];
  x[i1] = x1 * cs.x - x2 * cs.y;
  x[i2] = x2 * cs.x + x1 * cs.y;
}
