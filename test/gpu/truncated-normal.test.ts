// ps.random.truncatedNormal. 'ball' mode: N(0, I) conditioned on ‖z‖₂ ≤ ε per row — every norm
// within ε, the radius distributed as the truncated chi distribution (KS test against
// P(d/2, r²/2) / P(d/2, ε²/2)), the direction uniform on the sphere — for ε ≫ √d, ε ≈ √d and
// ε ≪ √d (the [128, 7, 7] MNIST latent at the reference radius 29). 'coordinate' mode: each
// coordinate N(0, 1) truncated to [−r, r], against SciPy's truncnorm moments and CDF
// (test/fixtures/torch-cvae.json). Same key ⇒ same numbers; bad radii and modes are errors.
//
// The statistical tests use fixed keys, so they are deterministic; their thresholds (p > 1e-4,
// 5σ) would fail a correct sampler with probability ~1e-4 per new key.
import { beforeAll, describe, expect, it } from 'vitest';
import * as ps from 'perturbset';
import fixtureJson from '../fixtures/torch-cvae.json';
import { readAll, thrown } from './helpers/check.js';
import { ksPValue, ksStatistic, meanVar, normCdf } from './helpers/stats.js';

interface TruncnormCase {
  radius: number;
  mean: number;
  variance: number;
  skewness: number;
  excessKurtosis: number;
  cdf: [number, number][];
}
const fixture = fixtureJson as unknown as { truncnorm: TruncnormCase[] };

beforeAll(async () => {
  await ps.init();
});

/**
 * ln [P(a, x1) / P(a, x2)] by the series P(a, x) = x^a e^{−x}/Γ(a + 1) · Σ_n x^n/((a+1)…(a+n))
 * (Γ cancels): finite where both P underflow, e.g. a = 3136, x ≈ 420. Needs x < a + 1 for speed.
 */
function logLowerGammaRatio(a: number, x1: number, x2: number): number {
  const logSeries = (x: number) => {
    let term = 1;
    let sum = 1;
    for (let n = 1; n < 100000; n++) {
      term *= x / (a + n);
      sum += term;
      if (term < 1e-17 * sum) break;
    }
    return Math.log(sum);
  };
  return a * Math.log(x1 / x2) - (x1 - x2) + logSeries(x1) - logSeries(x2);
}

/** CDF of the chi distribution with d degrees of freedom truncated to [0, ε]. */
function truncatedChiCdf(d: number, epsilon: number): (r: number) => number {
  const a = d / 2;
  const mass = ps.stats.gammaInc(a, (epsilon * epsilon) / 2);
  if (mass > 1e-200) return (r) => (r <= 0 ? 0 : r >= epsilon ? 1 : ps.stats.gammaInc(a, (r * r) / 2) / mass);
  // P(a, ε²/2) underflows (ε ≪ √d): the ratio in log space.
  return (r) => (r <= 0 ? 0 : r >= epsilon ? 1 : Math.exp(logLowerGammaRatio(a, (r * r) / 2, (epsilon * epsilon) / 2)));
}

/** Row norms in float64 of B rows of length d. */
function rowNorms(values: ArrayLike<number>, B: number, d: number): Float64Array {
  const out = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += values[b * d + j]! ** 2;
    out[b] = Math.sqrt(s);
  }
  return out;
}

