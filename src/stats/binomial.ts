// Binomial distribution helpers, the Clopper–Pearson interval and the two-sided exact binomial test.

import { betaQuantile, betaTails } from './beta.js';
import { stirlingCorrection } from './lgamma.js';
import { checkClosed, checkCount, checkCountAtMost, checkOpen } from './validate.js';

const LOG_2PI = 1.8378770664093453;

/**
 * The deviance term x·ln(x/M) + M − x ≥ 0 of Loader's (2000) saddle-point binomial density. Near x = M,
 * with v = (x − M)/(x + M): ln(x/M) = 2·atanh(v), so it equals (x − M)·v + 2x(v³/3 + v⁵/5 + …).
 */
function devianceTerm(x: number, mean: number): number {
  if (Math.abs(x - mean) < 0.1 * (x + mean)) {
    const v = (x - mean) / (x + mean);
    const v2 = v * v;
    let sum = (x - mean) * v;
    let power = 2 * x * v;
    for (let j = 1; j < 1000; j++) {
      power *= v2;
      const next = sum + power / (2 * j + 1);
      if (next === sum) break;
      sum = next;
    }
    return sum;
  }
  return x * Math.log(x / mean) + mean - x;
}

/**
 * P(X = k) for X ~ Binomial(n, p), by Loader's saddle-point formula
 * ln P = Δ(n) − Δ(k) − Δ(n − k) − D(k, np) − D(n − k, nq) − ½ln(2πk(n − k)/n)
 * (Δ the Stirling correction, D the deviance term): ~1e-14 relative near the mode even at n = 1e6, ~1e-13
 * far in the tails (where ln P itself is in the hundreds).
 */
export function binomPmf(k: number, n: number, p: number): number {
  if (k < 0 || k > n) return 0;
  if (p === 0) return k === 0 ? 1 : 0;
  if (p === 1) return k === n ? 1 : 0;
  if (k === 0) return Math.exp(n * Math.log1p(-p));
  if (k === n) return Math.exp(n * Math.log(p));
  const q = 1 - p;
  const logPmf =
    stirlingCorrection(n) -
    stirlingCorrection(k) -
    stirlingCorrection(n - k) -
    devianceTerm(k, n * p) -
    devianceTerm(n - k, n * q);
  return Math.exp(logPmf - 0.5 * (LOG_2PI + Math.log(k) + Math.log1p(-k / n)));
}

/** P(X ≤ k) = 1 − I_p(k + 1, n − k). */
export function binomCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (p === 0) return 1;
  if (p === 1) return 0;
  return betaTails(k + 1, n - k, p, 1 - p).upper;
}

/** P(X > k) = I_p(k + 1, n − k). */
export function binomSf(k: number, n: number, p: number): number {
  if (k < 0) return 1;
  if (k >= n) return 0;
  if (p === 0) return 0;
  if (p === 1) return 1;
  return betaTails(k + 1, n - k, p, 1 - p).lower;
}

/**
 * Clopper–Pearson ("exact") two-sided confidence interval for a binomial proportion from k successes in
 * n trials, as statsmodels `proportion_confint(k, n, alpha, method='beta')`:
 * lo = Beta(k, n − k + 1) quantile at α/2 (0 when k = 0),
 * hi = Beta(k + 1, n − k) quantile at 1 − α/2 (1 when k = n), computed as the complement of the
 * Beta(n − k, k + 1) quantile at α/2 so that it keeps full precision near 0 and 1.
 */
export function clopperPearson(k: number, n: number, alpha: number): [number, number] {
  checkCount('clopperPearson', 'n', n, 1);
  checkCountAtMost('clopperPearson', 'k', k, 'n', n);
  checkOpen('clopperPearson', 'alpha', alpha, 0, 1);
  const tail = alpha / 2;
  const lo = k === 0 ? 0 : betaQuantile(k, n - k + 1, tail, 1 - tail)[0];
  const hi = k === n ? 1 : betaQuantile(n - k, k + 1, tail, 1 - tail)[1];
  return [lo, hi];
}

/**
 * scipy's binary search for the last index i in [lo, hi] with value(i) ≤ target, on a function that is
 * increasing there (scipy.stats._binomtest._binary_search_for_binom_tst, reproduced step for step so that
 * the boundary cases agree).
 */
function searchBoundary(value: (i: number) => number, target: number, low: number, high: number): number {
  let lo = low;
  let hi = high;
  while (lo < hi) {
    const mid = lo + Math.floor((hi - lo) / 2);
    const midValue = value(mid);
    if (midValue < target) lo = mid + 1;
    else if (midValue > target) hi = mid - 1;
    else return mid;
  }
  return value(lo) <= target ? lo : lo - 1;
}

/**
 * Two-sided exact binomial test of H₀: success probability = p, with the semantics of
 * `scipy.stats.binomtest(k, n, p).pvalue`: the p-value sums the probabilities of all outcomes no more likely
 * than the observed one, where "no more likely" allows a relative tolerance of 1e-7 (so that ties in the
 * probability mass count as equal); clipped to 1.
 */
export function binomTest(k: number, n: number, p = 0.5): number {
  checkCount('binomTest', 'n', n, 1);
  checkCountAtMost('binomTest', 'k', k, 'n', n);
  checkClosed('binomTest', 'p', p, 0, 1);
  const observed = binomPmf(k, n, p);
  const threshold = observed * (1 + 1e-7);
  const expected = p * n;
  if (k === expected) return 1;
  let pValue: number;
  if (k < expected) {
    // Outcomes above the mean at least as unlikely as k: the last index ix with pmf(ix) > threshold, plus one.
    const ix = searchBoundary((i) => -binomPmf(i, n, p), -threshold, Math.ceil(expected), n);
    const count = n - ix + (threshold === binomPmf(ix, n, p) ? 1 : 0);
    pValue = binomCdf(k, n, p) + binomSf(n - count, n, p);
  } else {
    const ix = searchBoundary((i) => binomPmf(i, n, p), threshold, 0, Math.floor(expected));
    const count = ix + 1;
    pValue = binomCdf(count - 1, n, p) + binomSf(k - 1, n, p);
  }
  return Math.min(1, pValue);
}
