// Regularized incomplete gamma functions P(a, x) (lower) and Q(a, x) = 1 − P(a, x), and the inverse of P.

import { HALF_LOG_2PI, lgamma, stirlingCorrection } from './lgamma.js';
import { ratioDeviation, scaledExp } from './logarithms.js';
import { normPpf } from './normal.js';
import { halleyStep, solveIncreasing } from './solve.js';
import { checkClosed, checkPositive } from './validate.js';

/**
 * ln(x^a e^{−x} / Γ(a + 1)). For a ≥ 10, with Stirling's formula for Γ(a + 1), it equals
 * −a·(x/a − 1 − ln(x/a)) − ½ln(2πa) − Δ(a): no cancellation between a·ln x, x and ln Γ(a + 1),
 * which are each ~1e6 at a = 1e5 (the approach of DiDonato & Morris 1986, `rcomp`).
 */
function logPowerTerm(a: number, x: number): number {
  if (a >= 10) return -a * ratioDeviation(x, a) - 0.5 * Math.log(a) - HALF_LOG_2PI - stirlingCorrection(a);
  return a * Math.log(x) - x - lgamma(a + 1);
}

export interface GammaTails {
  /** P(a, x). */
  readonly lower: number;
  /** Q(a, x) = 1 − P(a, x). */
  readonly upper: number;
  /** ln(x^a e^{−x} / Γ(a + 1)); the density of Gamma(a, 1) at x is exp(logPowerTerm)·a/x. */
  readonly logPowerTerm: number;
  /** ln Q(a, x), finite even where Q(a, x) underflows. */
  readonly logUpper: number;
  /** ln P(a, x), finite even where P(a, x) underflows. */
  readonly logLower: number;
}

/**
 * Both tails of the regularized incomplete gamma function, the smaller one computed directly:
 * for x < a + 1 the series P(a, x) = x^a e^{−x}/Γ(a + 1) · Σ_{n≥0} x^n / ((a + 1)…(a + n)) (all terms
 * positive), otherwise Legendre's continued fraction for Q(a, x) (Numerical Recipes 6.2, modified Lentz).
 * Near x ≈ a both need O(√a) terms, a few thousand at a = 1e5.
 */
export function gammaTails(a: number, x: number): GammaTails {
  if (x === 0) return { lower: 0, upper: 1, logPowerTerm: -Infinity, logUpper: 0, logLower: -Infinity };
  if (x === Infinity) return { lower: 1, upper: 0, logPowerTerm: -Infinity, logUpper: -Infinity, logLower: 0 };
  const logTerm = logPowerTerm(a, x);
  if (x < a + 1) {
    let term = 1;
    let sum = 1;
    for (let n = 1; n < 1_000_000; n++) {
      term *= x / (a + n);
      sum += term;
      if (term <= 1e-17 * sum) break;
    }
    const lower = scaledExp(logTerm, sum);
    return { lower, upper: 1 - lower, logPowerTerm: logTerm, logUpper: Math.log1p(-lower), logLower: logTerm + Math.log(sum) };
  }
  // Q(a, x) = x^a e^{−x}/Γ(a) · 1/(x + 1 − a − 1(1 − a)/(x + 3 − a − 2(2 − a)/(x + 5 − a − …))).
  const tiny = 1e-300;
  let denominator = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / denominator;
  let fraction = d;
  for (let i = 1; i < 1_000_000; i++) {
    const numerator = -i * (i - a);
    denominator += 2;
    d = numerator * d + denominator;
    if (Math.abs(d) < tiny) d = tiny;
    c = denominator + numerator / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    fraction *= delta;
    if (Math.abs(delta - 1) <= 1e-16) break;
  }
  const upper = scaledExp(logTerm, a * fraction);
  return { lower: 1 - upper, upper, logPowerTerm: logTerm, logUpper: logTerm + Math.log(a * fraction), logLower: Math.log1p(-upper) };
}

