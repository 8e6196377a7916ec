// Self-test kernel: out = a * x + y, element-wise (saxpy). Proves a WGSL compute shader
// really ran on this device with caller-provided data. Shapes: x, y, out (N).

struct Params {
  n: u32,      // N, number of elements
  a: f32,      // scale applied to x
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<storage, read_write> out: array<f32>;  // (N)
@group(0) @binding(1) var<storage, read> x: array<f32>;          // (N)
@group(0) @binding(2) var<storage, read> y: array<f32>;          // (N)
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(64)
fn selftest_forward(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= params.n) {
    return;
  }
  out[i] = fma(params.a, x[i], y[i]);
}
