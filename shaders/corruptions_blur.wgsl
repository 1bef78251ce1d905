// Blurs (spec §3.1–§3.4, §4.1): a dense 2-D filter (defocus, gaussian, both passes of glass), the
// glass pixel shift, ImageMagick motion blur, and zoom blur. One invocation per value (per pixel
// for the shift); bytes in, bytes out.
//
// Linear filters use the "anchor" form: with u_c the byte at the output position,
//   Σ w·u = u_c + (Σ w·(u − u_c) + u_c·δ),  δ = Σ w − 1 (float64, then f32),
// so floor() of the sum is u_c + floor(rest) and the rest is small and accurate in f32 (exactly
// u_c·δ on flat neighbourhoods). Flat neighbourhoods, where float64 rounding alone decides the
// floor, use a table of the CPU reference's result for a constant image.

// Index of tap (y + dy, x + dx) under the boundary rule (0: edge, 1: reflect101).
fn boundary_index(i: i32, n: i32, mode: u32) -> i32 {
  return select(edge_index(i, n), reflect101_index(i, n), mode == 1u);
}

// ---- float64 in software (non-negative finite values; subnormals read as 0) ----------------
// Used where f32 cannot decide a floor(): it replays the CPU reference's float64 operations in
// their order, each rounded to nearest even, so the result is the reference's bit for bit.
// A value is (e, hi, lo): 2^e · (hi·2^32 + lo)/2^52, hi holding 21 bits with the leading 1 at
// bit 20; zero has hi = 0.
struct F64 {
  e: i32,
  hi: u32,
  lo: u32,
}

fn f64_zero() -> F64 {
  return F64(0, 0u, 0u);
}

// From IEEE-754 bits (high word, low word).
fn f64_from_bits(high: u32, low: u32) -> F64 {
  let ex = (high >> 20u) & 0x7ffu;
  if (ex == 0u) { return f64_zero(); }
  return F64(i32(ex) - 1023, (high & 0xfffffu) | 0x100000u, low);
}

// v >> s (64-bit as (high, low)), the bits shifted out OR-ed into bit 0 (sticky).
fn shr64_sticky(v: vec2<u32>, s: u32) -> vec2<u32> {
  if (s == 0u) { return v; }
  if (s >= 64u) { return vec2<u32>(0u, select(0u, 1u, v.x != 0u || v.y != 0u)); }
  var r: vec2<u32>;
  var lost: u32;
  if (s >= 32u) {
    let t = s - 32u;
    lost = v.y | (v.x & ((1u << t) - 1u));
    r = vec2<u32>(0u, v.x >> t);
  } else {
    lost = v.y & ((1u << s) - 1u);
    r = vec2<u32>(v.x >> s, (v.y >> s) | (v.x << (32u - s)));
  }
  return vec2<u32>(r.x, r.y | select(0u, 1u, lost != 0u));
}

// S (leading 1 at bit 62, 10 guard bits) rounded to 53 bits, nearest even.
fn f64_round(s: vec2<u32>, e: i32) -> F64 {
  var hi = s.x >> 10u;
  var lo = (s.x << 22u) | (s.y >> 10u);
  let rest = s.y & 0x3ffu;
  if (rest > 0x200u || (rest == 0x200u && (lo & 1u) == 1u)) {
    lo += 1u;
    if (lo == 0u) { hi += 1u; }
  }
  if (hi == 0x200000u) { return F64(e + 1, 0x100000u, 0u); }
  return F64(e, hi, lo);
}

fn f64_add(x: F64, y: F64) -> F64 {
  if (x.hi == 0u) { return y; }
  if (y.hi == 0u) { return x; }
  var a = x;
  var b = y;
  if (b.e > a.e) {
    a = y;
    b = x;
  }
  let big = vec2<u32>((a.hi << 10u) | (a.lo >> 22u), a.lo << 10u);
  let small = shr64_sticky(vec2<u32>((b.hi << 10u) | (b.lo >> 22u), b.lo << 10u), u32(a.e - b.e));
  let low = big.y + small.y;
  var sum = vec2<u32>(big.x + small.x + select(0u, 1u, low < big.y), low);
  var e = a.e;
  if (sum.x >= 0x80000000u) {
    sum = shr64_sticky(sum, 1u);
    e += 1;
  }
  return f64_round(sum, e);
}