describe("truncatedNormal 'ball'", () => {
  it('the log-space truncated chi CDF agrees with the one from ps.stats.gammaInc where both work', () => {
    const d = 784;
    const eps = 24;
    const direct = truncatedChiCdf(d, eps);
    for (const r of [20, 22, 23.5, 23.99]) {
      const viaLog = Math.exp(logLowerGammaRatio(d / 2, (r * r) / 2, (eps * eps) / 2));
      expect(Math.abs(viaLog - direct(r))).toBeLessThan(1e-10 + 1e-9 * direct(r));
    }
  });

  // [shape, ε]: ε ≫ √d, ε ≈ √d, ε < √d, and a single vector (1-D shape = one row).
  const cases: [number[], number, string][] = [
    [[2000, 16], 12, 'ε ≫ √d (d = 16, ε = 12)'],
    [[2000, 4, 2, 2], 4, 'ε ≈ √d (d = 16, ε = 4, rows of a rank-4 tensor)'],
    [[2000, 3], 1, 'ε < √d (d = 3, ε = 1)'],
  ];
  for (const [shape, eps, name] of cases) {
    it(`${name}: norms ≤ ε, radii follow the truncated chi CDF, directions are uniform`, async () => {
      const B = shape[0]!;
      const d = shape.slice(1).reduce((a, b) => a * b, 1);
      const z = ps.random.truncatedNormal(ps.random.key(11), shape, eps);
      expect(z.shape).toEqual(shape);
      const [values] = await readAll([z]);
      z.dispose();
      const v = values!;
      const norms = rowNorms(v, B, d);
      let maxNorm = 0;
      for (const n of norms) maxNorm = Math.max(maxNorm, n);
      // ≤ ε up to float32 rounding of the stored coordinates (a few ulp of ε).
      expect(maxNorm).toBeLessThanOrEqual(eps * (1 + 1e-6));
      // Radius: KS against the truncated chi distribution.
      const pRadius = ksPValue(ksStatistic(norms, truncatedChiCdf(d, eps)), B);
      expect(pRadius).toBeGreaterThan(1e-4);
      // Direction: u = z/‖z‖. Each u_j² ~ Beta(1/2, (d − 1)/2) (KS on the first and last coordinate);
      // the mean direction ū has n·d·‖ū‖² ≈ χ²(d).
      const mean = new Float64Array(d);
      const first = new Float64Array(B);
      const last = new Float64Array(B);
      for (let b = 0; b < B; b++) {
        for (let j = 0; j < d; j++) mean[j] += v[b * d + j]! / norms[b]! / B;
        first[b] = (v[b * d]! / norms[b]!) ** 2;
        last[b] = (v[b * d + d - 1]! / norms[b]!) ** 2;
      }
      const beta = (x: number) => ps.stats.betaInc(0.5, (d - 1) / 2, Math.min(1, Math.max(0, x)));
      expect(ksPValue(ksStatistic(first, beta), B)).toBeGreaterThan(1e-4);
      expect(ksPValue(ksStatistic(last, beta), B)).toBeGreaterThan(1e-4);
      const chi2 = B * d * mean.reduce((s, m) => s + m * m, 0);
      const pMean = 1 - ps.stats.gammaInc(d / 2, chi2 / 2);
      expect(pMean).toBeGreaterThan(1e-4);
      expect(pMean).toBeLessThan(1 - 1e-4);
      // E[(u·e₁)²] = 1/d.
      const { mean: m1, variance: v1 } = meanVar(first);
      expect(Math.abs(m1 - 1 / d)).toBeLessThan(5 * Math.sqrt(v1 / B));
      if (d === 3) {
        // Archimedes: on the 2-sphere u₁ is uniform on [−1, 1].
        const u1 = Array.from({ length: B }, (_, b) => v[b * d]! / norms[b]!);
        expect(ksPValue(ksStatistic(u1, (x) => Math.min(1, Math.max(0, (x + 1) / 2))), B)).toBeGreaterThan(1e-4);
      }
    });
  }

  it('ε ≪ √d: the [128, 7, 7] latent at ε = 29 (P(d/2, ε²/2) ≈ 1e−1100) — exact radii, no stall', async () => {
    const shape = [300, 128, 7, 7];
    const d = 128 * 49;
    const eps = 29;
    const z = ps.random.truncatedNormal(ps.random.key(5), shape, eps);
    const norms = ps.l2Norm(z);
    // The first row in full, for a float64 norm and its direction.
    const row = ps.slice(z, [0, 0, 0, 0], [1, 128, 7, 7]);
    const [n32, r0] = await readAll([norms, row]);
    for (const t of [z, norms, row]) t.dispose();
    const normsV = n32!;
    expect(Math.abs(rowNorms(r0!, 1, d)[0]! - normsV[0]!)).toBeLessThan(1e-4);
    let max = 0;
    let min = Infinity;
    for (const n of normsV) {
      max = Math.max(max, n);
      min = Math.min(min, n);
    }
    // GPU float32 norms: ≤ ε up to the reduction's rounding (~1e-6 relative).
    expect(max).toBeLessThanOrEqual(eps * (1 + 4e-6));
    // The radius density ∝ r^(d−1) e^(−r²/2) rises steeply to ε (log-slope (d−1)/ε − ε ≈ 187): all
    // radii sit within a few hundredths below ε, none at the untruncated √d ≈ 79.
    expect(min).toBeGreaterThan(eps - 0.1);
    const p = ksPValue(ksStatistic(normsV, truncatedChiCdf(d, eps)), normsV.length);
    expect(p).toBeGreaterThan(1e-4);
  });

  it('d = 1 rows and a 1-D shape (one vector) work', async () => {
    const a = ps.random.truncatedNormal(ps.random.key(2), [4000, 1], 0.7);
    const one = ps.random.truncatedNormal(ps.random.key(2), [50], 3);
    expect(one.shape).toEqual([50]);
    const [av, ov] = await readAll([a, one]);
    a.dispose();
    one.dispose();
    // d = 1: |z| ~ half-normal truncated to [0, 0.7], the sign fair.
    const abs = Array.from(av!, Math.abs);
    expect(Math.max(...abs)).toBeLessThanOrEqual(0.7 * (1 + 1e-6));
    const halfCdf = (r: number) => (r <= 0 ? 0 : r >= 0.7 ? 1 : (2 * normCdf(r) - 1) / (2 * normCdf(0.7) - 1));
    expect(ksPValue(ksStatistic(abs, halfCdf), abs.length)).toBeGreaterThan(1e-4);
    const positive = av!.filter((x) => x > 0).length;
    expect(Math.abs(positive - 2000)).toBeLessThan(5 * Math.sqrt(1000));
    expect(rowNorms(ov!, 1, 50)[0]!).toBeLessThanOrEqual(3 * (1 + 1e-6));
  });
});

