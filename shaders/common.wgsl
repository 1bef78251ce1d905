// Helpers shared by all kernels (prepended to every shader that uses them).

// NaN and infinity are produced and tested through their bit patterns: WGSL compilers may assume
// finite floats, so `x != x` is not a reliable NaN test. The bit patterns go through a `var` so
// that the bitcast is evaluated at run time (a constant NaN/inf is a shader-creation error).
fn is_nan(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;
}
fn nan_f32() -> f32 {
  var bits = 0x7fc00000u;
  return bitcast<f32>(bits);
}
fn inf_f32() -> f32 {
  var bits = 0x7f800000u;
  return bitcast<f32>(bits);
}

// min/max that propagate NaN like PyTorch's minimum/maximum.
fn nan_min(a: f32, b: f32) -> f32 {
  if (is_nan(a) || is_nan(b)) { return nan_f32(); }
  return min(a, b);
}
fn nan_max(a: f32, b: f32) -> f32 {
  if (is_nan(a) || is_nan(b)) { return nan_f32(); }
  return max(a, b);
}

// log(1 + x) without cancellation for small x (Goldberg 1991, "What every computer scientist
// should know about floating-point arithmetic", Theorem 4). Goldberg's trick needs a log that is
// accurate relative to its result near 1, which WGSL does not promise (log may be off by 2^-21
// absolute on [0.5, 2]; lavapipe's is ~4e-8 off, so log1p(1e-7) came out 40% wrong): for
// |x| < 1e-2 the Taylor series is used instead (truncation error below |x|^5 / 6 relative).
fn log1p_f32(x: f32) -> f32 {
  let u = 1.0 + x;
  if (u == 1.0) { return x; }
  if (abs(x) < 1e-2) {
    return x * (1.0 + x * (-0.5 + x * (0.33333334 + x * (-0.25 + x * 0.2))));
  }
  return log(u) * x / (u - 1.0);
}

// exp(x) − 1 without cancellation: the Taylor series for |x| < 1e−2 (where exp(x) − 1 loses
// digits and WGSL's exp/log are not accurate enough for Kahan's correction), exp(x) − 1 otherwise.
fn expm1_f32(x: f32) -> f32 {
  if (abs(x) < 1e-2) {
    return x * (1.0 + x * (0.5 + x * (0.16666667 + x * 0.041666668)));
  }
  return exp(x) - 1.0;
}

// a^b with PyTorch semantics for negative bases and integral exponents (WGSL pow is undefined for a < 0).
fn pow_f32(a: f32, b: f32) -> f32 {
  // NaN in, NaN out, except 1^b and a^0, which are 1 (C and PyTorch); WGSL's pow does not
  // promise to propagate NaN (SwiftShader does not).
  if (is_nan(a) || is_nan(b)) { return select(nan_f32(), 1.0, (!is_nan(a) && a == 1.0) || (!is_nan(b) && b == 0.0)); }
  if (b == 0.0) { return 1.0; }
  if (a < 0.0 && floor(b) == b) {
    let r = pow(-a, b);
    let odd = abs(b) < 16777216.0 && (i32(abs(b)) & 1) == 1;
    return select(r, -r, odd);
  }
  if (a == 0.0 && b > 0.0) { return 0.0; }
  // 0^b for b < 0 is +inf (-inf for -0 and an odd integral b), as in C and PyTorch; WGSL's pow
  // leaves x = 0 undefined.
  if (a == 0.0 && b < 0.0) {
    let odd = floor(b) == b && abs(b) < 16777216.0 && (i32(abs(b)) & 1) == 1;
    let negative_zero = (bitcast<u32>(a) & 0x80000000u) != 0u;
    return select(inf_f32(), -inf_f32(), odd && negative_zero);
  }
  // A negative base with a non-integral exponent has no real power: NaN (WGSL leaves it undefined;
  // SwiftShader returns |a|^b).
  if (a < 0.0) { return nan_f32(); }
  return pow(a, b);
}

// Logistic sigmoid, stable for large |x|.
fn sigmoid_f32(x: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }
  let e = exp(x);
  return e / (1.0 + e);
}

// softplus(x) = log(1 + exp(x)), linear above PyTorch's default threshold 20.
fn softplus_f32(x: f32) -> f32 {
  if (x > 20.0) { return x; }
  return log1p_f32(exp(x));
}

// Tanh that saturates cleanly (some drivers return NaN for tanh of large arguments).
fn tanh_f32(x: f32) -> f32 {
  if (x > 15.0) { return 1.0; }
  if (x < -15.0) { return -1.0; }
  return tanh(x);
}

// The linear index of this invocation in a 1-D grid folded over x and y (see foldWorkgroups).
fn linear_index(wid: vec3<u32>, nwg: vec3<u32>, lid: u32, wg_size: u32) -> u32 {
  return (wid.x + wid.y * nwg.x) * wg_size + lid;
}