fn f64_mul(a: F64, b: F64) -> F64 {
  if (a.hi == 0u || b.hi == 0u) { return f64_zero(); }
  let x = array<u32, 4>(a.lo & 0xffffu, a.lo >> 16u, a.hi & 0xffffu, a.hi >> 16u);
  let y = array<u32, 4>(b.lo & 0xffffu, b.lo >> 16u, b.hi & 0xffffu, b.hi >> 16u);
  var col = array<u32, 8>(0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u);
  for (var i = 0u; i < 4u; i++) {
    for (var j = 0u; j < 4u; j++) {
      let prod = x[i] * y[j];
      col[i + j] += prod & 0xffffu;
      col[i + j + 1u] += prod >> 16u;
    }
  }
  for (var k = 0u; k < 7u; k++) {
    col[k + 1u] += col[k] >> 16u;
    col[k] &= 0xffffu;
  }
  let w0 = col[0] | (col[1] << 16u);
  let w1 = col[2] | (col[3] << 16u);
  let w2 = col[4] | (col[5] << 16u);
  let w3 = col[6] | (col[7] << 16u);
  // the product of two 53-bit significands lies in [2^104, 2^106): keep 63 bits below its top
  let top = (w3 >> 9u) & 1u; // bit 105
  let t = 10u + top;
  let lost = w0 | (w1 & ((1u << t) - 1u));
  let s = vec2<u32>((w2 >> t) | (w3 << (32u - t)), (w1 >> t) | (w2 << (32u - t)) | select(0u, 1u, lost != 0u));
  return f64_round(s, a.e + b.e + i32(top));
}

// floor(255·clip(v, 0, 1)) of a non-negative float64 (quantize.ts storeUnit).
fn f64_store_unit(v: F64) -> u32 {
  if (v.hi == 0u) { return 0u; }
  if (v.e > 0 || (v.e == 0 && (v.hi != 0x100000u || v.lo != 0u))) { return 255u; }
  let y = f64_mul(v, F64(7, 0x1fe000u, 0u)); // 255 = 2^7 · 1.9921875
  if (y.e < 0) { return 0u; }
  return y.hi >> u32(20 - y.e);
}

// @kernel filter
// params: [flat table (256 bytes as words) | f32 weights rows×cols | float64 weights (high, low
// words): rows×cols (dense) or rows (separable, the 1-D kernel) | u/255 as float64, 256 × 2].
// dense (defocus, filter2D): the reference sums w·v over rows, then columns, skipping zeros.
// separable (skimage gaussian): pass along y, then along x, each c·w_0 + Σ_{k=r..1} (v₋ + v₊)·w_k
// (gaussian-filter.ts). Both replayed in float64 software where f32 is within `eps` of a boundary.
struct Params {
  n: u32,
  plane: u32,
  hw: u32,
  height: u32,
  width: u32,
  rows: u32,
  cols: u32,
  anchor_row: u32,
  anchor_col: u32,
  mode: u32,
  separable: u32,
  f64_at: u32,
  unit_at: u32,
  delta: f32,
  eps: f32,
}

@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;
@group(0) @binding(2) var<storage, read> params: array<u32>;
@group(0) @binding(3) var<uniform> p: Params;

fn param_f64(at: u32) -> F64 {
  return f64_from_bits(params[at], params[at + 1u]);
}

fn unit_f64(plane_base: u32, y: i32, x: i32) -> F64 {
  return param_f64(p.unit_at + 2u * src[plane_base + u32(y * i32(p.width) + x)]);
}

fn dense_f64(plane_base: u32, y: i32, x: i32) -> F64 {
  var acc = f64_zero();
  for (var r = 0u; r < p.rows; r++) {
    let sy = boundary_index(y + i32(r) - i32(p.anchor_row), i32(p.height), p.mode);
    for (var q = 0u; q < p.cols; q++) {
      let at = p.f64_at + 2u * (r * p.cols + q);
      if (params[at] == 0u && params[at + 1u] == 0u) { continue; }
      let sx = boundary_index(x + i32(q) - i32(p.anchor_col), i32(p.width), p.mode);
      acc = f64_add(acc, f64_mul(param_f64(at), unit_f64(plane_base, sy, sx)));
    }
  }
  return acc;
}

