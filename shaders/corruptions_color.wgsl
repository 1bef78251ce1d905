// Per-pixel colour corruptions (spec §3.6, §3.8, §3.9, §4.3): brightness and saturate (HSV
// edits), contrast (per-channel mean) and frost (texture blend). Bytes in, bytes out (one u32 each).

// Byte i of a table packed four bytes per u32 (little-endian).
fn packed_byte(word: u32, i: u32) -> u32 {
  return (word >> (8u * (i & 3u))) & 255u;
}

// @kernel hsv
// brightness (V ← clip(V + c)) and saturate (S ← clip(S·a + b)) for one pixel (3 values), P6.
// Which output channel gets skimage's v, p and q/t follows from the channel order, except for
// pixels with tied channels (then hsv2rgb's sextant is decided by float64 rounding): those are
// flagged whole. v and p depend on (max, min) only and come from float64 tables computed with the
// CPU reference's own functions: table[V] = stored v, table[256 + (V·256 + min)/4] = stored p
// (packed bytes). The middle channel is computed in f32 from the closed forms of P6 (brightness
// mid·v'/V, saturate V − (V − mid)·s'/S) and flagged when within `eps` of a storage boundary.
// Payload of a flagged value: the pixel's bytes r | g << 8 | b << 16.
struct Params {
  pixels: u32,
  hw: u32,
  capacity: u32,
  saturate: u32,
  shift: f32,
  scale: f32,
  eps: f32,
}

@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;
@group(0) @binding(2) var<storage, read> table: array<u32>;
@group(0) @binding(3) var<storage, read_write> status: array<atomic<u32>>;
@group(0) @binding(4) var<uniform> p: Params;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let q = linear_index(wid, nwg, lid, 64u);
  if (q >= p.pixels) { return; }
  let b = q / p.hw;
  let base = b * 3u * p.hw + (q - b * p.hw);
  let rgb = vec3<u32>(src[base], src[base + p.hw], src[base + 2u * p.hw]);
  let vmax = max(rgb.x, max(rgb.y, rgb.z));
  let vmin = min(rgb.x, min(rgb.y, rgb.z));
  let tv = table[vmax];
  let tp_at = 1024u + vmax * 256u + vmin;
  let tp = packed_byte(table[tp_at >> 2u], tp_at);
  if (vmax == vmin) {
    // grey: hue 0, sextant 0, (v, t, p) with t = p exactly
    dst[base] = tv;
    dst[base + p.hw] = tp;
    dst[base + 2u * p.hw] = tp;
    return;
  }
  var out = vec3<u32>(tp, tp, tp);
  var mid_channel = 0u;
  for (var c = 0u; c < 3u; c++) {
    if (rgb[c] == vmax) { out[c] = tv; } else if (rgb[c] != vmin) { mid_channel = c; }
  }
  let tied = rgb.x == rgb.y || rgb.y == rgb.z || rgb.x == rgb.z;
  if (tied) {
    let payload = rgb.x | (rgb.y << 8u) | (rgb.z << 16u);
    for (var c = 0u; c < 3u; c++) {
      dst[base + c * p.hw] = out[c];
      flag(base + c * p.hw, payload);
    }
    return;
  }
  let mid = f32(rgb[mid_channel]);
  let v = f32(vmax);
  var y: f32;
  if (p.saturate == 1u) {
    let s = f32(vmax - vmin) / v;
    let s2 = clamp(s * p.scale + p.shift, 0.0, 1.0);
    y = v - (v - mid) * (s2 / s);
  } else {
    y = mid * (min(255.0, v + 255.0 * p.shift) / v);
  }
  out[mid_channel] = store_byte(y);
  for (var c = 0u; c < 3u; c++) { dst[base + c * p.hw] = out[c]; }
  if (ambiguous_byte(y, p.eps)) {
    flag(base + mid_channel * p.hw, rgb.x | (rgb.y << 8u) | (rgb.z << 16u));
  }
}

// @kernel contrast
// One workgroup per (image, channel) plane: the exact integer sum of its bytes, then
// 255·v' = (u − μ)·c + μ with μ = sum/(H·W) in byte units. The exact results are rationals that
// lie ≥ 1/(20·H·W) from a storage boundary unless they sit on one (only when μ is a whole byte,
// e.g. a constant channel): values within `eps` are flagged and resolved on the CPU with the
// reference's own float64 mean.
struct Params {
  planes: u32,
  hw: u32,
  capacity: u32,
  factor: f32,
  eps: f32,
}

@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;
@group(0) @binding(2) var<storage, read_write> status: array<atomic<u32>>;
@group(0) @binding(3) var<uniform> p: Params;

var<workgroup> partial: array<u32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let plane = wid.x + wid.y * nwg.x;
  if (plane >= p.planes) { return; }
  let base = plane * p.hw;
  var s = 0u;
  for (var q = lid; q < p.hw; q += 256u) { s += src[base + q]; }
  partial[lid] = s;
  workgroupBarrier();
  for (var stride = 128u; stride > 0u; stride >>= 1u) {
    if (lid < stride) { partial[lid] += partial[lid + stride]; }
    workgroupBarrier();
  }
  let mean = f32(partial[0]) / f32(p.hw);
  for (var q = lid; q < p.hw; q += 256u) {
    let u = src[base + q];
    let y = (f32(u) - mean) * p.factor + mean;
    dst[base + q] = store_byte(y);
    if (ambiguous_byte(y, p.eps)) { flag(base + q, u); }
  }
}

// @kernel frost
// out = blend[u·256 + F] with F the frost texture byte at (r0 + y, c0 + x) of the image's sheet;
// blend = floor(clip(a·u + b·F, 0, 255)) tabulated in float64 (exact). crops per image:
// [sheet byte offset, sheet plane size, sheet width, r0, c0].
struct Params {
  n: u32,
  plane: u32,
  hw: u32,
  width: u32,
}

@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;
@group(0) @binding(2) var<storage, read> crops: array<u32>;
@group(0) @binding(3) var<storage, read> sheets: array<u32>;
@group(0) @binding(4) var<storage, read> blend: array<u32>;
@group(0) @binding(5) var<uniform> p: Params;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = linear_index(wid, nwg, lid, 64u);
  if (i >= p.n) { return; }
  let b = i / p.plane;
  let e = i - b * p.plane;
  let c = e / p.hw;
  let rem = e - c * p.hw;
  let y = rem / p.width;
  let x = rem - y * p.width;
  let crop = 5u * b;
  let at = crops[crop] + c * crops[crop + 1u] + (crops[crop + 3u] + y) * crops[crop + 2u] + crops[crop + 4u] + x;
  let f = packed_byte(sheets[at >> 2u], at);
  let t = src[i] * 256u + f;
  dst[i] = packed_byte(blend[t >> 2u], t);
}
