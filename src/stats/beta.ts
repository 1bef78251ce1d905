// Regularized incomplete beta function I_x(a, b), its complement, and their inverses.

import { gammaTails } from './gamma.js';
import { HALF_LOG_2PI, lbeta, stirlingCorrection } from './lgamma.js';
import { ratioDeviation, scaledExp, xMinusLog1p } from './logarithms.js';
import { normPpf } from './normal.js';
import { halleyStep, solveIncreasing } from './solve.js';
import { checkClosed, checkPositive } from './validate.js';

/**
 * ln(x^a y^b / B(a, b)) with y = 1 − x, where the smaller of x, y is exact and the other is its
 * (possibly rounded) complement; the logs use only the exact one.
 * For a, b ≥ 10 (DiDonato & Morris 1992, TOMS 708 `brcomp`): with x₀ = a/(a + b), y₀ = b/(a + b),
 * e₁ = x/x₀ − 1, e₂ = y/y₀ − 1 (so a·e₁ + b·e₂ = 0) and Stirling's formula for B(a, b),
 *   ln(x^a y^b / B) = −a(e₁ − ln(1 + e₁)) − b(e₂ − ln(1 + e₂)) + ½ln(ab/(a + b)) − ½ln(2π) − Δ(a) − Δ(b) + Δ(a + b),
 * which avoids subtracting numbers of size (a + b)·ln 2 (≈ 1.4e6 at a = b = 1e6).
 */
function logPowerTerm(a: number, b: number, x: number, y: number): number {
  if (a >= 10 && b >= 10) {
    const x0 = a / (a + b);
    const y0 = b / (a + b);
    let deviation: number;
    if (x <= y) {
      deviation = a * ratioDeviation(x, x0) + b * xMinusLog1p((x0 - x) / y0);
    } else {
      deviation = a * xMinusLog1p((y0 - y) / x0) + b * ratioDeviation(y, y0);
    }
    const stirling = stirlingCorrection(a) + stirlingCorrection(b) - stirlingCorrection(a + b);
    return -deviation + 0.5 * Math.log(a * y0) - HALF_LOG_2PI - stirling;
  }
  const logX = x <= y ? Math.log(x) : Math.log1p(-y);
  const logY = x <= y ? Math.log1p(-x) : Math.log(y);
  return a * logX + b * logY - lbeta(a, b);
}

/**
 * The continued fraction F with I_x(a, b) = x^a y^b / (a·B(a, b)) · F (DLMF 8.17.22; Numerical Recipes 6.4),
 * F = 1/(1 + d₁/(1 + d₂/(1 + …))), d_{2m+1} = −(a + m)(a + b + m)x / ((a + 2m)(a + 2m + 1)),
 * d_{2m} = m(b − m)x / ((a + 2m − 1)(a + 2m)), evaluated with the modified Lentz method.
 * Converges quickly for x < (a + 1)/(a + b + 2); O(√max(a, b)) terms near that point.
 */
function continuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  const clamp = (v: number) => (Math.abs(v) < tiny ? tiny : v);
  let c = 1;
  let d = 1 / clamp(1 - ((a + b) * x) / (a + 1));
  let fraction = d;
  for (let m = 1; m < 1_000_000; m++) {
    const even = (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
    d = 1 / clamp(1 + even * d);
    c = clamp(1 + even / c);
    fraction *= d * c;
    const odd = (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
    d = 1 / clamp(1 + odd * d);
    c = clamp(1 + odd / c);
    const delta = d * c;
    fraction *= delta;
    if (Math.abs(delta - 1) <= 1e-16) break;
  }
  return fraction;
}

/** B_{2k} / (2k·(2k)!), k = 1 … 20: the Taylor coefficients of ln(sinh(z/2)/(z/2)) in z² (mpmath, 40 digits). */
const LOG_SINHC = [
  0.041666666666666664, -0.00034722222222222224, 5.5114638447971785e-6, -1.033399470899471e-7,
  2.08767569878681e-9, -4.403491782239578e-11, 9.55895466477477e-13, -2.1185501852016142e-14,
  4.770034475709914e-16, -1.087434349279031e-17, 2.5040921947091955e-19, -5.814360285755218e-21,
  1.3595027075497952e-22, -3.1976847953705525e-24, 7.559841507792277e-26, -1.7952470840225633e-27,
  4.279919045926073e-29, -1.0238874835181417e-30, 2.4570353308144855e-32, -5.912556039251575e-34,
];

/**
 * I_x(a, b) for large a, moderate b and x = 1 − y near 1 (y exact), where the continued fraction loses
 * digits to cancellation. The expansion of DiDonato & Morris (1992, TOMS 708 `bgrat`), derived here
 * directly: with T = a + (b − 1)/2 and t = e^{−s/T},
 *   B(a, b)·I_x(a, b) = T^{−b} ∫_u^∞ s^{b−1} e^{−s} h(s/T) ds,  u = −T·ln x,  h(z) = (sinh(z/2)/(z/2))^{b−1},
 * and expanding the even function h(z) = Σ c_n z^{2n} (|z| < 2π) gives
 *   I_x(a, b) = Γ(a + b)/(Γ(a)·T^b) · Σ_n c_n Γ(b + 2n, u)/(Γ(b)·T^{2n}),
 * with Γ(b, u)/Γ(b) = Q(b, u) and Γ(s + 2, u) = (s + 1)s·Γ(s, u) + (s + 1 + u)·u^s e^{−u} upward.
 * The neglected part of the integral (s > 2πT) is below e^{−5T} relative for x > ½.
 * Returns NaN where the series would be long (h large over the bulk of the integrand).
 */
function largeAExpansion(a: number, b: number, y: number): number {
  const t = a + 0.5 * (b - 1);
  const u = -t * Math.log1p(-y);
  // The integrand's bulk lies at s ≈ max(u, b), where h ≈ exp((b − 1)w²/24) with w = s/T; the terms of the
  // series peak near n ≈ (b − 1)w²/24. The series is rescaled to z/w so that nothing overflows.
  const scale = Math.max(u, b, 1);
  const w = scale / t;
  if (Math.abs(b - 1) * w * w > 960) return NaN;
  const gamma = gammaTails(b, u);
  // ln(Γ(a + b)/(Γ(a)·T^b)) by Stirling's formula, free of the cancellation of the log-gammas:
  // −a·(b/a − ln(1 + b/a)) − ½ln(1 + b/a) + b·ln(1 + (b + 1)/(2T)) + Δ(a + b) − Δ(a).
  const logFactor =
    -a * xMinusLog1p(b / a) -
    0.5 * Math.log1p(b / a) +
    b * Math.log1p((b + 1) / (2 * t)) +
    stirlingCorrection(a + b) -
    stirlingCorrection(a);
  // h = exp((b − 1)·Σ_k LOG_SINHC[k−1]·w^{2k}·(z/w)^{2k}) = Σ c̃_n (z/w)^{2n}, by n·c̃_n = Σ_k k·ℓ̃_k·c̃_{n−k}.
  const w2 = w * w;
  let power = 1;
  const logCoefficients = LOG_SINHC.map((l) => (b - 1) * l * (power *= w2));
  const coefficients = [1];
  // g_n = Γ(b + 2n, u)/(Γ(b)·scale^{2n}·Q(b, u)) and e_n = u^{b+2n} e^{−u}/(Γ(b)·scale^{2n}·Q(b, u)):
  // divided by Q(b, u) so that nothing underflows before the final exponential.
  const inverseScale2 = 1 / (scale * scale);
  let g = 1;
  let e = Math.exp(gamma.logPowerTerm + Math.log(b) - gamma.logUpper);
  let sum = g;
  for (let n = 1; n < 1000; n++) {
    const s = b + 2 * (n - 1);
    g = ((s + 1) * s * g + (s + 1 + u) * e) * inverseScale2;
    e *= u * u * inverseScale2;
    let c = 0;
    for (let k = 1; k <= Math.min(n, logCoefficients.length); k++) c += k * logCoefficients[k - 1]! * coefficients[n - k]!;
    c /= n;
    coefficients.push(c);
    const term = c * g;
    sum += term;
    if (Math.abs(term) <= 1e-17 * Math.abs(sum)) {
      return Math.exp(logFactor + gamma.logUpper + Math.log(sum));
    }
  }
  return NaN;
}

export interface BetaTails {
  /** I_x(a, b). */
  readonly lower: number;
  /** 1 − I_x(a, b). */
  readonly upper: number;
  /** ln(x^a y^b / B(a, b)); the density of Beta(a, b) at x is exp(logPowerTerm)/(x·y). */
  readonly logPowerTerm: number;
}

/**
 * Both tails of the regularized incomplete beta function at x, with y = 1 − x passed separately
 * (the smaller of the two must be exact). The tail on the short side of (a + 1)/(a + b + 2) is computed
 * directly (using I_x(a, b) = 1 − I_y(b, a)), the other by subtraction.
 */
export function betaTails(a: number, b: number, x: number, y: number): BetaTails {
  if (x === 0) return { lower: 0, upper: 1, logPowerTerm: -Infinity };
  if (y === 0) return { lower: 1, upper: 0, logPowerTerm: -Infinity };
  const logTerm = logPowerTerm(a, b, x, y);
  const swap = x > (a + 1) / (a + b + 2);
  const direct = swap ? directTail(b, a, y, x, logTerm) : directTail(a, b, x, y, logTerm);
  return swap
    ? { lower: 1 - direct, upper: direct, logPowerTerm: logTerm }
    : { lower: direct, upper: 1 - direct, logPowerTerm: logTerm };
}

/** Smallest a for which the large-a expansion replaces the continued fraction for x > ½. */
const LARGE_A = 100;

/**
 * I_x(a, b) for x ≤ (a + 1)/(a + b + 2), given logTerm = ln(x^a y^b / B(a, b)): the continued fraction,
 * except for x > ½ with a ≥ 100 (so a > b), where its terms cancel (each odd level is 1 − (1 + O(b/a))x)
 * and the large-a expansion is used.
 */
function directTail(a: number, b: number, x: number, y: number, logTerm: number): number {
  if (x > 0.5 && a >= LARGE_A) {
    const value = largeAExpansion(a, b, y);
    if (!Number.isNaN(value)) return value;
  }
  return scaledExp(logTerm, continuedFraction(a, b, x) / a);
}

/** Regularized incomplete beta function I_x(a, b), a, b > 0, x in [0, 1]. */
export function betaInc(a: number, b: number, x: number): number {
  checkPositive('betaInc', 'a', a);
  checkPositive('betaInc', 'b', b);
  checkClosed('betaInc', 'x', x, 0, 1);
  return betaTails(a, b, x, 1 - x).lower;
}

/**
 * A starting value [x, 1 − x] for the quantile with lower-tail probability p (upper q = 1 − p).
 * a, b ≥ 1: Abramowitz & Stegun 26.5.22 (normal approximation on the logit scale, as in AS 109);
 * otherwise the two power-law tails x^a/(a·B) and y^b/(b·B) of the density near 0 and 1
 * (Numerical Recipes 6.4.1).
 */
function inverseStart(a: number, b: number, p: number, q: number): [number, number] {
  if (a >= 1 && b >= 1) {
    const z = p <= q ? -normPpf(p) : normPpf(q); // upper-tail normal quantile of p
    const lambda = (z * z - 3) / 6;
    const h = 2 / (1 / (2 * a - 1) + 1 / (2 * b - 1));
    const w = (z * Math.sqrt(h + lambda)) / h - (1 / (2 * b - 1) - 1 / (2 * a - 1)) * (lambda + 5 / 6 - 2 / (3 * h));
    // x = a/(a + b·e^{2w}), y = b/(a·e^{−2w} + b)
    return [a / (a + b * Math.exp(2 * w)), b / (a * Math.exp(-2 * w) + b)];
  }
  const logA = Math.log(a / (a + b));
  const logB = Math.log(b / (a + b));
  const lowerMass = Math.exp(a * logA) / a;
  const upperMass = Math.exp(b * logB) / b;
  const total = lowerMass + upperMass;
  if (p < lowerMass / total) {
    const x = Math.exp((Math.log(a * total) + Math.log(p)) / a);
    return [x, 1 - x];
  }
  const y = Math.exp((Math.log(b * total) + Math.log(q)) / b);
  return [1 - y, y];
}

/**
 * Solves I_x(a, b) = p for x, iterating on x, which should be the smaller side. Whichever of p and q = 1 − p
 * is smaller is matched, on the log scale: f(x) = ln I_x − ln p (or ln q − ln(1 − I_x)), which is nearly
 * linear in the tails where I_x itself is exponential, so Newton steps stay long there.
 * Safeguarded Halley with f''/f' = (a − 1)/x − (b − 1)/y ∓ density/tail.
 */
function solveLower(a: number, b: number, p: number, q: number, start: number): number {
  const useUpper = q < p;
  const logTarget = Math.log(useUpper ? q : p);
  const evaluate = (x: number) => {
    const y = 1 - x;
    const tails = betaTails(a, b, x, y);
    const tail = useUpper ? tails.upper : tails.lower;
    const logTail = Math.log(tail);
    const f = useUpper ? logTarget - logTail : logTail - logTarget;
    const densityOverTail = Math.exp(tails.logPowerTerm - Math.log(x) - Math.log(y) - logTail);
    if (!(densityOverTail > 0 && densityOverTail < Infinity) || !Number.isFinite(f)) return { f, step: NaN };
    const newton = f / densityOverTail;
    const curvature = (a - 1) / x - (b - 1) / y + (useUpper ? densityOverTail : -densityOverTail);
    return { f, step: halleyStep(newton, curvature) };
  };
  return solveIncreasing(evaluate, start, 0, 1);
}

/**
 * The Beta(a, b) quantile as [x, 1 − x] for lower-tail probability p and upper-tail probability q = 1 − p
 * (the smaller of p, q exact). The iteration runs on whichever of x, 1 − x is expected to be smaller, so both
 * returned values carry full relative precision; e.g. the Clopper–Pearson upper limit near 1 or near 0.
 */
export function betaQuantile(a: number, b: number, p: number, q: number): [number, number] {
  if (p === 0) return [0, 1];
  if (q === 0) return [1, 0];
  const [x0, y0] = inverseStart(a, b, p, q);
  if (x0 <= y0) {
    const x = solveLower(a, b, p, q, x0);
    return [x, 1 - x];
  }
  const y = solveLower(b, a, q, p, y0);
  return [1 - y, y];
}

/** Inverse of the regularized incomplete beta function: x with I_x(a, b) = p, a, b > 0, p in [0, 1]. */
export function betaIncInv(a: number, b: number, p: number): number {
  checkPositive('betaIncInv', 'a', a);
  checkPositive('betaIncInv', 'b', b);
  checkClosed('betaIncInv', 'p', p, 0, 1);
  return betaQuantile(a, b, p, 1 - p)[0];
}
