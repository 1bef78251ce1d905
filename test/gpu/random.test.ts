// Counter-based random numbers: determinism per key, distinct keys and splits, the GPU kernels equal
// to the CPU Philox twin (src/random/philox.ts), moments, and Kolmogorov–Smirnov tests.
import { beforeAll, describe, expect, it } from 'vitest';
import * as ps from 'perturbset';
import { philox4x32, streamWord } from '../../src/random/philox.js';
import { expectClose, readAll, thrown } from './helpers/check.js';
import { ksPValue, ksStatistic, meanVar, normCdf } from './helpers/stats.js';

beforeAll(async () => {
  await ps.init();
});

const TWO_POW_24 = 2 ** -24;

/** Element i of a uniform draw on the CPU: word i % 4 of philox(block i / 4, key), 24 bits. */
function cpuUniform(key: ps.random.Key, n: number): Float64Array {
  const out = new Float64Array(n);
  const w = new Uint32Array(4);
  for (let i = 0; i < n; i++) {
    if (i % 4 === 0) philox4x32(i / 4, 0, 0, 0, key.k0, key.k1, w);
    out[i] = (w[i % 4]! >>> 8) * TWO_POW_24;
  }
  return out;
}

/** Element i of a normal draw on the CPU: Box–Muller on the word pairs (0, 1) and (2, 3) of each block. */
function cpuNormal(key: ps.random.Key, n: number): Float64Array {
  const out = new Float64Array(n);
  const w = new Uint32Array(4);
  for (let i = 0; i < n; i++) {
    if (i % 4 === 0) philox4x32(i / 4, 0, 0, 0, key.k0, key.k1, w);
    const pair = Math.floor((i % 4) / 2);
    const r = Math.sqrt(-2 * Math.log(((w[2 * pair]! >>> 8) + 1) * TWO_POW_24));
    const theta = 2 * Math.PI * (w[2 * pair + 1]! >>> 8) * TWO_POW_24;
    out[i] = i % 2 === 0 ? r * Math.cos(theta) : r * Math.sin(theta);
  }
  return out;
}

describe('keys', () => {
  it('key(seed) is deterministic; split and foldIn give distinct, reproducible keys', () => {
    const k = ps.random.key(42);
    expect(ps.random.key(42)).toEqual(k);
    expect(ps.random.key(43)).not.toEqual(k);
    expect(ps.random.key(2 ** 40 + 5).k0).toBe(256);
    const [a, b] = ps.random.split(k);
    expect(ps.random.split(k)).toEqual([a, b]);
    const three = ps.random.split(k, 3);
    const all = [k, a!, b!, ...three, ps.random.foldIn(k, 0), ps.random.foldIn(k, 1)].map((x) => `${x.k0}:${x.k1}`);
    // split(k, 3) extends split(k, 2): the first two keys are shared, the rest all differ
    expect(three.slice(0, 2)).toEqual([a, b]);
    expect(new Set(all).size).toBe(all.length - 2);
    // The CPU twin's data stream: element i is word i % 4 of philox(block i / 4, key).
    expect(streamWord(k.k0, k.k1, 0)).toBe(philox4x32(0, 0, 0, 0, k.k0, k.k1)[0]);
  });

  it('bad seeds, shapes and ranges are errors naming the function', () => {
    expect(thrown(() => ps.random.key(-1))).toBeInstanceOf(RangeError);
    expect(thrown(() => ps.random.key(1.5)).message).toMatch(/^random\.key: seed must be an integer/);
    expect(thrown(() => ps.random.split(ps.random.key(1), 0)).message).toMatch(/^random\.split: n must be a positive integer/);
    expect(thrown(() => ps.random.normal(7 as unknown as ps.random.Key, [2])).message).toMatch(/^random\.normal: expected a random key/);
    expect(thrown(() => ps.random.uniform(ps.random.key(1), [2], 1, 1)).message).toMatch(/^random\.uniform: need finite lo < hi, got lo = 1, hi = 1/);
    expect(thrown(() => ps.random.normal(ps.random.key(1), [2], { std: -1 })).message).toMatch(/^random\.normal: need a finite mean and std ≥ 0/);
    expect(thrown(() => ps.random.uniform(ps.random.key(1), [2.5])).message).toMatch(/^random\.uniform: shape must be an array of non-negative integers/);
  });
});

