// Standard normal distribution: CDF and quantile, accurate in relative terms in both tails.

import { checkClosed, checkNumber } from './validate.js';

const INV_SQRT_2PI = 0.3989422804014327;
const SQRT_2PI = 2.5066282746310007;

/** Below this |x| the Taylor series is used, above it the continued fraction. */
const SERIES_LIMIT = 1.5;

/**
 * φ(x) = exp(−x²/2)/√(2π). x is split as x_h + x_l with x_h a multiple of 1/16, so that x_h² is exact
 * and the rounding error of x² (up to 700·ε in the exponent near underflow) never enters (Cody 1969).
 */
function normPdf(x: number): number {
  const head = Math.trunc(x * 16) / 16;
  const headSquare = head * head;
  const crossTerm = (x - head) * (x + head);
  return INV_SQRT_2PI * Math.exp(-0.5 * headSquare) * Math.exp(-0.5 * crossTerm);
}

/**
 * Φ(x) − ½ for |x| ≤ 1.5, by the series Φ(x) − ½ = φ(x)·Σ_{n≥0} x^{2n+1} / (1·3·5···(2n+1))
 * (Abramowitz & Stegun 26.2.11), whose terms are all of one sign.
 */
function centralPart(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 100; n++) {
    term *= x2 / (2 * n + 1);
    sum += term;
    if (Math.abs(term) <= 1e-17 * Math.abs(sum)) break;
  }
  return normPdf(x) * sum;
}

/**
 * Upper tail Q(x) = 1 − Φ(x) for x ≥ 1.5, by Laplace's continued fraction
 * Q(x) = φ(x) / (x + 1/(x + 2/(x + 3/(x + …)))) (A&S 26.2.14), evaluated with the modified Lentz method.
 * Needs at most ~180 terms at x = 1.5 and a handful far out.
 */
function upperTail(x: number): number {
  if (x > 39) return 0; // Q(39) < 2^-1074 / 2
  const tiny = 1e-300;
  let value = x;
  let c = x;
  let d = 0;
  for (let j = 1; j < 1000; j++) {
    d = x + j * d;
    if (d === 0) d = tiny;
    d = 1 / d;
    c = x + j / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    value *= delta;
    if (Math.abs(delta - 1) <= 1e-16) break;
  }
  return normPdf(x) / value;
}

/** Φ(x) for finite or infinite x, relative accuracy kept in the lower tail. */
function cdf(x: number): number {
  if (x < -SERIES_LIMIT) return upperTail(-x);
  if (x > SERIES_LIMIT) return 1 - upperTail(x);
  return 0.5 + centralPart(x);
}

/** Standard normal CDF Φ(x). Relative error ~1e-15, also deep in the lower tail (down to x ≈ −37.5). */
export function normCdf(x: number): number {
  checkNumber('normCdf', 'x', x);
  return cdf(x);
}

/**
 * Standard normal quantile Φ⁻¹(p) for p in [0, 1] (±Infinity at 0 and 1).
 * Starting value from Abramowitz & Stegun 26.2.23 (|error| < 4.5e-4), then Halley steps on the accurate
 * CDF: with r = (Φ(x) − p)/φ(x), x ← x − r/(1 + x·r/2). Near p = ½ the equation solved is
 * Φ(x) − ½ = p − ½ (exact subtraction), in the tails Φ(x) = min(p, 1 − p), so the result has full
 * relative precision everywhere, down to p = 1e-300 and up to 1 − 2^-53.
 */
export function normPpf(p: number): number {
  checkClosed('normPpf', 'p', p, 0, 1);
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  const centered = p - 0.5; // exact for p ≥ 0.25; below, its rounding (< 3e-17) moves x by < 3e-16
  if (Math.abs(centered) <= 0.425) {
    let x = Math.abs(centered) < 0.05 ? centered * SQRT_2PI : tailStart(Math.min(p, 1 - p)) * Math.sign(centered);
    for (let iteration = 0; iteration < 10; iteration++) {
      const r = (centralPart(x) - centered) / normPdf(x);
      const step = r / (1 + 0.5 * x * r);
      x -= step;
      if (!(Math.abs(step) > 1e-12 * Math.abs(x))) break;
    }
    return x;
  }
  // Tail: solve Φ(x) = r for x < 0 with r = min(p, 1 − p); 1 − p is exact for p ≥ ½.
  const tail = p < 0.5 ? p : 1 - p;
  let x = -tailStart(tail);
  for (let iteration = 0; iteration < 20; iteration++) {
    const density = normPdf(x);
    if (density === 0) break;
    const r = (cdf(x) - tail) / density;
    const step = r / (1 + 0.5 * x * r);
    x -= step;
    if (!(Math.abs(step) > 1e-12 * Math.abs(x))) break;
  }
  return p < 0.5 ? x : -x;
}

/** Abramowitz & Stegun 26.2.23: the upper-tail quantile z with Q(z) = r, for 0 < r ≤ ½ (|error| < 4.5e-4). */
function tailStart(r: number): number {
  const t = Math.sqrt(-2 * Math.log(r));
  const numerator = 2.515517 + t * (0.802853 + t * 0.010328);
  const denominator = 1 + t * (1.432788 + t * (0.189269 + t * 0.001308));
  return t - numerator / denominator;
}
