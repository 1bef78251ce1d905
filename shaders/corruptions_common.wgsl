// Helpers shared by the corruption kernels (src/data/corruptions/gpu/). Prepended after
// `mulhi32` and `philox4x32`, taken verbatim from random.wgsl. No bindings here: every kernel
// declares its own (pipelines use layout 'auto', which drops bindings a kernel does not use).
//
// Images travel between kernels as one u32 per value holding the stored byte 0..255, planar like
// an NCHW batch. Random draws follow src/data/corruptions/draws.ts exactly: word i of stream s,
// attempt a under the image key is philox((i / 4, s, a, 0), key)[i % 4]; a uniform is the 53-bit
// number m = (hi >> 5)·2^26 + (lo >> 6) of two words, divided by 2^53.

const TWO_M26: f32 = 1.4901161193847656e-8; // 2^-26
const TWO_M27: f32 = 7.450580596923828e-9; // 2^-27
const TWO_M53: f32 = 1.1102230246251565e-16; // 2^-53

// Philox block `blk` of stream `stream`, attempt `attempt` (Draws.blockWords).
fn draw_block(key: vec2<u32>, stream: u32, blk: u32, attempt: u32) -> vec4<u32> {
  return philox4x32(vec4<u32>(blk, stream, attempt, 0u), key);
}

// The uniform of words (hi, lo) in f32 (relative error 2^-24).
fn unit53(hi: u32, lo: u32) -> f32 {
  return f32(hi >> 5u) * TWO_M27 + f32(lo >> 6u) * TWO_M53;
}

// 1 − u for the uniform of words (hi, lo), without cancellation: (2^53 − m)/2^53 with
// 2^53 − m = (2^27 − 1 − (hi >> 5))·2^26 + (2^26 − (lo >> 6)), never 0.
fn one_minus_unit53(hi: u32, lo: u32) -> f32 {
  return f32(0x7ffffffu - (hi >> 5u)) * TWO_M27 + f32(0x4000000u - (lo >> 6u)) * TWO_M53;
}

// Exact test u < t for a 53-bit threshold T = ceil(t·2^53) given as (T >> 26, T & (2^26 − 1)).
fn unit53_less(hi: u32, lo: u32, t_hi: u32, t_lo: u32) -> bool {
  let a = hi >> 5u;
  let b = lo >> 6u;
  return a < t_hi || (a == t_hi && b < t_lo);
}

// (sin 2πt, cos 2πt) for t in [0, 1], to a few f32 ulps (WGSL's sin and cos only promise 2^-11
// absolute error): reduce to the nearest quarter turn exactly (t·4 and its rounding are exact),
// then Taylor polynomials on |a| ≤ π/4 (truncation < 1e-10).
fn sincos_turns(t: f32) -> vec2<f32> {
  let s4 = t * 4.0;
  let q = round(s4);
  let a = (s4 - q) * 1.5707963267948966;
  let a2 = a * a;
  let s = a * (1.0 + a2 * (-0.16666666666666666 + a2 * (0.008333333333333333 + a2 * (-0.0001984126984126984 + a2 * 2.755731922398589e-6))));
  let c = 1.0 + a2 * (-0.5 + a2 * (0.041666666666666664 + a2 * (-0.001388888888888889 + a2 * (2.48015873015873e-5 - a2 * 2.755731922398589e-7))));
  switch (u32(i32(q)) & 3u) {
    case 0u: { return vec2<f32>(s, c); }
    case 1u: { return vec2<f32>(c, -s); }
    case 2u: { return vec2<f32>(-s, -c); }
    default: { return vec2<f32>(-c, s); }
  }
}

// Normal n of a stream from its Philox block floor(n / 2) (draws.ts): Box–Muller on the uniforms
// of words (0, 1) and (2, 3), r = sqrt(−2 ln(1 − u0)), θ = 2π·u1; cosine for even n, sine for odd.
fn box_muller(w: vec4<u32>, odd: bool) -> f32 {
  let r = sqrt(-2.0 * log(one_minus_unit53(w.x, w.y)));
  let sc = sincos_turns(unit53(w.z, w.w));
  return r * select(sc.y, sc.x, odd);
}

// The stored byte of a value y given in byte units (255·v): floor(255·clip(v, 0, 1)).
fn store_byte(y: f32) -> u32 {
  return u32(clamp(floor(y), 0.0, 255.0));
}

// True when the f32 value y (byte units) is too close to a storage boundary for f32 to decide
// floor(y) the way the float64 reference does (boundaries at 1..255; below 0 and above 255 clip).
fn ambiguous_byte(y: f32, eps: f32) -> bool {
  let r = round(y);
  return abs(y - r) < eps && r >= 1.0 && r <= 255.0;
}

// Index rules of spec §1 for an axis of length n.
fn edge_index(i: i32, n: i32) -> i32 {
  return clamp(i, 0, n - 1);
}
fn reflect101_index(i: i32, n: i32) -> i32 {
  if (n == 1) { return 0; }
  let period = 2 * n - 2;
  let m = ((i % period) + period) % period;
  return select(period - m, m, m < n);
}
fn reflect_index(i: i32, n: i32) -> i32 {
  let period = 2 * n;
  let m = ((i % period) + period) % period;
  return select(period - 1 - m, m, m < n);
}
