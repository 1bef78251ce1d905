// Nearest-neighbour upsampling of NCHW planes by integer factors (PyTorch's UpsamplingNearest2d
// with an integer scale_factor): out[·, oh, ow] = x[·, oh / SH, ow / SW]. The backward pass sums
// each SH×SW block of the output gradient.

struct Params {
  planes: u32,
  H: u32,
  W: u32,
  SH: u32,
  SW: u32,
}

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

// @kernel forward
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let idx = linear_index(wid, nwg, lid, 64u);
  let OW = p.W * p.SW;
  let OH = p.H * p.SH;
  if (idx >= p.planes * OH * OW) { return; }
  let ow = idx % OW;
  let oh = (idx / OW) % OH;
  let plane = idx / (OW * OH);
  dst[idx] = src[(plane * p.H + oh / p.SH) * p.W + ow / p.SW];
}

// @kernel backward
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let idx = linear_index(wid, nwg, lid, 64u);
  if (idx >= p.planes * p.H * p.W) { return; }
  let iw = idx % p.W;
  let ih = (idx / p.W) % p.H;
  let plane = idx / (p.W * p.H);
  let OW = p.W * p.SW;
  var acc = 0.0;
  for (var dh = 0u; dh < p.SH; dh++) {
    let row = (plane * p.H * p.SH + ih * p.SH + dh) * OW + iw * p.SW;
    for (var dw = 0u; dw < p.SW; dw++) {
      acc += src[row + dw];
    }
  }
  dst[idx] = acc;
}
