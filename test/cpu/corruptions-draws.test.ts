// The counter-based draw layer under every random corruption (draws.ts, poisson.ts).
import { describe, it, expect } from 'vitest';
import { Draws } from '../../src/data/corruptions/draws.js';
import { logGamma, poisson } from '../../src/data/corruptions/poisson.js';
import { key } from '../../src/random/key.js';
import { philox4x32, streamWord, wordsToUnit53 } from '../../src/random/philox.js';

describe('Draws', () => {
  const k = key(2024);
  it('stream 0 / attempt 0 is the key data stream of random/philox.ts', () => {
    const d = new Draws(k);
    for (const i of [0, 1, 2, 3, 4, 7, 100, 4097]) expect(d.word(0, i)).toBe(streamWord(k.k0, k.k1, i));
    // other streams and attempts are other Philox counters (block, stream, attempt, 0)
    expect(d.word(3, 5, 2)).toBe(philox4x32(1, 3, 2, 0, k.k0, k.k1)[1]);
    expect(d.word(1, 0)).not.toBe(d.word(0, 0));
  });
  it('uniform j = 53 bits from words 2j, 2j+1; in [0, 1) with mean 1/2', () => {
    const d = new Draws(k);
    expect(d.uniform(0, 5)).toBe(wordsToUnit53(streamWord(k.k0, k.k1, 10), streamWord(k.k0, k.k1, 11)));
    let s = 0;
    for (let j = 0; j < 20000; j++) {
      const u = d.uniform(2, j);
      expect(u >= 0 && u < 1).toBe(true);
      s += u;
    }
    expect(Math.abs(s / 20000 - 0.5)).toBeLessThan(0.01);
    expect(d.uniformIn(2, 0, -45, 45)).toBe(-45 + 90 * d.uniform(2, 0));
  });
  it('normals: Box–Muller with both outputs (2m: cos, 2m+1: sin of one pair), N(0, 1) moments', () => {
    const d = new Draws(k);
    for (const m of [0, 1, 17]) {
      const r2 = -2 * Math.log(1 - d.uniform(0, 2 * m));
      expect(d.normal(0, 2 * m) ** 2 + d.normal(0, 2 * m + 1) ** 2).toBeCloseTo(r2, 10);
      expect(Math.atan2(d.normal(0, 2 * m + 1), d.normal(0, 2 * m))).toBeCloseTo(
        ((2 * Math.PI * d.uniform(0, 2 * m + 1) + Math.PI) % (2 * Math.PI)) - Math.PI,
        10,
      );
    }
    const n = 40000;
    let s = 0;
    let s2 = 0;
    let s4 = 0;
    let lag = 0;
    for (let i = 0; i < n; i++) {
      const z = d.normal(1, i);
      s += z;
      s2 += z * z;
      s4 += z ** 4;
      if (i % 2 === 1) lag += z * d.normal(1, i - 1);
    }
    expect(Math.abs(s / n)).toBeLessThan(0.02);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.03);
    expect(Math.abs(s4 / n - 3)).toBeLessThan(0.15);
    expect(Math.abs(lag / (n / 2))).toBeLessThan(0.03); // the two outputs of a pair are uncorrelated
  });
  it('intBelow is unbiased: uniform counts, and a rejected word is replaced by the next attempt', () => {
    const d = new Draws(k);
    const counts = new Array<number>(7).fill(0);
    for (let i = 0; i < 35000; i++) counts[d.intBelow(0, i, 7)]!++;
    // χ² with 6 degrees of freedom; 22.5 is the 0.999 quantile
    const chi2 = counts.reduce((a, c) => a + (c - 5000) ** 2 / 5000, 0);
    expect(chi2).toBeLessThan(22.5);
    // n = 2^21 − 1 rejects low parts below 2^32 mod n = 1023: find such a word and check the fallback
    const n = 2 ** 21 - 1;
    const threshold = 2 ** 32 % n;
    let found = -1;
    for (let i = 0; i < 3_000_000 && found < 0; i++) if ((d.word(5, i) * n) % 2 ** 32 < threshold) found = i;
    expect(found).toBeGreaterThanOrEqual(0);
    const next = d.word(5, found, 1);
    expect(d.intBelow(5, found, n)).toBe(Math.floor((next * n) / 2 ** 32));
    expect(() => d.intBelow(0, 0, 0)).toThrow('Draws.intBelow: n must be an integer in [1, 2^21], got 0');
  });
});

describe('Poisson (shot_noise)', () => {
  it('log Γ', () => {
    expect(logGamma(1)).toBe(0);
    expect(logGamma(2)).toBe(0);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(11)).toBeCloseTo(Math.log(3628800), 11);
    expect(logGamma(101)).toBeCloseTo(363.73937555556347, 9);
  });
  it('mean and variance λ on both branches (inversion ≤ 30, PTRS above)', () => {
    const d = new Draws(key(5));
    for (const lambda of [0.7, 6, 29.5, 31, 100, 480]) {
      const n = 20000;
      let s = 0;
      let s2 = 0;
      for (let e = 0; e < n; e++) {
        const x = poisson(d, Math.round(lambda * 10), e, lambda);
        expect(Number.isInteger(x) && x >= 0).toBe(true);
        s += x;
        s2 += x * x;
      }
      const mean = s / n;
      const variance = s2 / n - mean * mean;
      expect(Math.abs(mean - lambda) / Math.sqrt(lambda / n), `λ=${lambda} mean`).toBeLessThan(4.5);
      expect(Math.abs(variance / lambda - 1), `λ=${lambda} variance`).toBeLessThan(0.06);
    }
    expect(poisson(d, 0, 0, 0)).toBe(0);
  });
  it('P(X = 0) = e^{−λ} for small λ (inversion)', () => {
    const d = new Draws(key(6));
    let zeros = 0;
    for (let e = 0; e < 20000; e++) if (poisson(d, 0, e, 1.5) === 0) zeros++;
    expect(Math.abs(zeros / 20000 - Math.exp(-1.5))).toBeLessThan(0.01);
  });
});
