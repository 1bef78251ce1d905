// Rotation–scaling–translation of single-channel images, as the reference `rts` perturbation does
// with torchvision: RandomAffine(degrees, scale) about the image centre with nearest-neighbour
// resampling and zero fill, then RandomCrop(size, padding) — zero-pad `pad` pixels per side and
// take a window at offset (oy, ox) ∈ [0, 2·pad]², i.e. an integer shift by (pad − oy, pad − ox).
// Per-image parameters (from the CPU, Philox draws): [cos θ / s, sin θ / s, oy, ox].

struct Params {
  planes: u32,
  H: u32,
  W: u32,
  pad: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> params: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = linear_index(wid, nwg, lid, 64u);
  if (i >= p.planes * p.H * p.W) { return; }
  let col = i % p.W;
  let row = (i / p.W) % p.H;
  let plane = i / (p.W * p.H);
  let q = params[plane];
  // Position in the transformed (affine) image before the crop's shift.
  let ay = f32(row) + q.z - f32(p.pad);
  let ax = f32(col) + q.w - f32(p.pad);
  let cy = 0.5 * f32(p.H - 1u);
  let cx = 0.5 * f32(p.W - 1u);
  // Inverse affine map: rotate by −θ and divide by s about the centre (q.x = cos θ / s, q.y = sin θ / s).
  let dy = ay - cy;
  let dx = ax - cx;
  let sx = q.x * dx + q.y * dy + cx;
  let sy = -q.y * dx + q.x * dy + cy;
  let ix = i32(round(sx));
  let iy = i32(round(sy));
  var v = 0.0;
  if (ix >= 0 && iy >= 0 && ix < i32(p.W) && iy < i32(p.H)) {
    v = x[(plane * p.H + u32(iy)) * p.W + u32(ix)];
  }
  out[i] = v;
}
