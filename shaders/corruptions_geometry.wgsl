// Resampling corruptions: pixelate (spec §3.11, P5, exact integer arithmetic) and
// elastic_transform (§3.10, P7: OpenCV's fixed-point affine warp, then scipy's map_coordinates
// through a smoothed random displacement field). Bytes in, bytes out (one u32 each).

// @kernel pixelate
// Pillow's BOX resize W×H → w×h → W×H as four 8-bit passes (horizontal, vertical, horizontal,
// vertical), each out = min(255, (2^21 + Σ K_i·v_i) >> 22) with 22-bit coefficients (exact in
// u32). Pass P's coefficients for output j: params[pass_at[P] + j·(2 + max_len[P])] =
// [start, length, K_0, …]. One invocation per output value evaluates the passes nested.
struct Params {
  n: u32,
  hw: u32,
  width: u32,
  small_w: u32,
  at1: u32,
  len1: u32,
  at2: u32,
  len2: u32,
  at3: u32,
  len3: u32,
  at4: u32,
  len4: u32,
}

@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;
@group(0) @binding(2) var<storage, read> params: array<u32>;
@group(0) @binding(3) var<uniform> p: Params;

const HALF: u32 = 2097152u; // 2^21

fn clip8(acc: u32) -> u32 {
  return min(acc >> 22u, 255u);
}

// Pass 1 (horizontal, W → w) at input row `row`, output column `col`.
fn pass1(base: u32, row: u32, col: u32) -> u32 {
  let e = p.at1 + col * (2u + p.len1);
  var acc = HALF;
  for (var i = 0u; i < params[e + 1u]; i++) { acc += params[e + 2u + i] * src[base + row * p.width + params[e] + i]; }
  return clip8(acc);
}

// Pass 2 (vertical, H → h): the small image at (row, col).
fn pass2(base: u32, row: u32, col: u32) -> u32 {
  let e = p.at2 + row * (2u + p.len2);
  var acc = HALF;
  for (var i = 0u; i < params[e + 1u]; i++) { acc += params[e + 2u + i] * pass1(base, params[e] + i, col); }
  return clip8(acc);
}

// Pass 3 (horizontal, w → W) at small row `row`, output column `col`.
fn pass3(base: u32, row: u32, col: u32) -> u32 {
  let e = p.at3 + col * (2u + p.len3);
  var acc = HALF;
  for (var i = 0u; i < params[e + 1u]; i++) { acc += params[e + 2u + i] * pass2(base, row, params[e] + i); }
  return clip8(acc);
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = linear_index(wid, nwg, lid, 64u);
  if (i >= p.n) { return; }
  let rem = i % p.hw;
  let base = i - rem;
  let y = rem / p.width;
  let x = rem % p.width;
  // pass 4 (vertical, h → H)
  let e = p.at4 + y * (2u + p.len4);
  var acc = HALF;
  for (var k = 0u; k < params[e + 1u]; k++) { acc += params[e + 2u + k] * pass3(base, params[e] + k, x); }
  dst[i] = clip8(acc);
}

// @kernel elastic_field
// The two displacement fields before smoothing along x: for field f (stream 1 + f) the
// U(−1, 1) values of pixel p = y·W + x (uniform p: 2u − 1 = (m − 2^52)/2^52, nearly exact),
// correlated along y with the symmetric Gaussian w_0..w_r (scipy order: w_0·c + Σ_k (up + down)·w_k,
// k = r..1) under scipy's 'reflect' rule. out index: (b·2 + f)·H·W + p.
struct Params {
  n: u32,
  hw: u32,
  height: u32,
  width: u32,
  radius: u32,
}

@group(0) @binding(0) var<storage, read> keys: array<vec2<u32>>;
@group(0) @binding(1) var<storage, read> weights: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

fn field_value(key: vec2<u32>, stream: u32, pix: u32) -> f32 {
  let w = draw_block(key, stream, pix / 2u, 0u);
  let odd = (pix & 1u) == 1u;
  let a = select(w.x, w.z, odd) >> 5u;
  let b = select(w.y, w.w, odd) >> 6u;
  return f32(i32(a) - 0x4000000) * TWO_M26 + f32(b) * (2.0 * TWO_M53);
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = linear_index(wid, nwg, lid, 64u);
  if (i >= p.n) { return; }
  let field = i / p.hw;
  let b = field / 2u;
  let stream = 1u + field % 2u;
  let pix = i % p.hw;
  let y = i32(pix / p.width);
  let x = pix % p.width;
  let key = keys[b];
  let h = i32(p.height);
  var acc = field_value(key, stream, pix) * weights[0];
  for (var k = p.radius; k >= 1u; k--) {
    let up = u32(reflect_index(y - i32(k), h)) * p.width + x;
    let down = u32(reflect_index(y + i32(k), h)) * p.width + x;
    acc += (field_value(key, stream, up) + field_value(key, stream, down)) * weights[k];
  }
  out[i] = acc;
}

// @kernel elastic_smooth
// Second pass of the field smoothing (along x), then × α: the displacement dx (f = 0), dy (f = 1).
struct Params {
  n: u32,
  hw: u32,
  width: u32,
  radius: u32,
  alpha: f32,
}

@group(0) @binding(0) var<storage, read> weights: array<f32>;
@group(0) @binding(1) var<storage, read> tmp: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = linear_index(wid, nwg, lid, 64u);
  if (i >= p.n) { return; }
  let row_base = i - i % p.width;
  let x = i32(i % p.width);
  let w = i32(p.width);
  var acc = tmp[i] * weights[0];
  for (var k = p.radius; k >= 1u; k--) {
    acc += (tmp[row_base + u32(reflect_index(x - i32(k), w))] + tmp[row_base + u32(reflect_index(x + i32(k), w))]) * weights[k];
  }
  out[i] = acc * p.alpha;
}

