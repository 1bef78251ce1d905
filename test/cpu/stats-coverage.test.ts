// Empirical coverage of the Clopper–Pearson interval: a seeded simulation of binomial counts.
import { describe, expect, it } from 'vitest';
import { clopperPearson, lgamma } from '../../src/stats/index.js';

/** mulberry32: a tiny seeded 32-bit generator; uniform() is in [0, 1). */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function binomialPmf(k: number, n: number, p: number): number {
  return Math.exp(lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1) + k * Math.log(p) + (n - k) * Math.log1p(-p));
}

/** Fraction of `trials` simulated Binomial(n, p) counts whose interval contains p, and the exact coverage. */
function coverage(n: number, p: number, alpha: number, trials: number, seed: number) {
  const uniform = mulberry32(seed);
  const intervals = Array.from({ length: n + 1 }, (_, k) => clopperPearson(k, n, alpha));
  const covers = intervals.map(([lo, hi]) => lo <= p && p <= hi);
  let hits = 0;
  for (let t = 0; t < trials; t++) {
    let k = 0;
    for (let i = 0; i < n; i++) if (uniform() < p) k++;
    if (covers[k]) hits++;
  }
  let exact = 0;
  for (let k = 0; k <= n; k++) if (covers[k]) exact += binomialPmf(k, n, p);
  return { empirical: hits / trials, exact };
}

// (n, p, alpha): for each the exact coverage exceeds 1 − alpha by at least 3.5 simulation standard errors,
// so the seeded empirical coverage is also above 1 − alpha, while the interval at level 4·alpha is too narrow
// (exact coverage below 1 − alpha), so the check below can fail. n = 1 is the degenerate edge.
const CASES: [number, number, number][] = [
  [1, 0.3, 0.05],
  [10, 0.1, 0.05],
  [25, 0.5, 0.05],
  [40, 0.8, 0.1],
  [100, 0.03, 0.05],
  [200, 0.35, 0.01],
  [30, 0.6, 0.5],
];
const TRIALS = 20_000;

describe('clopperPearson coverage (seeded simulation)', () => {
  for (const [n, p, alpha] of CASES) {
    it(`covers p = ${p} with probability ≥ 1 − ${alpha} at n = ${n}`, () => {
      const { empirical, exact } = coverage(n, p, alpha, TRIALS, 0x5eed + n);
      const standardError = Math.sqrt((exact * (1 - exact)) / TRIALS) || 1 / TRIALS;
      expect(exact).toBeGreaterThanOrEqual(1 - alpha);
      expect(empirical).toBeGreaterThanOrEqual(1 - alpha);
      // The simulation agrees with the exact coverage computed from the binomial distribution.
      expect(Math.abs(empirical - exact)).toBeLessThanOrEqual(4 * standardError + 1 / TRIALS);
    });
  }

  it('detects an interval that is too narrow (the same check at level 4·alpha fails)', () => {
    for (const [n, p, alpha] of CASES.slice(1)) {
      const { empirical } = coverage(n, p, Math.min(4 * alpha, 0.99), TRIALS, 0x5eed + n);
      expect(empirical).toBeLessThan(1 - alpha);
    }
  });
});
