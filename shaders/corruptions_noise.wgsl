// The noise corruptions (spec §4.4), one invocation per value e = c·H·W + y·W + x of image b,
// drawing exactly the CPU reference's numbers (src/data/corruptions/{gaussian,speckle,impulse,
// shot}-noise.ts). f32 cannot always put floor(255·v) on the same side as float64; such values are
// flagged (status buffer, see corruptions_io.wgsl) and recomputed on the CPU.

// −ln(1 − u) for the uniform of words (hi, lo). For u ≤ ½: 2·atanh(s), s = u/(2 − u), by its
// series (|s| ≤ ⅓, truncation < 1e-9; WGSL's log is only 2^-21 absolute near 1, too coarse for
// small r in Box–Muller); above ½ the builtin log of the exact complement.
fn neg_log_one_minus(hi: u32, lo: u32) -> f32 {
  let u = unit53(hi, lo);
  if (u <= 0.5) {
    let s = u / (2.0 - u);
    let s2 = s * s;
    return 2.0 * s * (1.0 + s2 * (0.3333333333333333 + s2 * (0.2 + s2 * (0.14285714285714285 + s2 * (0.1111111111111111 +
           s2 * (0.09090909090909091 + s2 * (0.07692307692307693 + s2 * 0.06666666666666667)))))));
  }
  return -log(one_minus_unit53(hi, lo));
}

// Normal n from its Philox block (draws.ts Box–Muller; see box_muller in corruptions_common.wgsl).
fn normal_of(w: vec4<u32>, odd: bool) -> f32 {
  let r = sqrt(2.0 * neg_log_one_minus(w.x, w.y));
  let sc = sincos_turns(unit53(w.z, w.w));
  return r * select(sc.y, sc.x, odd);
}

// @kernel gaussian
// gaussian_noise: 255·v' = u + 255·σ·n;  speckle_noise: 255·v' = u + u·(σ·n)  (n = normal e).
struct Params {
  n: u32,
  plane: u32,
  capacity: u32,
  speckle: u32,
  sigma: f32,
  eps: f32,
}

@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;
@group(0) @binding(2) var<storage, read> keys: array<vec2<u32>>;
@group(0) @binding(3) var<storage, read_write> status: array<atomic<u32>>;
@group(0) @binding(4) var<uniform> p: Params;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = linear_index(wid, nwg, lid, 64u);
  if (i >= p.n) { return; }
  let b = i / p.plane;
  let e = i - b * p.plane;
  let u = src[i];
  let noise = p.sigma * normal_of(draw_block(keys[b], 0u, e / 2u, 0u), (e & 1u) == 1u);
  let uf = f32(u);
  let y = select(uf + 255.0 * noise, uf + uf * noise, p.speckle == 1u);
  dst[i] = store_byte(y);
  if (ambiguous_byte(y, p.eps)) { flag(i, u); }
}

// @kernel impulse
// impulse_noise: uniform e below p/2 → 255 (salt), below p → 0 (pepper), else unchanged; exact
// integer comparisons against the 53-bit thresholds.
struct Params {
  n: u32,
  plane: u32,
  salt_hi: u32,
  salt_lo: u32,
  pepper_hi: u32,
  pepper_lo: u32,
}

@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;
@group(0) @binding(2) var<storage, read> keys: array<vec2<u32>>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = linear_index(wid, nwg, lid, 64u);
  if (i >= p.n) { return; }
  let b = i / p.plane;
  let e = i - b * p.plane;
  let w = draw_block(keys[b], 0u, e / 2u, 0u);
  let odd = (e & 1u) == 1u;
  let hi = select(w.x, w.z, odd);
  let lo = select(w.y, w.w, odd);
  var out = src[i];
  if (unit53_less(hi, lo, p.salt_hi, p.salt_lo)) {
    out = 255u;
  } else if (unit53_less(hi, lo, p.pepper_hi, p.pepper_lo)) {
    out = 0u;
  }
  dst[i] = out;
}

// @kernel shot
// shot_noise: k ~ Poisson(λ = u·c/255), stored floor(255·clip(k/c)) (table kbyte). Per byte u the
// table holds a record (kind, a0, a1, a2):
//   kind 0: λ = 0, k = 0;
//   kind 1: λ ≤ 30, inversion with attempt-0 words (0, 1): k = the first j with u < cdf_j, given as
//           exact 53-bit thresholds at a0 (a1 of them), else a2 (where p_k underflows);
//   kind 2: λ > 30, PTRS (poisson.ts) with per-byte constants at a0: [λ int part, λ fraction,
//           ln λ, a, b, ln(1/α), vr threshold hi, lo] (all but the integers as f32 bits).
// The comparisons of u, v and u_s with constants are exact integer tests; k's floor and the log
// acceptance test are f32 and flagged when too close to call.
struct Params {
  n: u32,
  plane: u32,
  capacity: u32,
  photons: u32,
  kbyte_at: u32,
  t07_hi: u32,
  t07_lo: u32,
  t013_hi: u32,
  t013_lo: u32,
}

@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;
@group(0) @binding(2) var<storage, read> keys: array<vec2<u32>>;
@group(0) @binding(3) var<storage, read> table: array<u32>;
@group(0) @binding(4) var<storage, read_write> status: array<atomic<u32>>;
@group(0) @binding(5) var<uniform> p: Params;

