// The adapter's arithmetic ceiling: every invocation runs a long chain of independent register
// FMAs on 8 accumulators (no memory traffic inside the loop) and writes one value, so nothing is
// optimised away. FLOPs per invocation = 2 · 8 accumulators · 4 (unrolled) · iters.
// The multiplier is just below 1 and the addend tiny, so values stay finite for any iters.
// USE_FMA = false runs the same chain as a·x + y (a multiply and an add): SwiftShader lowers fma()
// to a much slower sequence than mul + add, so the report shows both ceilings.

struct Params {
  iters: u32,  // loop trips; each does 32 FMAs
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

override USE_FMA: bool = true;

@group(0) @binding(0) var<storage, read_write> out: array<f32>;  // (invocations) one sum each
@group(0) @binding(1) var<uniform> params: Params;

const WG: u32 = 64u;

fn step(a: f32, x: f32, y: f32) -> f32 {
  if (USE_FMA) {
    return fma(a, x, y);
  }
  return a * x + y;
}

@compute @workgroup_size(64)
fn fma_probe(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lidx: u32,
) {
  let idx = (wid.y * nwg.x + wid.x) * WG + lidx;
  // Per-invocation operands the compiler cannot fold into constants.
  let x = 0.999 - f32(idx & 255u) * 1e-6;
  let y = 1e-7 * f32((idx >> 8u) & 15u);
  var a0 = f32(idx & 7u) * 0.125;
  var a1 = a0 + 0.1;
  var a2 = a0 + 0.2;
  var a3 = a0 + 0.3;
  var a4 = a0 + 0.4;
  var a5 = a0 + 0.5;
  var a6 = a0 + 0.6;
  var a7 = a0 + 0.7;
  for (var i = 0u; i < params.iters; i++) {
    a0 = step(a0, x, y); a1 = step(a1, x, y); a2 = step(a2, x, y); a3 = step(a3, x, y);
    a4 = step(a4, x, y); a5 = step(a5, x, y); a6 = step(a6, x, y); a7 = step(a7, x, y);
    a0 = step(a0, x, y); a1 = step(a1, x, y); a2 = step(a2, x, y); a3 = step(a3, x, y);
    a4 = step(a4, x, y); a5 = step(a5, x, y); a6 = step(a6, x, y); a7 = step(a7, x, y);
    a0 = step(a0, x, y); a1 = step(a1, x, y); a2 = step(a2, x, y); a3 = step(a3, x, y);
    a4 = step(a4, x, y); a5 = step(a5, x, y); a6 = step(a6, x, y); a7 = step(a7, x, y);
    a0 = step(a0, x, y); a1 = step(a1, x, y); a2 = step(a2, x, y); a3 = step(a3, x, y);
    a4 = step(a4, x, y); a5 = step(a5, x, y); a6 = step(a6, x, y); a7 = step(a7, x, y);
  }
  out[idx] = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7));
}