describe('draws', () => {
  it('same key ⇒ identical bits; different keys and split keys ⇒ different numbers', async () => {
    const k = ps.random.key(7);
    const [k1, k2] = ps.random.split(k);
    const draws = [
      ps.random.normal(k, [1000]),
      ps.random.normal(k, [1000]),
      ps.random.normal(k1!, [1000]),
      ps.random.normal(k2!, [1000]),
      ps.random.normal(ps.random.key(8), [1000]),
      ps.random.uniform(k, [10, 100]),
      ps.random.uniform(k, [10, 100]),
    ];
    const [n0, n1, n2, n3, n4, u0, u1] = await readAll(draws);
    for (const d of draws) d.dispose();
    expect(n1).toEqual(n0);
    expect(u1).toEqual(u0);
    const same = (a: Float64Array, b: Float64Array) => a.filter((v, i) => v === b[i]).length;
    for (const other of [n2!, n3!, n4!]) expect(same(n0!, other)).toBeLessThan(5);
    expect(same(n2!, n3!)).toBeLessThan(5);
  });

  it('uniform equals the CPU Philox twin bit for bit (odd sizes, multi-dim), and lo/hi scale it', async () => {
    const k = ps.random.key(123);
    const shapes = [[1], [3], [7, 13], [2, 3, 5, 7], [4097]];
    const draws = shapes.map((s) => ps.random.uniform(k, s));
    const scaled = ps.random.uniform(k, [999], -2, 3);
    const values = await readAll([...draws, scaled]);
    [...draws, scaled].forEach((d) => d.dispose());
    shapes.forEach((s, i) => {
      expect(draws[i]!.shape).toEqual(s);
      expectClose(values[i]!, cpuUniform(k, values[i]!.length), { rtol: 0, atol: 0, what: `uniform [${s}]` });
    });
    // a + (b - a)·u in float32 (with or without an fma): within an ulp of the exact value
    expectClose(values[shapes.length]!, cpuUniform(k, 999).map((u) => -2 + 5 * u), { rtol: 2.5e-7, atol: 5e-7, what: 'uniform(-2, 3)' });
  });

  it('normal equals the CPU Box–Muller twin up to float32 log/sqrt/sin/cos accuracy', async () => {
    const k = ps.random.key(321);
    const shapes = [[5], [7, 13], [4099]];
    const draws = shapes.map((s) => ps.random.normal(k, s));
    const shifted = ps.random.normal(k, [101], { mean: 2, std: 0.5 });
    const values = await readAll([...draws, shifted]);
    [...draws, shifted].forEach((d) => d.dispose());
    // WGSL guarantees sin/cos only to 2^-11 absolute, log to 2^-21 absolute near 1.
    shapes.forEach((s, i) => expectClose(values[i]!, cpuNormal(k, values[i]!.length), { rtol: 2 ** -11, atol: 2 ** -11, what: `normal [${s}]` }));
    expectClose(values[shapes.length]!, cpuNormal(k, 101).map((z) => 2 + 0.5 * z), { rtol: 2 ** -11, atol: 2 ** -11, what: 'normal(mean 2, std 0.5)' });
  });
});

describe('distributions', () => {
  const n = 1 << 17;

  it(`normal: mean, variance and a KS test against Φ (n = ${n}), also with mean/std`, async () => {
    const z = ps.random.normal(ps.random.key(11), [n]);
    const s = ps.random.normal(ps.random.key(12), [n], { mean: -1, std: 3 });
    const [zv, sv] = await readAll([z, s]);
    z.dispose();
    s.dispose();
    const m = meanVar(zv!);
    // sd(mean) = 1/√n ≈ 0.0028, sd(variance) ≈ √(2/n) ≈ 0.0039: tolerances of ~5 sd.
    expect(Math.abs(m.mean)).toBeLessThan(0.014);
    expect(Math.abs(m.variance - 1)).toBeLessThan(0.02);
    const d = ksStatistic(zv!, normCdf);
    expect(ksPValue(d, n)).toBeGreaterThan(1e-3);
    const ms = meanVar(sv!);
    expect(Math.abs(ms.mean + 1)).toBeLessThan(0.042);
    expect(Math.abs(ms.variance - 9)).toBeLessThan(0.18);
    expect(ksPValue(ksStatistic(sv!, (v) => normCdf((v + 1) / 3)), n)).toBeGreaterThan(1e-3);
    // The KS test has power: the same samples are rejected as N(0.05, 1).
    expect(ksPValue(ksStatistic(zv!, (v) => normCdf(v - 0.05)), n)).toBeLessThan(1e-6);
    // tails: P(|z| > 3) = 0.0027
    const tail = zv!.filter((v) => Math.abs(v) > 3).length / n;
    expect(Math.abs(tail - 0.0026998)).toBeLessThan(0.0008);
  });

  it(`uniform: mean, variance and a KS test (n = ${n}), on [0, 1) and [-2, 3)`, async () => {
    const u = ps.random.uniform(ps.random.key(13), [n]);
    const w = ps.random.uniform(ps.random.key(14), [n], -2, 3);
    const [uv, wv] = await readAll([u, w]);
    u.dispose();
    w.dispose();
    const m = meanVar(uv!);
    expect(Math.abs(m.mean - 0.5)).toBeLessThan(0.004);
    expect(Math.abs(m.variance - 1 / 12)).toBeLessThan(0.0015);
    const range = (a: Float64Array) => [a.reduce((x, y) => Math.min(x, y), Infinity), a.reduce((x, y) => Math.max(x, y), -Infinity)];
    expect(range(uv!)[0]).toBeGreaterThanOrEqual(0);
    expect(range(uv!)[1]).toBeLessThan(1);
    expect(ksPValue(ksStatistic(uv!, (v) => Math.min(1, Math.max(0, v))), n)).toBeGreaterThan(1e-3);
    expect(range(wv!)[0]).toBeGreaterThanOrEqual(-2);
    expect(range(wv!)[1]).toBeLessThan(3);
    expect(ksPValue(ksStatistic(wv!, (v) => Math.min(1, Math.max(0, (v + 2) / 5))), n)).toBeGreaterThan(1e-3);
  });

  it('the test statistics themselves: Φ at known points, KS p-values', () => {
    expect(normCdf(0)).toBe(0.5);
    expect(Math.abs(normCdf(1.959963984540054) - 0.975)).toBeLessThan(1e-14);
    expect(Math.abs(normCdf(-3) - 0.0013498980316300946) / 0.0013498980316300946).toBeLessThan(1e-12);
    expect(Math.abs(normCdf(-8) - 6.22096057427178e-16) / 6.22096057427178e-16).toBeLessThan(1e-10);
    // Kolmogorov's distribution: P(√n·D > 1.358) ≈ 0.05 for large n
    expect(Math.abs(ksPValue(1.358 / Math.sqrt(1e6), 1e6) - 0.05)).toBeLessThan(0.001);
  });
});