/** Regularized lower incomplete gamma function P(a, x) = γ(a, x)/Γ(a), a > 0, x ≥ 0. */
export function gammaInc(a: number, x: number): number {
  checkPositive('gammaInc', 'a', a);
  checkClosed('gammaInc', 'x', x, 0, Infinity);
  return gammaTails(a, x).lower;
}

/** Starting value for the inverse (Wilson–Hilferty for a > 1, Numerical Recipes 6.2.1 for a ≤ 1). */
function inverseStart(a: number, p: number, q: number): number {
  if (a > 1) {
    const z = p <= q ? normPpf(p) : -normPpf(q);
    const s = 1 / (9 * a);
    const cube = 1 - s + z * Math.sqrt(s);
    // x^a/Γ(a + 1) ≥ P(a, x), so this is a lower bound for the lower-tail quantile.
    const powerLaw = Math.exp((Math.log(p) + lgamma(a + 1)) / a);
    return cube > 0 ? Math.max(a * cube * cube * cube, powerLaw) : powerLaw;
  }
  const t = 1 - a * (0.253 + a * 0.12);
  return p < t ? Math.exp(Math.log(p / t) / a) : 1 - Math.log(q / (1 - t));
}

/**
 * Inverse of the regularized lower incomplete gamma function: x with P(a, x) = p, a > 0, p in [0, 1].
 * Safeguarded Halley iteration on the log scale, f(x) = ln P(a, x) − ln p, or ln(1 − p) − ln Q(a, x) when
 * p > ½ so that quantiles far in the upper tail keep their precision; f''/f' = (a − 1)/x − 1 ∓ density/tail.
 */
export function gammaIncInv(a: number, p: number): number {
  checkPositive('gammaIncInv', 'a', a);
  checkClosed('gammaIncInv', 'p', p, 0, 1);
  if (p === 0) return 0;
  if (p === 1) return Infinity;
  const q = 1 - p;
  const useUpper = p > 0.5;
  const logTarget = Math.log(useUpper ? q : p);
  const evaluate = (x: number) => {
    const tails = gammaTails(a, x);
    const tail = useUpper ? tails.upper : tails.lower;
    const logTail = Math.log(tail);
    const f = useUpper ? logTarget - logTail : logTail - logTarget;
    const densityOverTail = Math.exp(tails.logPowerTerm + Math.log(a / x) - logTail);
    if (!(densityOverTail > 0 && densityOverTail < Infinity) || !Number.isFinite(f)) return { f, step: NaN };
    const newton = f / densityOverTail;
    const curvature = (a - 1) / x - 1 + (useUpper ? densityOverTail : -densityOverTail);
    return { f, step: halleyStep(newton, curvature) };
  };
  return solveIncreasing(evaluate, inverseStart(a, p, q), 0, Infinity);
}

/**
 * The x with ln P(a, x) = logP (logP ≤ 0): the lower-tail quantile for probabilities far below
 * the smallest double, e.g. the radius of a normal vector in dimension 10⁴ conditioned on a ball
 * that holds e^(−5000) of its mass. Same safeguarded Halley iteration as `gammaIncInv`.
 */
export function gammaIncInvFromLog(a: number, logP: number): number {
  checkPositive('gammaIncInvFromLog', 'a', a);
  if (!(logP <= 0)) throw new RangeError(`gammaIncInvFromLog: logP must be ≤ 0, got logP = ${logP}`);
  if (logP === -Infinity) return 0;
  if (logP === 0) return Infinity;
  const evaluate = (x: number) => {
    const tails = gammaTails(a, x);
    const f = tails.logLower - logP;
    const densityOverTail = Math.exp(tails.logPowerTerm + Math.log(a / x) - tails.logLower);
    if (!(densityOverTail > 0 && densityOverTail < Infinity) || !Number.isFinite(f)) return { f, step: NaN };
    return { f, step: halleyStep(f / densityOverTail, (a - 1) / x - 1 - densityOverTail) };
  };
  // x^a/Γ(a + 1) ≥ P(a, x): the power law gives a start below the root, exact as logP → −∞.
  const start = Math.exp((logP + lgamma(a + 1)) / a);
  return solveIncreasing(evaluate, start, 0, Infinity);
}
