// 2-D max pooling over NCHW planes (window KH×KW, stride SH×SW, no padding, floor on odd sizes).
// The forward pass also records, per output, the flat in-plane index of the selected input: the
// first maximum in row-major window order (PyTorch's CPU rule); a NaN wins, and of several NaNs
// the last one, as in PyTorch.
// Two layouts of the same computations (src/ops/pool.ts picks one): one invocation per element
// (`forward`, `backward`: GPUs), and one invocation per output row (`forward_rows`,
// `backward_rows`: CPU adapters, which pay per invocation and per integer division; the row
// backward scatters each window's gradient and serves non-overlapping windows only).

struct Params {
  planes: u32,
  H: u32,
  W: u32,
  OH: u32,
  OW: u32,
  KH: u32,
  KW: u32,
  SH: u32,
  SW: u32,
}

// @kernel forward
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read_write> argmax: array<i32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let idx = linear_index(wid, nwg, lid, 64u);
  if (idx >= p.planes * p.OH * p.OW) { return; }
  let ow = idx % p.OW;
  let oh = (idx / p.OW) % p.OH;
  let plane = idx / (p.OW * p.OH);
  let base = plane * p.H * p.W;
  var best = -inf_f32();
  var best_at = i32((oh * p.SH) * p.W + ow * p.SW);
  var found_nan = false;
  for (var kh = 0u; kh < p.KH; kh++) {
    for (var kw = 0u; kw < p.KW; kw++) {
      let at = (oh * p.SH + kh) * p.W + ow * p.SW + kw;
      let v = x[base + at];
      // PyTorch's CPU rule `val > maxval || isnan(val)`: a NaN replaces anything, so the last NaN
      // of a window is selected (NaN comparisons are spelled out: compilers may fold them).
      if (is_nan(v) || (!found_nan && v > best)) {
        best = v;
        best_at = i32(at);
        found_nan = found_nan || is_nan(v);
      }
    }
  }
  out[idx] = best;
  argmax[idx] = best_at;
}

// @kernel backward
// dx[plane, ih, iw] = Σ dy[plane, oh, ow] over the windows containing (ih, iw) that selected it.
@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read> argmax: array<i32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let idx = linear_index(wid, nwg, lid, 64u);
  if (idx >= p.planes * p.H * p.W) { return; }
  let iw = idx % p.W;
  let ih = (idx / p.W) % p.H;
  let plane = idx / (p.W * p.H);
  let at = i32(ih * p.W + iw);
  // Windows oh with oh·SH ≤ ih < oh·SH + KH (and likewise for ow).
  let oh_lo = select(0u, (ih + 1u - p.KH + p.SH - 1u) / p.SH, ih + 1u > p.KH);
  let oh_hi = min(ih / p.SH, p.OH - 1u);
  let ow_lo = select(0u, (iw + 1u - p.KW + p.SW - 1u) / p.SW, iw + 1u > p.KW);
  let ow_hi = min(iw / p.SW, p.OW - 1u);
  var acc = 0.0;
  for (var oh = oh_lo; oh <= oh_hi && oh < p.OH; oh++) {
    for (var ow = ow_lo; ow <= ow_hi && ow < p.OW; ow++) {
      let o = (plane * p.OH + oh) * p.OW + ow;
      if (argmax[o] == at) { acc += dy[o]; }
    }
  }
  dx[idx] = acc;
}

// @kernel forward_rows
// One invocation per output row (plane, oh).
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read_write> argmax: array<i32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = linear_index(wid, nwg, lid, 64u);
  if (row >= p.planes * p.OH) { return; }
  let oh = row % p.OH;
  let plane = row / p.OH;
  let base = plane * p.H * p.W;
  let o_row = row * p.OW;
  for (var ow = 0u; ow < p.OW; ow++) {
    var best = -inf_f32();
    var best_at = i32((oh * p.SH) * p.W + ow * p.SW);
    var found_nan = false;
    for (var kh = 0u; kh < p.KH; kh++) {
      let at_row = (oh * p.SH + kh) * p.W + ow * p.SW;
      for (var kw = 0u; kw < p.KW; kw++) {
        let at = at_row + kw;
        let v = x[base + at];
        if (is_nan(v) || (!found_nan && v > best)) {
          best = v;
          best_at = i32(at);
          found_nan = found_nan || is_nan(v);
        }
      }
    }
    out[o_row + ow] = best;
    argmax[o_row + ow] = best_at;
  }
}

// @kernel backward_rows
// Windows that do not overlap (KH ≤ SH, KW ≤ SW): one invocation per output row writes the
// gradient of each window's inputs (dy at the selected one, 0 elsewhere). Inputs outside every
// window are left alone (the caller zero-fills dx first unless the windows cover the input).
@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read> argmax: array<i32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = linear_index(wid, nwg, lid, 64u);
  if (row >= p.planes * p.OH) { return; }
  let oh = row % p.OH;
  let plane = row / p.OH;
  let base = plane * p.H * p.W;
  let o_row = row * p.OW;
  for (var ow = 0u; ow < p.OW; ow++) {
    let g = dy[o_row + ow];
    let selected = argmax[o_row + ow];
    for (var kh = 0u; kh < p.KH; kh++) {
      let at_row = (oh * p.SH + kh) * p.W + ow * p.SW;
      for (var kw = 0u; kw < p.KW; kw++) {
        let at = at_row + kw;
        dx[base + at] = select(0.0, g, i32(at) == selected);
      }
    }
  }
}