// @kernel elastic_warp
// out(c, y, x) = map_coordinates(warped_c, y + dy, x + dx) (order 1, scipy 'reflect'), where
// warped_c is OpenCV's warpAffine of x_c = f32(u/255) (affine-warp.ts), evaluated at the four
// integer taps: source X = (x0[r] + adelta[c]) >> 5 in 1/32 px (per-image tables at
// warp[stride·b …] = [x0 (H), y0 (H), adelta (W), bdelta (W)]), bilinear with exact float32
// weights, taps reflect101, float32 sums left to right as OpenCV. The final bilinear is in the
// anchor form; stored floor(f32(clip(v)·255)).
struct Params {
  n: u32,
  hw: u32,
  height: u32,
  width: u32,
  plane: u32,
  use_field: u32,
  stride: u32,
}

@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;
@group(0) @binding(2) var<storage, read> disp: array<f32>;
@group(0) @binding(3) var<storage, read> warp: array<i32>;
@group(0) @binding(4) var<storage, read> unit: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

struct Coord {
  i: i32,
  f: f32,
}

// scipy's map_coordinate for mode 'reflect' on c = i + f (0 ≤ f < 1), map-coordinates.ts.
fn map_reflect(i0: i32, f0: f32, n: i32) -> Coord {
  var i = i0;
  var f = f0;
  if (i < 0) {
    if (n <= 1) { return Coord(0, 0.0); }
    let sz2 = 2 * n;
    if (i < -sz2) {
      // c += sz2·trunc(−c/sz2), with trunc(−c/sz2) = floor((−i − f)/sz2)
      let m = select(-i, -i - 1, f > 0.0) / sz2;
      i += sz2 * m;
    }
    if (i < -n) {
      i += sz2;
    } else if (f == 0.0) {
      i = -i - 1;
    } else {
      i = -i - 2;
      f = 1.0 - f;
    }
  } else if (i > n - 1 || (i == n - 1 && f > 0.0)) {
    if (n <= 1) { return Coord(0, 0.0); }
    let sz2 = 2 * n;
    i -= sz2 * (i / sz2);
    if (i >= n) {
      if (f == 0.0) {
        i = sz2 - i - 1;
      } else {
        i = sz2 - i - 2;
        f = 1.0 - f;
      }
    }
  }
  return Coord(i, f);
}

fn tap_index(i: i32, n: i32) -> i32 {
  if (i < 0 || i >= n) { return map_reflect(i, 0.0, n).i; }
  return i;
}

// warpAffine of plane `base` at integer (r, c).
fn warped(base: u32, at: u32, r: i32, c: i32) -> f32 {
  let h = i32(p.height);
  let w = i32(p.width);
  let gx = (warp[at + u32(r)] + warp[at + 2u * p.height + u32(c)]) >> 5u;
  let gy = (warp[at + p.height + u32(r)] + warp[at + 2u * p.height + p.width + u32(c)]) >> 5u;
  let sx = gx >> 5u;
  let sy = gy >> 5u;
  let fx = f32(gx & 31) * 0.03125;
  let fy = f32(gy & 31) * 0.03125;
  let xa = u32(reflect101_index(sx, w));
  let xb = u32(reflect101_index(sx + 1, w));
  let ya = base + u32(reflect101_index(sy, h)) * p.width;
  let yb = base + u32(reflect101_index(sy + 1, h)) * p.width;
  var v = unit[src[ya + xa]] * ((1.0 - fy) * (1.0 - fx)) + unit[src[ya + xb]] * ((1.0 - fy) * fx);
  v = v + unit[src[yb + xa]] * (fy * (1.0 - fx));
  return v + unit[src[yb + xb]] * (fy * fx);
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = linear_index(wid, nwg, lid, 64u);
  if (i >= p.n) { return; }
  let b = i / p.plane;
  let rem = i % p.hw;
  let base = i - rem;
  let y = i32(rem / p.width);
  let x = i32(rem % p.width);
  var dx = 0.0;
  var dy = 0.0;
  if (p.use_field == 1u) {
    dx = disp[2u * p.hw * b + rem];
    dy = disp[2u * p.hw * b + p.hw + rem];
  }
  let fdx = floor(dx);
  let fdy = floor(dy);
  let h = i32(p.height);
  let w = i32(p.width);
  let row = map_reflect(y + i32(fdy), dy - fdy, h);
  let col = map_reflect(x + i32(fdx), dx - fdx, w);
  let ra = tap_index(row.i, h);
  let rb = tap_index(row.i + 1, h);
  let ca = tap_index(col.i, w);
  let cb = tap_index(col.i + 1, w);
  let at = p.stride * b;
  let pa = warped(base, at, ra, ca);
  let pb = warped(base, at, ra, cb);
  let pc = warped(base, at, rb, ca);
  let pd = warped(base, at, rb, cb);
  let wr1 = row.f;
  let wr0 = 1.0 - row.f;
  let wc1 = col.f;
  let wc0 = 1.0 - col.f;
  let v = pa + ((wr0 * wc1) * (pb - pa) + (wr1 * wc0) * (pc - pa) + (wr1 * wc1) * (pd - pa));
  dst[i] = u32(floor(clamp(v, 0.0, 1.0) * 255.0));
}