// Pass 1 (along y) at (y, column x).
fn column_f64(plane_base: u32, y: i32, x: i32) -> F64 {
  let r = i32(p.rows / 2u);
  var acc = f64_mul(unit_f64(plane_base, y, x), param_f64(p.f64_at + 2u * u32(r)));
  for (var k = r; k >= 1; k--) {
    let up = boundary_index(y - k, i32(p.height), p.mode);
    let down = boundary_index(y + k, i32(p.height), p.mode);
    acc = f64_add(acc, f64_mul(f64_add(unit_f64(plane_base, up, x), unit_f64(plane_base, down, x)), param_f64(p.f64_at + 2u * u32(r - k))));
  }
  return acc;
}

fn separable_f64(plane_base: u32, y: i32, x: i32) -> F64 {
  let r = i32(p.rows / 2u);
  var acc = f64_mul(column_f64(plane_base, y, x), param_f64(p.f64_at + 2u * u32(r)));
  for (var k = r; k >= 1; k--) {
    let left = boundary_index(x - k, i32(p.width), p.mode);
    let right = boundary_index(x + k, i32(p.width), p.mode);
    acc = f64_add(acc, f64_mul(f64_add(column_f64(plane_base, y, left), column_f64(plane_base, y, right)), param_f64(p.f64_at + 2u * u32(r - k))));
  }
  return acc;
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = linear_index(wid, nwg, lid, 64u);
  if (i >= p.n) { return; }
  let rem = i % p.hw;
  let plane_base = i - rem;
  let y = i32(rem / p.width);
  let x = i32(rem % p.width);
  let h = i32(p.height);
  let w = i32(p.width);
  let uc = i32(src[i]);
  var rest = 0.0;
  var flat = true;
  for (var r = 0u; r < p.rows; r++) {
    let sy = boundary_index(y + i32(r) - i32(p.anchor_row), h, p.mode);
    for (var q = 0u; q < p.cols; q++) {
      let weight = bitcast<f32>(params[256u + r * p.cols + q]);
      if (weight == 0.0) { continue; }
      let sx = boundary_index(x + i32(q) - i32(p.anchor_col), w, p.mode);
      let d = i32(src[plane_base + u32(sy * w + sx)]) - uc;
      if (d != 0) {
        flat = false;
        rest += weight * f32(d);
      }
    }
  }
  if (flat) {
    dst[i] = params[u32(uc)];
    return;
  }
  rest += f32(uc) * p.delta;
  let whole = round(rest);
  if (abs(rest - whole) < p.eps && uc + i32(whole) >= 1 && uc + i32(whole) <= 255) {
    if (p.separable == 1u) {
      dst[i] = f64_store_unit(separable_f64(plane_base, y, x));
    } else {
      dst[i] = f64_store_unit(dense_f64(plane_base, y, x));
    }
    return;
  }
  dst[i] = u32(clamp(uc + i32(floor(rest)), 0, 255));
}

// @kernel glass_shift
// One pass t of glass blur's pixel "swap" (a copy, spec §3.2), in its parallel form for d = 1:
// q'(h, w) = q(h + dy, w + dx) for 2 ≤ h, w ≤ H − 1, W − 1, with dx, dy = (word >> 31) − 1 of
// words 2·(t·H·W + h·W + w) and + 1 of stream 0 (intBelow(2): never rejected).
struct Params {
  pixels: u32,
  hw: u32,
  height: u32,
  width: u32,
  iteration: u32,
}

@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;
@group(0) @binding(2) var<storage, read> keys: array<vec2<u32>>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let q = linear_index(wid, nwg, lid, 64u);
  if (q >= p.pixels) { return; }
  let b = q / p.hw;
  let pix = q - b * p.hw;
  let h = pix / p.width;
  let w = pix - h * p.width;
  var source = pix;
  if (h >= 2u && h < p.height && w >= 2u && w < p.width) {
    let index = 2u * (p.iteration * p.hw + pix);
    let words = draw_block(keys[b], 0u, index / 4u, 0u);
    let j = index % 4u;
    let dx = i32(words[j] >> 31u) - 1;
    let dy = i32(words[j + 1u] >> 31u) - 1;
    source = u32((i32(h) + dy) * i32(p.width) + i32(w) + dx);
  }
  let base = b * 3u * p.hw;
  for (var c = 0u; c < 3u; c++) {
    dst[base + c * p.hw + pix] = src[base + c * p.hw + source];
  }
}

