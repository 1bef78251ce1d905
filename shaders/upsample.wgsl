// Nearest-neighbour upsampling of NCHW planes by integer factors (PyTorch's UpsamplingNearest2d
// with an integer scale_factor): out[·, oh, ow] = x[·, oh / SH, ow / SW]. The backward pass sums
// each SH×SW block of the output gradient. One invocation per element (`forward`, `backward`:
// GPUs) or per input row (`forward_rows`, `backward_rows`: CPU adapters, which pay per invocation
// and per integer division).

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

// @kernel forward_rows
// One invocation per input row (plane, ih): writes its SH output rows.
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = linear_index(wid, nwg, lid, 64u);
  if (row >= p.planes * p.H) { return; }
  let OW = p.W * p.SW;
  let src_row = row * p.W;
  // Output row (plane, ih·SH + dh) starts at (row·SH + dh)·OW.
  let dst_row = row * p.SH * OW;
  for (var iw = 0u; iw < p.W; iw++) {
    let v = src[src_row + iw];
    for (var dh = 0u; dh < p.SH; dh++) {
      let at = dst_row + dh * OW + iw * p.SW;
      for (var dw = 0u; dw < p.SW; dw++) {
        dst[at + dw] = v;
      }
    }
  }
}

// @kernel backward_rows
// One invocation per input row (plane, ih): sums the SH×SW blocks of its output rows.
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = linear_index(wid, nwg, lid, 64u);
  if (row >= p.planes * p.H) { return; }
  let OW = p.W * p.SW;
  let src_row = row * p.SH * OW;
  for (var iw = 0u; iw < p.W; iw++) {
    var acc = 0.0;
    for (var dh = 0u; dh < p.SH; dh++) {
      let at = src_row + dh * OW + iw * p.SW;
      for (var dw = 0u; dw < p.SW; dw++) {
        acc += src[at + dw];
      }
    }
    dst[row * p.W + iw] = acc;
  }
}
