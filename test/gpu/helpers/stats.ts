/**
 * Float64 statistics for the random-number tests, independent of the library's own `stats`
 * module: the normal CDF (through erfc: Maclaurin series for small arguments, a Lentz continued
 * fraction in the tails, ~1e-15 relative) and the one-sample Kolmogorov–Smirnov test.
 */

const SQRT_PI = Math.sqrt(Math.PI);

/** erf(x) by its Maclaurin series (for |x| < 2.5, where it loses < 1e-13 to cancellation). */
function erfSeries(x: number): number {
  let term = x;
  let sum = x;
  const x2 = x * x;
  for (let n = 1; n < 200; n++) {
    term *= -x2 / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / SQRT_PI) * sum;
}

/** erfc(x) for x ≥ 2.5 by the continued fraction erfc(x) = e^{-x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))) (modified Lentz). */
function erfcContinuedFraction(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = x + a * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = x + a / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / SQRT_PI / f;
}

export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 2.5) return 1 - erfSeries(x);
  return erfcContinuedFraction(x);
}

/** Standard normal CDF Φ(x). */
export function normCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/** The KS statistic D = sup |F_n(x) − F(x)| of `samples` against the CDF `cdf`. */
export function ksStatistic(samples: ArrayLike<number>, cdf: (x: number) => number): number {
  const sorted = Float64Array.from(samples).sort();
  const n = sorted.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(sorted[i]!);
    d = Math.max(d, (i + 1) / n - f, f - i / n);
  }
  return d;
}

/** Asymptotic p-value P(D_n ≥ d) from Kolmogorov's distribution (with Stephens' small-n correction). */
export function ksPValue(d: number, n: number): number {
  const sn = Math.sqrt(n);
  const t = (sn + 0.12 + 0.11 / sn) * d;
  if (t < 0.2) return 1;
  let p = 0;
  for (let k = 1; k <= 100; k++) {
    const term = 2 * (k % 2 === 1 ? 1 : -1) * Math.exp(-2 * k * k * t * t);
    p += term;
    if (Math.abs(term) < 1e-16) break;
  }
  return Math.min(1, Math.max(0, p));
}

export function meanVar(x: ArrayLike<number>): { mean: number; variance: number } {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  const mean = s / x.length;
  let v = 0;
  for (let i = 0; i < x.length; i++) v += (x[i]! - mean) ** 2;
  return { mean, variance: v / (x.length - 1) };
}