// @kernel motion
// ImageMagick motion blur (P3, motion-blur-kernel.ts) with per-image taps (weight f32 bits, dx,
// dy as i32) at params[3·taps·b …]: acc = 257·Σ k_i·u_i in Q16, q = floor(acc + ½) clamped to
// 0..65535, byte = floor(q/257); acc in the anchor form, the rounding in integers.
struct Params {
  n: u32,
  hw: u32,
  height: u32,
  width: u32,
  plane: u32,
  taps: u32,
}

@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;
@group(0) @binding(2) var<storage, read> params: array<u32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = linear_index(wid, nwg, lid, 64u);
  if (i >= p.n) { return; }
  let b = i / p.plane;
  let rem = i % p.hw;
  let plane_base = i - rem;
  let y = i32(rem / p.width);
  let x = i32(rem % p.width);
  let uc = i32(src[i]);
  var rest = 0.0;
  let at = 3u * p.taps * b;
  for (var t = 0u; t < p.taps; t++) {
    let weight = bitcast<f32>(params[at + 3u * t]);
    let sx = edge_index(x + bitcast<i32>(params[at + 3u * t + 1u]), i32(p.width));
    let sy = edge_index(y + bitcast<i32>(params[at + 3u * t + 2u]), i32(p.height));
    rest += weight * f32(i32(src[plane_base + u32(sy * i32(p.width) + sx)]) - uc);
  }
  let q = clamp(257 * uc + i32(floor(257.0 * rest + 0.5)), 0, 65535);
  dst[i] = u32(q) / 257u;
}

// @kernel zoom
// zoom_blur (§3.4, P2) in float32 like the reference: acc = Σ_k f32(clipped_zoom_k(x)),
// out = floor(f32(f32(f32(x + acc)/(K + 1))·255)). Each zoom sample is bilinear in the anchor
// form p00 + Σ w·(p − p00) (exactly p00 on flat taps), with per-factor axis plans at
// params[rows_at + 3·(k·H + y)] and params[cols_at + 3·(k·W + x)]: [lower (i32, −1 = scipy's
// cval 0), w0, w1 (f32 bits)]. params[0..256): the result on a constant image.
struct Params {
  n: u32,
  hw: u32,
  height: u32,
  width: u32,
  count: u32,
  rows_at: u32,
  cols_at: u32,
}

@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;
@group(0) @binding(2) var<storage, read> params: array<u32>;
@group(0) @binding(3) var<storage, read> unit: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = linear_index(wid, nwg, lid, 64u);
  if (i >= p.n) { return; }
  let rem = i % p.hw;
  let plane_base = i - rem;
  let y = rem / p.width;
  let x = rem % p.width;
  let uc = src[i];
  var acc = 0.0;
  var flat = true;
  for (var k = 0u; k < p.count; k++) {
    let ry = p.rows_at + 3u * (k * p.height + y);
    let cx = p.cols_at + 3u * (k * p.width + x);
    let y0 = bitcast<i32>(params[ry]);
    let x0 = bitcast<i32>(params[cx]);
    var t = 0.0;
    if (y0 < 0 || x0 < 0) {
      flat = false;
    } else {
      let wy0 = bitcast<f32>(params[ry + 1u]);
      let wy1 = bitcast<f32>(params[ry + 2u]);
      let wx0 = bitcast<f32>(params[cx + 1u]);
      let wx1 = bitcast<f32>(params[cx + 2u]);
      let r0 = plane_base + u32(y0) * p.width;
      let r1 = r0 + select(0u, p.width, wy1 != 0.0);
      let c0 = u32(x0);
      let c1 = c0 + select(0u, 1u, wx1 != 0.0);
      let b00 = src[r0 + c0];
      let b01 = src[r0 + c1];
      let b10 = src[r1 + c0];
      let b11 = src[r1 + c1];
      flat = flat && b00 == uc && b01 == uc && b10 == uc && b11 == uc;
      let p00 = unit[b00];
      t = p00 + ((wy0 * wx1) * (unit[b01] - p00) + (wy1 * wx0) * (unit[b10] - p00) + (wy1 * wx1) * (unit[b11] - p00));
    }
    acc = acc + t;
  }
  if (flat) {
    dst[i] = params[uc];
    return;
  }
  let v = (unit[uc] + acc) / f32(p.count + 1u);
  dst[i] = u32(floor(clamp(v, 0.0, 1.0) * 255.0));
}