describe("truncatedNormal 'coordinate'", () => {
  it("matches SciPy's truncnorm(−r, r): bounds, mean, variance, kurtosis, CDF", async () => {
    const n = 100_000;
    const cases = fixture.truncnorm;
    const draws = cases.map((c, i) => ps.random.truncatedNormal(ps.random.key(100 + i), [n], c.radius, { mode: 'coordinate' }));
    const values = await readAll(draws);
    for (const t of draws) t.dispose();
    const failures: string[] = [];
    cases.forEach((c, i) => {
      const v = values[i]!;
      const r = c.radius;
      const mass = 2 * normCdf(r) - 1;
      // Our CDF formula agrees with SciPy's.
      for (const [q, want] of c.cdf) {
        const got = (normCdf(q) - normCdf(-r)) / mass;
        if (Math.abs(got - want) > 1e-12) failures.push(`r = ${r}: CDF(${q}) formula ${got}, SciPy ${want}`);
      }
      let maxAbs = 0;
      let m1 = 0;
      let m2 = 0;
      let m4 = 0;
      for (const x of v) {
        maxAbs = Math.max(maxAbs, Math.abs(x));
        m1 += x;
        m2 += x * x;
        m4 += x ** 4;
      }
      m1 /= n;
      m2 /= n;
      m4 /= n;
      if (maxAbs > r) failures.push(`r = ${r}: |z| up to ${maxAbs}`);
      const sigma2 = c.variance;
      const mu4 = (c.excessKurtosis + 3) * sigma2 * sigma2;
      // Variance of the estimators: Var(z)/n for the mean, (μ₄ − σ⁴)/n for the second moment.
      if (Math.abs(m1 - c.mean) > 5 * Math.sqrt(sigma2 / n)) failures.push(`r = ${r}: mean ${m1}, SciPy ${c.mean}`);
      if (Math.abs(m2 - sigma2) > 5 * Math.sqrt((mu4 - sigma2 * sigma2) / n)) failures.push(`r = ${r}: variance ${m2}, SciPy ${sigma2}`);
      // Closed form of the variance: 1 − 2rφ(r)/(2Φ(r) − 1).
      const closed = 1 - (2 * r * Math.exp(-(r * r) / 2)) / Math.sqrt(2 * Math.PI) / mass;
      if (Math.abs(closed - sigma2) > 1e-12) failures.push(`r = ${r}: closed-form variance ${closed}, SciPy ${sigma2}`);
      if (Math.abs(m4 / (m2 * m2) - 3 - c.excessKurtosis) > 0.05) failures.push(`r = ${r}: excess kurtosis ${m4 / (m2 * m2) - 3}, SciPy ${c.excessKurtosis}`);
      const p = ksPValue(ksStatistic(v, (x) => Math.min(1, Math.max(0, (normCdf(x) - normCdf(-r)) / mass))), n);
      if (!(p > 1e-4)) failures.push(`r = ${r}: KS p-value ${p}`);
    });
    if (failures.length) throw new Error(failures.join('\n'));
  });
});

