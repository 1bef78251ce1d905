// Log-gamma, log-beta and the Stirling correction term, all in float64.

import { xMinusLog1p } from './logarithms.js';

/** ½·ln(2π). */
export const HALF_LOG_2PI = 0.9189385332046728;
/** 1 − γ (Euler–Mascheroni). */
const ONE_MINUS_EULER = 0.42278433509846713;

/** ζ(k) − 1 for k = 2 … 30 (computed with mpmath at 40 digits). */
const ZETA_MINUS_ONE = [
  0.6449340668482264, 0.2020569031595943, 0.08232323371113819, 0.03692775514336993,
  0.01734306198444914, 0.008349277381922827, 0.00407735619794434, 0.0020083928260822143,
  0.0009945751278180853, 0.0004941886041194645, 0.0002460865533080483, 0.00012271334757848915,
  6.124813505870483e-5, 3.058823630702049e-5, 1.528225940865187e-5, 7.637197637899763e-6,
  3.81729326499984e-6, 1.908212716553939e-6, 9.539620338727962e-7, 4.769329867878064e-7,
  2.38450502727733e-7, 1.1921992596531106e-7, 5.960818905125948e-8, 2.980350351465228e-8,
  1.4901554828365043e-8, 7.45071178983543e-9, 3.725334024788457e-9, 1.862659723513049e-9,
  9.313274324196682e-10,
];

/**
 * ln Γ(2 + t) for |t| ≤ 0.5. From Abramowitz & Stegun 6.1.33,
 * ln Γ(1 + t) = −ln(1 + t) + (1 − γ)t + Σ_{k≥2} (−1)^k (ζ(k) − 1) t^k / k, and Γ(2 + t) = (1 + t)Γ(1 + t).
 * The terms fall like (t/2)^k, so 29 of them reach float64 precision at |t| = 0.5.
 */
function lgammaTwoPlus(t: number): number {
  const s = -t;
  let poly = 0;
  for (let k = ZETA_MINUS_ONE.length + 1; k >= 2; k--) poly = poly * s + ZETA_MINUS_ONE[k - 2]! / k;
  return ONE_MINUS_EULER * t + poly * s * s;
}

/** Stirling-series coefficients B_{2k} / (2k(2k − 1)), k = 1 … 8. */
const STIRLING = [
  1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156, -3617 / 122400,
];

/**
 * Stirling correction Δ(x) = ln Γ(x) − [(x − ½)ln x − x + ½ln(2π)] for x > 0
 * (the "stirlerr" of Loader's binomial algorithm: Δ(n) = ln n! − ln(√(2πn)(n/e)^n)).
 * For x ≥ 10 the asymptotic series is summed directly (truncation error < 1e-18).
 */
export function stirlingCorrection(x: number): number {
  if (x >= 10) {
    const r = 1 / x;
    const r2 = r * r;
    let poly = 0;
    for (let k = STIRLING.length - 1; k >= 0; k--) poly = poly * r2 + STIRLING[k]!;
    return poly * r;
  }
  return lgamma(x) - ((x - 0.5) * Math.log(x) - x + HALF_LOG_2PI);
}

/** sin(πx), with the argument reduced exactly first. */
function sinPi(x: number): number {
  const r = x - 2 * Math.round(x / 2); // in [−1, 1], exact
  return Math.sin(Math.PI * r);
}

/**
 * ln|Γ(x)| in float64. Accurate to a few ulps in absolute terms everywhere and in relative
 * terms near the zeros at x = 1 and x = 2. Returns +Infinity at x = 0, −1, −2, … .
 */
export function lgamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return Infinity;
  if (x <= 0) {
    if (x === Math.floor(x)) return Infinity;
    // Reflection: Γ(x)Γ(1 − x) = π / sin(πx).
    return Math.log(Math.PI / Math.abs(sinPi(x))) - lgamma(1 - x);
  }
  if (x < 0.5) return lgammaTwoPlus(x) - Math.log1p(x) - Math.log(x);
  if (x < 1.5) return lgammaTwoPlus(x - 1) - Math.log1p(x - 1);
  if (x <= 2.5) return lgammaTwoPlus(x - 2);
  if (x < 10) {
    // Γ(x) = (x − 1)(x − 2)…(x − m)·Γ(x − m) with x − m in (1.5, 2.5]; each subtraction is exact.
    let shifted = x;
    let product = 1;
    while (shifted > 2.5) {
      shifted -= 1;
      product *= shifted;
    }
    return Math.log(product) + lgammaTwoPlus(shifted - 2);
  }
  return (x - 0.5) * Math.log(x) - x + HALF_LOG_2PI + stirlingCorrection(x);
}

/**
 * ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b) for a, b > 0, without the cancellation of the
 * naive formula for large arguments (the approach of DiDonato & Morris, TOMS 708 `betaln`):
 * both ≥ 10: Stirling's formula with the logs written as log1p of the ratio;
 * only the larger ≥ 10: ln Γ(b) − ln Γ(a + b) expanded around b (TOMS 708 `algdiv`).
 */
export function lbeta(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  const small = Math.min(a, b);
  const large = Math.max(a, b);
  if (small >= 10) {
    const sum = small + large;
    return (
      HALF_LOG_2PI -
      0.5 * Math.log(sum) -
      (small - 0.5) * Math.log1p(large / small) -
      (large - 0.5) * Math.log1p(small / large) +
      stirlingCorrection(small) +
      stirlingCorrection(large) -
      stirlingCorrection(sum)
    );
  }
  if (large >= 10) {
    // ln Γ(b) − ln Γ(a + b) = b·(a/b − ln(1 + a/b)) + ½ln(1 + a/b) − a·ln(a + b) + Δ(b) − Δ(a + b).
    const ratio = small / large;
    const sum = small + large;
    const lgammaRatio =
      large * xMinusLog1p(ratio) +
      0.5 * Math.log1p(ratio) -
      small * Math.log(sum) +
      stirlingCorrection(large) -
      stirlingCorrection(sum);
    return lgamma(small) + lgammaRatio;
  }
  return lgamma(a) + lgamma(b) - lgamma(a + b);
}
