// Randomized smoothing in the latent space (ps.smoothing.predict / certify / sampleVotes) on the
// identity-generator set (helpers/toy-cvae.ts: decode(x, μ_p + σ_p·z) = x + z), where the smoothed
// input is exactly x + σ·ξ, ξ ~ N(0, I). Classifiers are functions of fixed tensors whose vote
// distribution is known: constant (class k with probability 1), a threshold on one coordinate
// (class 0 with probability 1 − Φ(τ/σ)), or alternating within each batch (exactly 50/50).
import { beforeAll, describe, expect, it } from 'vitest';
import * as ps from 'perturbset';
import { readAll } from './helpers/check.js';
import { Rng } from './helpers/rng.js';
import { normCdf } from './helpers/stats.js';
import { identityCVAE } from './helpers/toy-cvae.js';

beforeAll(async () => {
  await ps.init();
});

const SHAPE: [number, number, number] = [1, 4, 4];
const D = 16;

type Classifier = ((x: ps.Tensor) => ps.Tensor) & { calls: number; dispose(): void };

function counted(fn: (x: ps.Tensor) => ps.Tensor, owned: ps.Tensor[] = []): Classifier {
  const f = ((x: ps.Tensor) => {
    f.calls++;
    return fn(x);
  }) as Classifier;
  f.calls = 0;
  f.dispose = () => owned.forEach((t) => t.dispose());
  return f;
}

/** Always class k of K (logits 0 except 5 at k). */
function constantClassifier(k: number, K: number): Classifier {
  const row = ps.tensor(Float32Array.from({ length: K }, (_, i) => (i === k ? 5 : 0)), [K]);
  return counted((x) => ps.tidy(() => ps.add(ps.zeros([x.shape[0]!, K]), row)), [row]);
}

/** Class 0 iff pixel 0 > τ: logits [v₀ − τ, 0] (plus a dead third class). */
function thresholdClassifier(tau: number): Classifier {
  const w = ps.tensor(Float32Array.from({ length: 3 * D }, (_, i) => (i === 0 ? 1 : 0)), [3, D]);
  const b = ps.tensor([-tau, 0, -100], [3]);
  return counted((x) => ps.tidy(() => ps.linear(ps.reshape(x, [x.shape[0]!, D]), w, b)), [w, b]);
}

/** Class (i mod 2) for the i-th image of each batch: exactly half the votes each when the batches are even. */
function alternatingClassifier(): Classifier {
  return counted((x) => {
    const m = x.shape[0]!;
    return ps.tensor(Float32Array.from({ length: 2 * m }, (_, i) => ((i >> 1) % 2 === i % 2 ? 1 : 0)), [m, 2]);
  });
}

function identitySet(): ps.PerturbationSet {
  return new ps.PerturbationSet(identityCVAE(SHAPE, { a: 0.5, s: 2 }), { epsilon: 1 });
}