describe('truncatedNormal keys and errors', () => {
  it('same key ⇒ identical numbers, different keys ⇒ different ones (both modes)', async () => {
    const k = ps.random.key(77);
    const [k2] = ps.random.split(k);
    const draws = [
      ps.random.truncatedNormal(k, [64, 10], 2),
      ps.random.truncatedNormal(k, [64, 10], 2),
      ps.random.truncatedNormal(k2!, [64, 10], 2),
      ps.random.truncatedNormal(k, [640], 2, { mode: 'coordinate' }),
      ps.random.truncatedNormal(k, [640], 2, { mode: 'coordinate' }),
      ps.random.truncatedNormal(k2!, [640], 2, { mode: 'coordinate' }),
    ];
    const [a, b, c, d, e, f] = await readAll(draws);
    for (const t of draws) t.dispose();
    expect(Array.from(b!)).toEqual(Array.from(a!));
    expect(Array.from(e!)).toEqual(Array.from(d!));
    expect(Array.from(c!)).not.toEqual(Array.from(a!));
    expect(Array.from(f!)).not.toEqual(Array.from(d!));
    expect(Array.from(d!)).not.toEqual(Array.from(a!));
  });

  it('radius ≤ 0 or not finite, an unknown mode or an empty ball shape are errors', () => {
    const k = ps.random.key(1);
    for (const r of [0, -1, NaN, Infinity]) {
      const err = thrown(() => ps.random.truncatedNormal(k, [2, 3], r));
      expect(err).toBeInstanceOf(RangeError);
      expect(err.message).toMatch(/^random\.truncatedNormal: radius must be a positive finite number/);
      expect(thrown(() => ps.random.truncatedNormal(k, [2, 3], r, { mode: 'coordinate' })).message).toMatch(/radius must be a positive finite number/);
    }
    expect(thrown(() => ps.random.truncatedNormal(k, [2, 3], 1, { mode: 'sphere' as never })).message).toMatch(/mode must be 'ball' or 'coordinate', got 'sphere'/);
    expect(thrown(() => ps.random.truncatedNormal(k, [0, 3], 1)).message).toMatch(/'ball' mode needs a non-empty shape/);
    expect(thrown(() => ps.random.truncatedNormal('key' as never, [2], 1)).message).toMatch(/expected a random key/);
  });
});
