// Properties of src/stats that hold without reference values: monotonicity, inverse ∘ forward ≈ identity,
// symmetries and exact special values.
import { describe, expect, it } from 'vitest';
import {
  betaInc,
  betaIncInv,
  binomTest,
  clopperPearson,
  gammaInc,
  gammaIncInv,
  lbeta,
  lgamma,
  normCdf,
  normPpf,
} from '../../src/stats/index.js';

const logSpace = (from: number, to: number, count: number) =>
  Array.from({ length: count }, (_, i) => 10 ** (from + ((to - from) * i) / (count - 1)));
const linSpace = (from: number, to: number, count: number) =>
  Array.from({ length: count }, (_, i) => from + ((to - from) * i) / (count - 1));
const relative = (actual: number, expected: number) => Math.abs(actual - expected) / Math.abs(expected);

/** The neighbouring float64 values of x (0 < x < 1). */
function neighbours(x: number): [number, number] {
  const bits = new BigUint64Array(new Float64Array([x]).buffer);
  const below = new Float64Array(new BigUint64Array([bits[0]! - 1n]).buffer)[0]!;
  const above = new Float64Array(new BigUint64Array([bits[0]! + 1n]).buffer)[0]!;
  return [below, above];
}

/** Indices i where values[i + 1] < values[i] (or <= when strict). */
function monotonicityViolations(values: number[], strict: boolean): number[] {
  const bad: number[] = [];
  for (let i = 0; i + 1 < values.length; i++) {
    if (strict ? !(values[i + 1]! > values[i]!) : !(values[i + 1]! >= values[i]!)) bad.push(i);
  }
  return bad;
}

const SHAPES = [0.01, 0.5, 1, 3, 30, 1e3, 1e5, 1e6];
/** Lower-tail probabilities from 1e-100 to 1 − 1e-7 (p > ½ exercises the complementary branches). */
const PROBABILITIES = [1e-100, 1e-20, 1e-7, 1e-3, 0.025, 0.3, 0.5, 0.7, 0.975, 1 - 1e-3, 1 - 1e-7];

describe('normal distribution', () => {
  it('normCdf is non-decreasing on [−38.5, 9] and strictly increasing on [−37, 5]', () => {
    const xs = linSpace(-38.5, 9, 4751);
    expect(monotonicityViolations(xs.map(normCdf), false)).toEqual([]);
    expect(monotonicityViolations(linSpace(-37, 5, 4201).map(normCdf), true)).toEqual([]);
  });

  it('normPpf is strictly increasing from 1e-300 to 1 − 1e-15', () => {
    const ps = [...logSpace(-300, Math.log10(0.49), 600), ...linSpace(0.5, 0.98, 200), ...logSpace(-2, -15, 100).map((q) => 1 - q)];
    expect(monotonicityViolations(ps.map(normPpf), true)).toEqual([]);
  });

  it('normCdf(normPpf(p)) = p to 1e-12 relative (lower tail) and 1 − normCdf(−normPpf(p)) for p > ½', () => {
    for (const p of logSpace(-300, Math.log10(0.5), 400)) expect(relative(normCdf(normPpf(p)), p)).toBeLessThan(1e-12);
    for (const q of logSpace(-16, Math.log10(0.5), 200)) {
      const p = 1 - q;
      expect(relative(normCdf(-normPpf(p)), 1 - p)).toBeLessThan(1e-12);
    }
  });

  it('normPpf(normCdf(x)) = x on [−37.5, 5] (away from 0, where x is not determined by Φ(x))', () => {
    for (const x of [...linSpace(-37.5, -0.01, 500), ...linSpace(0.01, 5, 200)]) {
      expect(relative(normPpf(normCdf(x)), x)).toBeLessThan(1e-9);
    }
  });

  it('symmetry Φ(−x) = 1 − Φ(x) and exact special values', () => {
    for (const x of linSpace(0, 8, 161)) expect(Math.abs(normCdf(-x) - (1 - normCdf(x)))).toBeLessThan(2e-16);
    expect(normCdf(0)).toBe(0.5);
    expect(normPpf(0.5)).toBe(0);
    expect(normPpf(0)).toBe(-Infinity);
    expect(normPpf(1)).toBe(Infinity);
    expect(normCdf(-Infinity)).toBe(0);
    expect(normCdf(Infinity)).toBe(1);
    expect(normPpf(0.975)).toBeCloseTo(1.959963984540054, 14);
  });
});