describe('smoothing', () => {
  it('a constant classifier certifies with radius exactly σ·Φ⁻¹(α^(1/n)) (and abstains when α^(1/n) < ½)', async () => {
    const set = identitySet();
    const f = constantClassifier(2, 4);
    const x = ps.tensor(Float32Array.from({ length: 2 * D }, (_, i) => (i % 5) / 5), [2, ...SHAPE]);
    const sigma = 0.7;
    const alpha = 0.001;
    for (const n of [1, 20, 1000]) {
      const r = await ps.smoothing.certify(set, f, x, ps.random.key(n), { n0: 10, n, alpha, sigma, batchSize: 250 });
      // nA = n: the one-sided Clopper–Pearson lower bound is the Beta(n, 1) quantile at α, α^(1/n).
      const pA = Math.pow(alpha, 1 / n);
      for (let b = 0; b < 2; b++) {
        expect(r.counts[b]).toBe(n);
        expect(Array.from(r.classCounts.subarray(4 * b, 4 * b + 4))).toEqual([0, 0, n, 0]);
        expect(Math.abs(r.pALower[b]! - pA)).toBeLessThan(1e-12 * pA);
        if (pA < 0.5) {
          expect(r.prediction[b]).toBe(ps.smoothing.ABSTAIN);
          expect(r.radius[b]).toBe(0);
        } else {
          expect(r.prediction[b]).toBe(2);
          const radius = sigma * ps.stats.normPpf(pA);
          expect(Math.abs(r.radius[b]! - radius)).toBeLessThan(1e-9 * radius);
        }
      }
    }
    expect(ps.smoothing.ABSTAIN).toBe(-1);
    x.dispose();
    f.dispose();
  });

  it('Clopper–Pearson covers a known vote probability p in ≥ 1 − α of seeded repetitions', async () => {
    // Each example is one repetition (its noise comes from its own key): 256 of them in one call.
    const R = 256;
    const n = 50;
    const alpha = 0.1;
    const sigma = 0.5;
    const tau = Math.fround(sigma * ps.stats.normPpf(0.2));
    const p = 1 - normCdf(tau / sigma); // P(σξ₀ > τ) ≈ 0.8
    const set = identitySet();
    const f = thresholdClassifier(tau);
    const x = ps.zeros([R, ...SHAPE]);
    const r = await ps.smoothing.certify(set, f, x, ps.random.key(2024), { n0: 10, n, alpha, sigma, batchSize: 64 });
    let covered = 0;
    let sum = 0;
    let sumSq = 0;
    for (let b = 0; b < R; b++) {
      const c = r.prediction[b] === ps.smoothing.ABSTAIN ? null : r.prediction[b]!;
      const row = Array.from(r.classCounts.subarray(3 * b, 3 * b + 3));
      expect(row[0]! + row[1]! + row[2]!).toBe(n);
      expect(row[2]).toBe(0);
      // pALower is the bound for the selected class, the two-sided interval at 2α.
      expect(r.pALower[b]).toBe(ps.stats.clopperPearson(r.counts[b]!, n, 2 * alpha)[0]);
      // The selected class is 0 or 1, whose true probabilities are p and 1 − p.
      const selected = c ?? (r.counts[b] === row[0] ? 0 : 1);
      if (r.pALower[b]! <= (selected === 0 ? p : 1 - p)) covered++;
      sum += row[0]!;
      sumSq += row[0]! ** 2;
    }
    // The classifier really votes Bernoulli(p): mean and variance of the class-0 count over R runs.
    const mean = sum / R;
    const variance = sumSq / R - mean * mean;
    expect(Math.abs(mean / n - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / (n * R)));
    expect(variance).toBeGreaterThan(0.6 * n * p * (1 - p));
    expect(variance).toBeLessThan(1.5 * n * p * (1 - p));
    // Exact coverage here is 0.952; ≥ 0.9 fails by chance with probability ~1e-5.
    expect(covered / R).toBeGreaterThanOrEqual(1 - alpha);
    // Not trivially: most bounds are informative (above ½, certified).
    expect(r.prediction.filter((v) => v === 0).length).toBeGreaterThan(R / 2);
    x.dispose();
    f.dispose();
  });

  it('predict abstains on a 50/50 classifier and predicts on 100/0 and 80/20 ones', async () => {
    const set = identitySet();
    const x = ps.zeros([4, ...SHAPE]);
    const half = alternatingClassifier();
    const key = ps.random.key(9);
    expect(Array.from(await ps.smoothing.predict(set, half, x, key, { n: 100, sigma: 0.5, batchSize: 50 }))).toEqual([-1, -1, -1, -1]);
    // Votes are exactly 50/50: a test at any level abstains.
    expect(Array.from(await ps.smoothing.predict(set, half, x, key, { n: 1000, alpha: 0.5, sigma: 0.5, batchSize: 100 }))).toEqual([-1, -1, -1, -1]);
    const sure = constantClassifier(3, 5);
    expect(Array.from(await ps.smoothing.predict(set, sure, x, key, { n: 100, sigma: 0.5 }))).toEqual([3, 3, 3, 3]);
    // Unanimous but too few votes for the default α = 0.001: binomTest(10, 10) = 2⁻⁹ > α, binomTest(11, 11) = 2⁻¹⁰ < α.
    expect(Array.from(await ps.smoothing.predict(set, sure, x, key, { n: 10, sigma: 0.5 }))).toEqual([-1, -1, -1, -1]);
    expect(Array.from(await ps.smoothing.predict(set, sure, x, key, { n: 11, sigma: 0.5 }))).toEqual([3, 3, 3, 3]);
    // ~80/20: c1 ≈ 80 of 100, p-value ~1e-9.
    const eighty = thresholdClassifier(Math.fround(0.5 * ps.stats.normPpf(0.2)));
    expect(Array.from(await ps.smoothing.predict(set, eighty, x, key, { n: 100, sigma: 0.5 }))).toEqual([0, 0, 0, 0]);
    for (const t of [x, half, sure, eighty]) t.dispose();
  });

  it('GPU vote counts equal a CPU recount of the same predictions (n not a multiple of batchSize)', async () => {
    const rng = new Rng(77);
    const B = 3;
    const K = 4;
    const n = 70;
    const batchSize = 32;
    const sigma = 0.8;
    const set = identitySet();
    const w = ps.tensor(Float32Array.from({ length: K * D }, () => rng.normal()), [K, D]);
    const f = counted((v) => ps.tidy(() => ps.linear(ps.reshape(v, [v.shape[0]!, D]), w)), [w]);
    const xv = Float32Array.from({ length: B * D }, () => rng.uniform());
    const x = ps.tensor(xv, [B, ...SHAPE]);
    const key = ps.random.key(123);
    const votes = await ps.smoothing.sampleVotes(set, f, x, key, n, { sigma, batchSize });
    expect(votes.classes).toBe(K);
    expect(f.calls).toBe(B * Math.ceil(n / batchSize));

    // Recount: the same noise (normal(foldIn(foldIn(key, b), chunk), [m, ...latent], {std: σ})),
    // generated and classified here, argmax on the CPU.
    const logits: ps.Tensor[] = [];
    for (let b = 0; b < B; b++) {
      for (let chunk = 0, done = 0; done < n; chunk++, done += batchSize) {
        const m = Math.min(batchSize, n - done);
        logits.push(
          ps.noGrad(() =>
            ps.tidy(() => {
              const noise = ps.random.normal(ps.random.foldIn(ps.random.foldIn(key, b), chunk), [m, ...SHAPE], { std: sigma });
              return f(set.generate(ps.gatherRows(x, new Int32Array(m).fill(b)), noise));
            }),
          ),
        );
      }
    }
    const values = await readAll(logits);
    const chunks = Math.ceil(n / batchSize);
    const recount = new Int32Array(B * K);
    values.forEach((l, i) => {
      const b = Math.floor(i / chunks);
      for (let s = 0; s < l.length / K; s++) {
        let best = 0;
        for (let k = 1; k < K; k++) if (l[s * K + k]! > l[s * K + best]!) best = k;
        recount[b * K + best]!++;
      }
    });
    expect(Array.from(votes.counts)).toEqual(Array.from(recount));
    // Votes spread over several classes (otherwise the comparison would be weak).
    expect(Array.from(recount).filter((c) => c > 0).length).toBeGreaterThan(B + 2);
    logits.forEach((t) => t.dispose());

    // certify counts the selected class among the estimation votes, drawn with the second half of split(key).
    const cert = await ps.smoothing.certify(set, f, x, key, { n0: 20, n, sigma, batchSize, alpha: 0.01 });
    const [selectKey, estimateKey] = ps.random.split(key, 2);
    const selection = await ps.smoothing.sampleVotes(set, f, x, selectKey!, 20, { sigma, batchSize });
    const estimation = await ps.smoothing.sampleVotes(set, f, x, estimateKey!, n, { sigma, batchSize });
    expect(Array.from(cert.classCounts)).toEqual(Array.from(estimation.counts));
    for (let b = 0; b < B; b++) {
      const row = Array.from(selection.counts.subarray(b * K, (b + 1) * K));
      const cHat = row.indexOf(Math.max(...row));
      expect(cert.counts[b]).toBe(estimation.counts[b * K + cHat]);
      expect(cert.prediction[b] === cHat || cert.prediction[b] === ps.smoothing.ABSTAIN).toBe(true);
    }
    x.dispose();
    f.dispose();
  });

  it('memory is bounded by batchSize: n ≫ batchSize works and leaves memory() where it started', async () => {
    const set = identitySet();
    const x = ps.tensor(Float32Array.from({ length: 2 * D }, (_, i) => i / (2 * D)), [2, ...SHAPE]);
    let peak = { tensors: 0, bytes: 0 };
    const inner = thresholdClassifier(0.1);
    const f = counted((v) => {
      const m = ps.memory();
      peak = { tensors: Math.max(peak.tensors, m.tensors), bytes: Math.max(peak.bytes, m.bytes) };
      return inner(v);
    });
    const run = async (n: number) => {
      peak = { tensors: 0, bytes: 0 };
      const before = ps.memory();
      const r = await ps.smoothing.sampleVotes(set, f, x, ps.random.key(1), n, { sigma: 1, batchSize: 50 });
      const after = ps.memory();
      expect(after.tensors).toBe(before.tensors);
      expect(after.bytes).toBe(before.bytes);
      expect(r.counts[0]! + r.counts[1]! + r.counts[2]!).toBe(n);
      return peak;
    };
    const small = await run(100);
    const large = await run(2000);
    expect(f.calls).toBe(2 * 2 + 2 * 40);
    // 40 chunks per example hold no more memory at a time than 2.
    expect(large.tensors).toBe(small.tensors);
    expect(large.bytes).toBe(small.bytes);
    x.dispose();
    inner.dispose();
  });

  it('rejects bad input with an error naming the culprit, and leaks nothing', async () => {
    const set = identitySet();
    const f = constantClassifier(0, 2);
    const x = ps.zeros([2, ...SHAPE]);
    const key = ps.random.key(0);
    const before = ps.memory();
    const certify = (o: Partial<ps.smoothing.CertifyOptions>, clf: unknown = f) => ps.smoothing.certify(set, clf as Classifier, x, key, { sigma: 0.5, n0: 10, n: 10, ...o });
    const predict = (o: Partial<ps.smoothing.PredictOptions>, clf: unknown = f) => ps.smoothing.predict(set, clf as Classifier, x, key, { sigma: 0.5, n: 10, ...o });
    for (const [call, op] of [
      [certify, 'smoothing.certify'],
      [predict, 'smoothing.predict'],
    ] as const) {
      for (const sigma of [0, -1, NaN, Infinity]) await expect(call({ sigma })).rejects.toThrow(`${op}: sigma must be a positive finite number, got ${sigma}`);
      for (const alpha of [0, 1, 1.5, -0.1, NaN]) await expect(call({ alpha })).rejects.toThrow(`${op}: alpha must be in (0, 1), got ${alpha}`);
      for (const batchSize of [0, -5, 2.5]) await expect(call({ batchSize })).rejects.toThrow(`${op}: batchSize must be a positive integer, got ${batchSize}`);
      for (const n of [0, -1, 1.5]) await expect(call({ n })).rejects.toThrow(`${op}: n must be an integer ≥ 1, got ${n}`);
      await expect(call({}, (v: ps.Tensor) => ps.zeros([v.shape[0]!]))).rejects.toThrow(`${op}: the classifier returned float32 [10] for 10 images; expected float32 logits [10, classes]`);
      await expect(call({}, (v: ps.Tensor) => ps.zeros([v.shape[0]! + 1, 2]))).rejects.toThrow(`${op}: the classifier returned float32 [11,`);
      await expect(call({}, (v: ps.Tensor) => ps.tensor(new Int32Array(2 * v.shape[0]!), [v.shape[0]!, 2], 'int32'))).rejects.toThrow(`${op}: the classifier returned int32 [10,`);
      await expect(call({}, 42)).rejects.toThrow(`${op}: classifier must be a function`);
    }
    for (const n0 of [0, 2.5]) await expect(certify({ n0 })).rejects.toThrow(`smoothing.certify: n0 must be an integer ≥ 1, got ${n0}`);
    // A classifier whose number of classes changes between batches.
    let calls = 0;
    await expect(certify({ batchSize: 4 }, (v: ps.Tensor) => ps.zeros([v.shape[0]!, calls++ === 0 ? 2 : 3]))).rejects.toThrow('smoothing.certify: the classifier returned 3 classes, earlier 2');
    await expect(ps.smoothing.certify(set, f, x, 'key' as never, { sigma: 0.5 })).rejects.toThrow(/smoothing\.certify: .*key/);
    await expect(ps.smoothing.sampleVotes(set, f, x, key, 0, { sigma: 0.5 })).rejects.toThrow('smoothing.sampleVotes: n must be an integer ≥ 1, got 0');
    const rgb = ps.zeros([2, 3, 4, 4]);
    await expect(ps.smoothing.predict(set, f, rgb, key, { sigma: 0.5 })).rejects.toThrow('smoothing.predict: x must be float32 images [B, 1, 4, 4]');
    rgb.dispose();
    const after = ps.memory();
    expect(after.tensors).toBe(before.tensors);
    expect(after.bytes).toBe(before.bytes);
    x.dispose();
    f.dispose();
  });
});
