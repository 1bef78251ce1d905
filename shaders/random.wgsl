// Counter-based random numbers: Philox-4x32-10 (Salmon et al., SC 2011), the same function as
// src/random/philox.ts. Element i of a draw comes from word i % 4 of the block
// philox((i / 4, 0, 0, 0), key), so a key gives the same numbers on the CPU twin and on any GPU.

struct Params {
  size: u32,
  k0: u32,
  k1: u32,
  a: f32,
  b: f32,
}

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<uniform> p: Params;

// High 32 bits of the 64-bit product (WGSL has no 64-bit integers): 16-bit limbs.
fn mulhi32(a: u32, b: u32) -> u32 {
  let a_lo = a & 0xffffu;
  let a_hi = a >> 16u;
  let b_lo = b & 0xffffu;
  let b_hi = b >> 16u;
  let p0 = a_lo * b_lo;
  let p1 = a_lo * b_hi;
  let p2 = a_hi * b_lo;
  let p3 = a_hi * b_hi;
  let mid = (p0 >> 16u) + (p1 & 0xffffu) + (p2 & 0xffffu);
  return p3 + (p1 >> 16u) + (p2 >> 16u) + (mid >> 16u);
}

fn philox4x32(counter: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
  var x = counter;
  var k = key;
  for (var round = 0u; round < 10u; round++) {
    let hi0 = mulhi32(0xd2511f53u, x.x);
    let lo0 = 0xd2511f53u * x.x;
    let hi1 = mulhi32(0xcd9e8d57u, x.z);
    let lo1 = 0xcd9e8d57u * x.z;
    x = vec4<u32>(hi1 ^ x.y ^ k.x, lo1, hi0 ^ x.w ^ k.y, lo0);
    k = k + vec2<u32>(0x9e3779b9u, 0xbb67ae85u);
  }
  return x;
}

// [0, 1) with 24 random bits; (0, 1] for the logarithm in Box–Muller.
fn unit24(w: u32) -> f32 {
  return f32(w >> 8u) * 5.9604644775390625e-8;
}
fn open_unit24(w: u32) -> f32 {
  return f32((w >> 8u) + 1u) * 5.9604644775390625e-8;
}

// @kernel uniform
// out[i] = a + (b - a) · U[0, 1); one invocation per block of four elements.
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let block = linear_index(wid, nwg, lid, 64u);
  if (block * 4u >= p.size) { return; }
  let w = philox4x32(vec4<u32>(block, 0u, 0u, 0u), vec2<u32>(p.k0, p.k1));
  for (var j = 0u; j < 4u; j++) {
    let i = block * 4u + j;
    if (i < p.size) { out[i] = p.a + (p.b - p.a) * unit24(w[j]); }
  }
}

// @kernel normal
// out[i] = a + b · N(0, 1) by Box–Muller on word pairs (0, 1) and (2, 3): both outputs are used,
// the cosine branch for even i and the sine branch for odd i.
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let block = linear_index(wid, nwg, lid, 64u);
  if (block * 4u >= p.size) { return; }
  let w = philox4x32(vec4<u32>(block, 0u, 0u, 0u), vec2<u32>(p.k0, p.k1));
  for (var pair = 0u; pair < 2u; pair++) {
    let r = sqrt(-2.0 * log(open_unit24(w[2u * pair])));
    let theta = 6.283185307179586 * unit24(w[2u * pair + 1u]);
    let i = block * 4u + 2u * pair;
    if (i < p.size) { out[i] = p.a + p.b * r * cos(theta); }
    if (i + 1u < p.size) { out[i + 1u] = p.a + p.b * r * sin(theta); }
  }
}

// @kernel truncated_normal
// out[i] = N(0, 1) truncated to [−a, a], per coordinate (scipy's truncnorm(−a, a)), by inversion:
// Φ⁻¹(Φ(−a) + u·(Φ(a) − Φ(−a))) with u from word i of the stream. f32 approximations: Φ through
// erfc (Numerical Recipes' Chebyshev fit, relative error < 1.2e−7) and Φ⁻¹ by Acklam's algorithm
// (relative error < 1.2e−9, below f32 precision).
fn erfc_approx(z: f32) -> f32 {
  let x = abs(z);
  let t = 1.0 / (1.0 + 0.5 * x);
  let poly = -x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
             t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  let r = t * exp(poly);
  return select(2.0 - r, r, z >= 0.0);
}

fn norm_cdf(x: f32) -> f32 {
  return 0.5 * erfc_approx(-x * 0.7071067811865476);
}

fn norm_ppf(q: f32) -> f32 {
  let p = clamp(q, 1e-38, 1.0 - 5.96e-8);
  let p_low = 0.02425;
  if (p < p_low) {
    let s = sqrt(-2.0 * log(p));
    return (((((-7.784894002430293e-03 * s - 3.223964580411365e-01) * s - 2.400758277161838e+00) * s - 2.549732539343734e+00) * s + 4.374664141464968e+00) * s + 2.938163982698783e+00) /
           ((((7.784695709041462e-03 * s + 3.224671290700398e-01) * s + 2.445134137142996e+00) * s + 3.754408661907416e+00) * s + 1.0);
  }
  if (p > 1.0 - p_low) {
    let s = sqrt(-2.0 * log(1.0 - p));
    return -(((((-7.784894002430293e-03 * s - 3.223964580411365e-01) * s - 2.400758277161838e+00) * s - 2.549732539343734e+00) * s + 4.374664141464968e+00) * s + 2.938163982698783e+00) /
            ((((7.784695709041462e-03 * s + 3.224671290700398e-01) * s + 2.445134137142996e+00) * s + 3.754408661907416e+00) * s + 1.0);
  }
  let c = p - 0.5;
  let r = c * c;
  return (((((-3.969683028665376e+01 * r + 2.209460984245205e+02) * r - 2.759285104469687e+02) * r + 1.383577518672690e+02) * r - 3.066479806614716e+01) * r + 2.506628277459239e+00) * c /
         (((((-5.447609879822406e+01 * r + 1.615858368580409e+02) * r - 1.556989798598866e+02) * r + 6.680131188771972e+01) * r - 1.328068155288572e+01) * r + 1.0);
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let block = linear_index(wid, nwg, lid, 64u);
  if (block * 4u >= p.size) { return; }
  let w = philox4x32(vec4<u32>(block, 0u, 0u, 0u), vec2<u32>(p.k0, p.k1));
  let lo = norm_cdf(-p.a);
  let width = 1.0 - 2.0 * lo;
  for (var j = 0u; j < 4u; j++) {
    let i = block * 4u + j;
    if (i < p.size) {
      let z = norm_ppf(lo + open_unit24(w[j]) * width);
      out[i] = clamp(z, -p.a, p.a);
    }
  }
}