describe('incomplete gamma', () => {
  it('gammaInc is non-decreasing in x and gammaIncInv strictly increasing in p', () => {
    for (const a of [0.01, 0.5, 1, 3, 30, 1e3, 1e5]) {
      const xs = linSpace(0, 3 * a + 10, 400);
      expect(monotonicityViolations(xs.map((x) => gammaInc(a, x)), false)).toEqual([]);
      const quantiles = PROBABILITIES.map((p) => gammaIncInv(a, p)).filter((x) => x > 0);
      expect(monotonicityViolations(quantiles, true)).toEqual([]);
    }
  });

  it('gammaInc(a, gammaIncInv(a, p)) = p and gammaIncInv(a, gammaInc(a, x)) = x', () => {
    for (const a of [0.5, 1, 3, 30, 1e3, 1e4, 1e5]) {
      for (const p of PROBABILITIES) {
        const x = gammaIncInv(a, p);
        expect(x).toBeGreaterThan(0);
        expect(relative(gammaInc(a, x), p)).toBeLessThan(1e-9);
      }
      // x between the 1e-10 and 0.5 quantiles, where P(a, ·) determines x well
      for (const x of linSpace(gammaIncInv(a, 1e-10), gammaIncInv(a, 0.5), 25)) {
        expect(relative(gammaIncInv(a, gammaInc(a, x)), x)).toBeLessThan(1e-9);
      }
    }
  });

  it('special cases: P(1, x) = 1 − e^{−x}, the chi-square CDF P(d/2, r²/2) at large d', () => {
    for (const x of [1e-10, 0.1, 1, 5, 30]) expect(relative(gammaInc(1, x), -Math.expm1(-x))).toBeLessThan(1e-14);
    expect(gammaInc(2, 0)).toBe(0);
    expect(gammaInc(2, Infinity)).toBe(1);
    expect(gammaIncInv(2, 0)).toBe(0);
    expect(gammaIncInv(2, 1)).toBe(Infinity);
    // the median of chi-square with d = 1e4 degrees of freedom is about d(1 − 2/(9d))³
    const d = 1e4;
    const median = 2 * gammaIncInv(d / 2, 0.5);
    expect(Math.abs(median - d * (1 - 2 / (9 * d)) ** 3)).toBeLessThan(0.01);
  });
});