fn f(at: u32) -> f32 {
  return bitcast<f32>(table[at]);
}

// a < b for 53-bit numbers split as (high 27 bits, low 26 bits).
fn less53(a: vec2<u32>, b: vec2<u32>) -> bool {
  return a.x < b.x || (a.x == b.x && a.y < b.y);
}

fn split_to_f32(m: vec2<u32>) -> f32 {
  return f32(m.x) * TWO_M27 + f32(m.y) * TWO_M53;
}

// ln(k!) for small k.
fn ln_factorial_small(k: f32) -> f32 {
  var s = 0.0;
  for (var j = 2.0; j <= k; j += 1.0) { s += log(j); }
  return s;
}

// −λ + k·ln λ − lnΓ(k + 1) without cancellation: for k > 10 Stirling's series in the form
// k·log1p((λ − k)/k) + (k − λ) − ½ln(2πk) − (1/(12k) − 1/(360k³) + 1/(1260k⁵) − 1/(1680k⁷)).
fn log_ratio(k: f32, lam_i: f32, lam_f: f32, loglam: f32) -> f32 {
  if (k <= 10.0) { return k * loglam - ln_factorial_small(k) - (lam_i + lam_f); }
  let ik = 1.0 / k;
  let ik2 = ik * ik;
  let series = ik * (0.08333333333333333 - ik2 * (0.002777777777777778 - ik2 * (0.0007936507936507937 - ik2 * 0.0005952380952380953)));
  let d = ((lam_i - k) + lam_f) / k;
  return k * log1p_f32(d) + ((k - lam_i) - lam_f) - 0.5 * log(6.283185307179586 * k) - series;
}

// PTRS; returns (k, 1 if flagged).
fn ptrs(key: vec2<u32>, e: u32, at: u32) -> vec2<u32> {
  let lam_i = f32(table[at]);
  let lam_f = f(at + 1u);
  let loglam = f(at + 2u);
  let a = f(at + 3u);
  let b = f(at + 4u);
  let ln_inv_alpha = f(at + 5u);
  let vr = vec2<u32>(table[at + 6u], table[at + 7u]);
  let t07 = vec2<u32>(p.t07_hi, p.t07_lo);
  let t013 = vec2<u32>(p.t013_hi, p.t013_lo);
  for (var attempt = 0u; attempt < 64u; attempt++) {
    let w = draw_block(key, 0u, e, attempt);
    // U = m_U/2^53 − ½, u_s = ½ − |U| = min(m_U, 2^53 − m_U)/2^53, V = m_V/2^53 (all exact)
    let mu = vec2<u32>(w.x >> 5u, w.y >> 6u);
    var us_m = mu;
    if (mu.x >= 0x4000000u) {
      us_m = select(vec2<u32>(0x7ffffffu - mu.x, 0x4000000u - mu.y), vec2<u32>(0x8000000u - mu.x, 0u), mu.y == 0u);
    }
    let vm = vec2<u32>(w.z >> 5u, w.w >> 6u);
    if (us_m.x == 0u && us_m.y == 0u) { continue; } // u_s = 0: k = −∞ < 0, rejected
    let big_u = f32(i32(mu.x) - 0x4000000) * TWO_M27 + f32(mu.y) * TWO_M53;
    let us = split_to_f32(us_m);
    let term = (2.0 * a / us + b) * big_u;
    let x = term + lam_f + 0.43;
    let ambiguous = abs(x - round(x)) < 1e-4 + 2e-6 * abs(term);
    let k = lam_i + floor(x);
    let v_le_vr = less53(vm, vr);
    if (!less53(us_m, t07) && v_le_vr) { return vec2<u32>(u32(max(k, 0.0)), select(0u, 1u, ambiguous)); }
    if (k < 0.0 || (less53(us_m, t013) && less53(us_m, vm))) {
      if (ambiguous && k >= -1.0) { return vec2<u32>(0u, 1u); }
      continue;
    }
    let v = split_to_f32(vm);
    let lhs = log(v) + ln_inv_alpha - log(a / (us * us) + b);
    let rhs = log_ratio(k, lam_i, lam_f, loglam);
    if (ambiguous || abs(lhs - rhs) < 2e-4) { return vec2<u32>(0u, 1u); }
    if (lhs <= rhs) { return vec2<u32>(u32(k), 0u); }
  }
  return vec2<u32>(0u, 1u);
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = linear_index(wid, nwg, lid, 64u);
  if (i >= p.n) { return; }
  let b = i / p.plane;
  let e = i - b * p.plane;
  let u = src[i];
  let rec = 4u * u;
  let kind = table[rec];
  var k = 0u;
  if (kind == 1u) {
    let w = draw_block(keys[b], 0u, e, 0u);
    let at = table[rec + 1u];
    let count = table[rec + 2u];
    k = table[rec + 3u];
    for (var j = 0u; j < count; j++) {
      if (unit53_less(w.x, w.y, table[at + 2u * j], table[at + 2u * j + 1u])) {
        k = j;
        break;
      }
    }
  } else if (kind == 2u) {
    let r = ptrs(keys[b], e, table[rec + 1u]);
    k = r.x;
    if (r.y == 1u) { flag(i, u); }
  }
  dst[i] = select(255u, table[p.kbyte_at + min(k, p.photons)], k <= p.photons);
}