describe('incomplete beta', () => {
  it('betaInc is non-decreasing in x and betaIncInv strictly increasing in p', () => {
    for (const a of SHAPES) {
      for (const b of SHAPES) {
        const xs = linSpace(0, 1, 201);
        expect(monotonicityViolations(xs.map((x) => betaInc(a, b, x)), false)).toEqual([]);
        const quantiles = PROBABILITIES.map((p) => betaIncInv(a, b, p)).filter((x) => x > 0 && x < 1);
        expect(monotonicityViolations(quantiles, true)).toEqual([]);
      }
    }
  });

  it('betaInc(a, b, betaIncInv(a, b, p)) = p, up to the resolution of float64 at x', () => {
    let checked = 0;
    for (const a of SHAPES) {
      for (const b of SHAPES) {
        for (const p of PROBABILITIES) {
          const x = betaIncInv(a, b, p);
          if (x === 0) {
            // the quantile underflows (a = 0.01: x ≈ (p·a·B(a, b))^100): even the smallest subnormal is too large
            expect(betaInc(a, b, Number.MIN_VALUE)).toBeGreaterThan(p);
            continue;
          }
          if (x === 1) {
            // the quantile is within half an ulp of 1 (e.g. a = 1e6, b = 0.01, p ≥ 0.5)
            expect(betaInc(a, b, 1 - 2 ** -53)).toBeLessThan(p);
            continue;
          }
          // Near 1 the spacing of float64 limits how well x can be placed (e.g. 1 − x = 1.2e-15 ± 1.1e-16
          // with b = 0.01): p must lie within 1e-9 of the values of I at x and its neighbours.
          const [below, above] = neighbours(x);
          const lowest = Math.min(betaInc(a, b, below), betaInc(a, b, x));
          const highest = Math.max(betaInc(a, b, above), betaInc(a, b, x));
          expect(p).toBeGreaterThanOrEqual(lowest * (1 - 1e-9));
          expect(p).toBeLessThanOrEqual(highest * (1 + 1e-9));
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(600);
  });

  it('betaIncInv(a, b, betaInc(a, b, x)) = x where I_x determines x (a, b ≥ 1, central x)', () => {
    for (const a of [1, 3, 30, 1e3, 1e5, 1e6]) {
      for (const b of [1, 3, 30, 1e3, 1e5, 1e6]) {
        for (const x of linSpace(betaIncInv(a, b, 1e-6), betaIncInv(a, b, 1 - 1e-6), 9)) {
          expect(relative(betaIncInv(a, b, betaInc(a, b, x)), x)).toBeLessThan(1e-9);
        }
      }
    }
  });

  it('special cases: I_x(1, 1) = x, I_x(a, 1) = x^a, I_x(a, b) = 1 − I_{1−x}(b, a), lbeta = lgamma sums', () => {
    for (const x of [1e-300, 1e-8, 0.3, 0.77]) {
      // x^a y^b / B(a, b) is formed as exp(a·ln x + …): |ln x| ≈ 690 at x = 1e-300 costs up to ~1e-13
      expect(relative(betaInc(1, 1, x), x)).toBeLessThan(1e-13);
    }
    for (const x of [1e-80, 1e-8, 0.3, 0.77]) expect(relative(betaInc(3.5, 1, x), x ** 3.5)).toBeLessThan(1e-13);
    for (const [a, b] of [[0.5, 3], [20, 7], [1e5, 2e5]] as const) {
      for (const x of [0.1, 0.333, 0.6]) {
        // 1 − x is rounded (by up to 5.6e-17), which the density (~1e2 at a = 1e5) magnifies
        expect(Math.abs(betaInc(a, b, x) - (1 - betaInc(b, a, 1 - x)))).toBeLessThan(1e-13);
      }
    }
    expect(betaInc(2, 3, 0)).toBe(0);
    expect(betaInc(2, 3, 1)).toBe(1);
    expect(betaIncInv(2, 3, 0)).toBe(0);
    expect(betaIncInv(2, 3, 1)).toBe(1);
    for (const [a, b] of [[0.3, 4], [7, 9], [2.5, 600]] as const) {
      expect(relative(lbeta(a, b), lgamma(a) + lgamma(b) - lgamma(a + b))).toBeLessThan(1e-13);
    }
    expect(lgamma(1)).toBe(0);
    expect(lgamma(2)).toBe(0);
    expect(relative(lgamma(0.5), Math.log(Math.PI) / 2)).toBeLessThan(1e-15);
    expect(relative(lgamma(171), Math.log(7.257415615307998967e306))).toBeLessThan(1e-14);
  });
});

describe('Clopper–Pearson and the binomial test', () => {
  it('intervals contain k/n, grow with k, widen as alpha falls, and are 0 / 1 exactly at the ends', () => {
    for (const n of [1, 2, 7, 50, 1000, 1e6]) {
      const ks = n <= 50 ? Array.from({ length: n + 1 }, (_, k) => k) : [0, 1, 2, 17, n / 2, n - 17, n - 2, n - 1, n];
      for (const alpha of [1e-6, 0.05, 0.5]) {
        const intervals = ks.map((k) => clopperPearson(k, n, alpha));
        expect(monotonicityViolations(intervals.map(([lo]) => lo), true).filter((i) => ks[i] !== 0)).toEqual([]);
        expect(monotonicityViolations(intervals.map(([, hi]) => hi), true).filter((i) => ks[i + 1] !== n)).toEqual([]);
        intervals.forEach(([lo, hi], i) => {
          const k = ks[i]!;
          expect(lo).toBeLessThanOrEqual(k / n);
          expect(hi).toBeGreaterThanOrEqual(k / n);
          if (k === 0) expect(lo).toBe(0);
          else expect(lo).toBeGreaterThan(0);
          if (k === n) expect(hi).toBe(1);
          else expect(hi).toBeLessThan(1);
        });
      }
      for (const k of ks) {
        const [lo1, hi1] = clopperPearson(k, n, 0.1);
        const [lo2, hi2] = clopperPearson(k, n, 0.01);
        expect(lo2).toBeLessThanOrEqual(lo1);
        expect(hi2).toBeGreaterThanOrEqual(hi1);
      }
    }
  });

  it('k = 0 and k = n have closed forms: hi = 1 − (α/2)^{1/n}, lo = (α/2)^{1/n}', () => {
    for (const n of [1, 3, 100, 1e6]) {
      for (const alpha of [1e-6, 0.05, 0.5]) {
        const closed = -Math.expm1(Math.log(alpha / 2) / n);
        expect(relative(clopperPearson(0, n, alpha)[1], closed)).toBeLessThan(1e-12);
        expect(relative(clopperPearson(n, n, alpha)[0], Math.exp(Math.log(alpha / 2) / n))).toBeLessThan(1e-12);
        // and the two ends mirror each other: lo(k) = 1 − hi(n − k)
        expect(Math.abs(clopperPearson(1, n + 1, alpha)[0] - (1 - clopperPearson(n, n + 1, alpha)[1]))).toBeLessThan(1e-15);
      }
    }
  });

  it('binomTest: in [0, 1], 1 at k = np, symmetric at p = ½, falling away from the mean', () => {
    for (const n of [1, 2, 9, 10, 100, 1001]) {
      const values = Array.from({ length: n + 1 }, (_, k) => binomTest(k, n));
      values.forEach((v, k) => {
        expect(v).toBeGreaterThan(0);
        expect(v).toBeLessThanOrEqual(1);
        expect(v).toBe(values[n - k]);
      });
      const upperHalf = values.slice(Math.ceil(n / 2));
      expect(monotonicityViolations(upperHalf.map((v) => -v), false)).toEqual([]);
    }
    expect(binomTest(30, 100, 0.3)).toBe(1);
    expect(binomTest(5, 10)).toBe(1);
    // ties: at p = ½ and n = 10, P(X = 3) = P(X = 7), so the p-value for k = 3 includes both tails in full
    expect(relative(binomTest(3, 10), 2 * (1 + 10 + 45 + 120) / 1024)).toBeLessThan(1e-14);
    // degenerate null hypotheses
    expect(binomTest(0, 5, 0)).toBe(1);
    expect(binomTest(1, 5, 0)).toBe(0);
    expect(binomTest(5, 5, 1)).toBe(1);
  });
});
