// ps.latentPGD on a perturbation set known in closed form (helpers/toy-cvae.ts `identityCVAE`:
// generate(x, z) = x + z through a non-trivial prior), attacking classifiers built from fixed
// tensors (a classifier is any function x => logits). With a linear classifier W the gradient of
// the mean cross-entropy w.r.t. z_b is (softmax(W(x_b + z_b)) − onehot(y_b))·W / B, so a float64
// CPU replica of the whole attack (normalised step, per-sample or renorm(2, 1, ε) projection,
// early-stop freezing, best iterate) gives the expected latent codes.
import { beforeAll, describe, expect, it } from 'vitest';
import * as ps from 'perturbset';
import { expectClose, readAll } from './helpers/check.js';
import { Rng } from './helpers/rng.js';
import { identityCVAE } from './helpers/toy-cvae.js';

beforeAll(async () => {
  await ps.init();
});

const D = 16;
/** Images [1, 4, 4] (latent [1, 4, 4]: renorm(2, 1, ε) would clip the whole batch at once). */
const SQUARE: [number, number, number] = [1, 4, 4];
/** Images [16, 1, 1]: the latent's dim 1 has one entry per coordinate, so renorm(2, 1, ε) clips columns across the batch, as on the reference's [B, latent_dim] codes. */
const COLUMNS: [number, number, number] = [D, 1, 1];

type Classifier = ((x: ps.Tensor) => ps.Tensor) & { calls: number; dispose(): void };

/** logits = flatten(x)·Wᵀ + b, from fixed tensors; counts its calls. */
function linearClassifier(W: number[][], b: number[]): Classifier {
  const K = W.length;
  const w = ps.tensor(Float32Array.from(W.flat()), [K, D]);
  const bias = ps.tensor(Float32Array.from(b), [K]);
  const f = ((x: ps.Tensor) => {
    f.calls++;
    return ps.tidy(() => ps.linear(ps.reshape(x, [x.shape[0]!, D]), w, bias));
  }) as Classifier;
  f.calls = 0;
  f.dispose = () => {
    w.dispose();
    bias.dispose();
  };
  return f;
}

/** A fixed 16 → 8 → K relu network: a non-concave attack objective. */
function mlpClassifier(rng: Rng, K: number): Classifier {
  const w1 = ps.tensor(Float32Array.from({ length: 8 * D }, () => rng.normal()), [8, D]);
  const b1 = ps.tensor(Float32Array.from({ length: 8 }, () => 0.5 * rng.normal()), [8]);
  const w2 = ps.tensor(Float32Array.from({ length: K * 8 }, () => rng.normal()), [K, 8]);
  const f = ((x: ps.Tensor) => {
    f.calls++;
    return ps.tidy(() => ps.linear(ps.relu(ps.linear(ps.reshape(x, [x.shape[0]!, D]), w1, b1)), w2));
  }) as Classifier;
  f.calls = 0;
  f.dispose = () => {
    for (const t of [w1, b1, w2]) t.dispose();
  };
  return f;
}

const f32 = (v: number) => Math.fround(v);

// ---- float64 replica of the attack for a linear classifier, starting at z = 0 ----

function logitsOf(W: number[][], b: number[], v: ArrayLike<number>): number[] {
  return W.map((row, k) => row.reduce((s, w, j) => s + w * v[j]!, b[k]!));
}
function softmax(l: number[]): number[] {
  const m = Math.max(...l);
  const e = l.map((v) => Math.exp(v - m));
  const s = e.reduce((a, c) => a + c, 0);
  return e.map((v) => v / s);
}
function ce(l: number[], y: number): number {
  const m = Math.max(...l);
  return m + Math.log(l.reduce((s, v) => s + Math.exp(v - m), 0)) - l[y]!;
}
const argmax = (l: number[]) => l.reduce((best, v, i) => (v > l[best]! ? i : best), 0);

function referenceAttack(
  W: number[][],
  b: number[],
  x: Float32Array,
  y: Int32Array,
  o: { epsilon: number; alpha: number; steps: number; earlyStop: boolean; columns: boolean },
): { z: Float64Array; iterations: number } {
  const B = y.length;
  const z = new Float64Array(B * D);
  const best = new Float64Array(B * D);
  const bestLoss = new Float64Array(B).fill(-Infinity);
  const bestFooled = new Float64Array(B).fill(-1);
  let iterations = 0;
  for (let t = 0; t <= o.steps; t++) {
    const correct: boolean[] = [];
    const grads: number[][] = [];
    for (let s = 0; s < B; s++) {
      const v = Array.from({ length: D }, (_, j) => x[s * D + j]! + z[s * D + j]!);
      const l = logitsOf(W, b, v);
      const loss = ce(l, y[s]!);
      const ok = argmax(l) === y[s];
      correct.push(ok);
      const fooled = ok ? 0 : 1;
      if (fooled > bestFooled[s]! || (fooled === bestFooled[s] && loss > bestLoss[s]!)) {
        bestFooled[s] = fooled;
        bestLoss[s] = loss;
        best.set(z.subarray(s * D, (s + 1) * D), s * D);
      }
      const p = softmax(l);
      grads.push(Array.from({ length: D }, (_, j) => W.reduce((acc, row, k) => acc + (p[k]! - (k === y[s] ? 1 : 0)) * row[j]!, 0)));
    }
    if (t === o.steps) break;
    if (o.earlyStop && !correct.includes(true)) break;
    iterations++;
    const stepped = Float64Array.from(z);
    for (let s = 0; s < B; s++) {
      if (o.earlyStop && !correct[s]) continue;
      const n = Math.hypot(...grads[s]!);
      for (let j = 0; j < D; j++) stepped[s * D + j] += n > 0 ? (o.alpha * grads[s]![j]!) / n : 0;
    }
    const projected = Float64Array.from(stepped);
    if (o.columns) {
      for (let j = 0; j < D; j++) {
        let c = 0;
        for (let s = 0; s < B; s++) c += stepped[s * D + j]! ** 2;
        c = Math.sqrt(c);
        if (c > o.epsilon) for (let s = 0; s < B; s++) projected[s * D + j] = (stepped[s * D + j]! * o.epsilon) / (c + 1e-7);
      }
    } else {
      for (let s = 0; s < B; s++) {
        const n = Math.hypot(...stepped.subarray(s * D, (s + 1) * D));
        if (n > o.epsilon) for (let j = 0; j < D; j++) projected[s * D + j] = (stepped[s * D + j]! * o.epsilon) / n;
      }
    }
    for (let s = 0; s < B; s++) if (!o.earlyStop || correct[s]) z.set(projected.subarray(s * D, (s + 1) * D), s * D);
  }
  return { z: best, iterations };
}

/** A random linear 3-class problem: B images in [0, 1], labels = the clean prediction except where `wrong` says. */
function linearProblem(seed: number, B: number, wrong: readonly number[] = []) {
  const rng = new Rng(seed);
  const K = 3;
  const W = Array.from({ length: K }, () => Array.from({ length: D }, () => f32(rng.normal())));
  const b = Array.from({ length: K }, () => f32(0.3 * rng.normal()));
  const x = Float32Array.from({ length: B * D }, () => rng.uniform());
  const y = new Int32Array(B);
  for (let s = 0; s < B; s++) {
    const l = logitsOf(W, b, x.subarray(s * D, (s + 1) * D));
    const sorted = [...l].sort((p, q) => q - p);
    if (sorted[0]! - sorted[1]! < 1e-3) throw new Error('test setup: near-tie in the clean logits; pick another seed');
    y[s] = wrong.includes(s) ? (argmax(l) + 1) % K : argmax(l);
  }
  return { W, b, x, y, K };
}

/** Per-example cross-entropy of the classifier at the given images. */
function lossesAt(f: Classifier, images: ps.Tensor, y: ps.Tensor): ps.Tensor {
  return ps.noGrad(() => ps.tidy(() => ps.crossEntropy(f(images), y, { reduction: 'none' })));
}

describe('latentPGD', () => {
  it('matches a float64 replica of the attack: per-sample and renorm(2, 1, ε) projection, with and without early stop', async () => {
    // Samples 2 and 5 are misclassified at the start: with early stop they keep z = 0.
    const { W, b, x, y } = linearProblem(11, 8, [2, 5]);
    const B = y.length;
    const f = linearClassifier(W, b);
    const xt = ps.tensor(x, [B, ...COLUMNS]);
    const yt = ps.tensor(y, [B], 'int32');
    const before = ps.memory();
    const cases = [
      { epsilon: 1, alpha: 0.4, steps: 4, earlyStop: true, columns: false },
      { epsilon: 1, alpha: 0.4, steps: 4, earlyStop: false, columns: false },
      { epsilon: 0.6, alpha: 0.5, steps: 3, earlyStop: true, columns: true },
      { epsilon: 0.6, alpha: 0.5, steps: 3, earlyStop: false, columns: true },
    ];
    const set = new ps.PerturbationSet(identityCVAE(COLUMNS), { epsilon: 2 });
    const results: ps.LatentPGDResult[] = [];
    for (const c of cases) {
      const r = await ps.latentPGD(set, f, xt, yt, { epsilon: c.epsilon, alpha: c.alpha, steps: c.steps, earlyStop: c.earlyStop, referenceCompat: c.columns });
      results.push(r);
    }
    const zs = await readAll(results.map((r) => r.z));
    cases.forEach((c, i) => {
      const want = referenceAttack(W, b, x, y, c);
      const what = `${c.columns ? 'renorm(2, 1, ε)' : 'per-sample'} projection, earlyStop ${c.earlyStop}`;
      expectClose(zs[i]!, want.z, { rtol: 1e-4, atol: 1e-5, what, shape: [B, D] });
      expect(results[i]!.iterations).toBe(want.iterations);
      if (c.earlyStop) for (const s of [2, 5]) expectClose(zs[i]!.subarray(s * D, (s + 1) * D), new Float64Array(D), { atol: 0, what: `${what}: z of misclassified sample ${s}` });
      if (c.columns) {
        // The projection binds on some columns (otherwise this case would not test it).
        const colNorms = Array.from({ length: D }, (_, j) => Math.hypot(...Array.from({ length: B }, (_, s) => zs[i]![s * D + j]!)));
        expect(Math.max(...colNorms)).toBeGreaterThan(0.99 * c.epsilon);
      }
    });
    for (const r of results) {
      r.z.dispose();
      r.xAdv.dispose();
    }
    expect(ps.memory().tensors).toBe(before.tensors);
    for (const t of [xt, yt]) t.dispose();
    f.dispose();
  });

  it('keeps every latent inside its ε-ball (per sample), from random starts and large steps', async () => {
    const rng = new Rng(21);
    const B = 12;
    const f = mlpClassifier(rng, 4);
    const x = ps.tensor(Float32Array.from({ length: B * D }, () => rng.uniform()), [B, ...SQUARE]);
    const y = ps.tensor(Int32Array.from({ length: B }, (_, i) => i % 4), [B], 'int32');
    const set = new ps.PerturbationSet(identityCVAE(SQUARE), { epsilon: 0.75 });
    const a = await ps.latentPGD(set, f, x, y, { steps: 5, alpha: 0.6, randomInit: true, earlyStop: false, key: ps.random.key(3) });
    const c = await ps.latentPGD(set, f, x, y, { epsilon: 2.5, steps: 3, alpha: 4, randomInit: true, key: ps.random.key(4) });
    const [za, zc] = await readAll([a.z, c.z]);
    for (const [z, eps, what] of [[za!, 0.75, 'set ε'], [zc!, 2.5, 'epsilon option']] as const) {
      const norms = Array.from({ length: B }, (_, s) => Math.hypot(...z.subarray(s * D, (s + 1) * D)));
      for (const [s, n] of norms.entries()) if (!(n <= eps * (1 + 1e-5))) throw new Error(`${what}: ‖z_${s}‖ = ${n} > ε = ${eps}`);
      // Large steps end on the sphere (the projection is active).
      expect(Math.max(...norms)).toBeGreaterThan(eps * (1 - 1e-5));
    }
    expect(a.z.shape).toEqual([B, ...SQUARE]);
    expect(a.xAdv.shape).toEqual([B, ...SQUARE]);
    for (const t of [a.z, a.xAdv, c.z, c.xAdv, x, y]) t.dispose();
    f.dispose();
  });

  it('never lowers the loss relative to its start, and success matches a recount', async () => {
    const rng = new Rng(31);
    const B = 16;
    const x = ps.tensor(Float32Array.from({ length: B * D }, () => rng.uniform()), [B, ...SQUARE]);
    const set = new ps.PerturbationSet(identityCVAE(SQUARE), { epsilon: 1.5 });
    for (const K of [2, 4]) {
      const f = mlpClassifier(rng, K);
      const y = ps.tensor(Int32Array.from({ length: B }, () => rng.int(0, K)), [B], 'int32');
      for (const randomInit of [false, true]) {
        for (const earlyStop of [false, true]) {
          const key = ps.random.key(7);
          // steps 0 returns the start itself.
          const start = await ps.latentPGD(set, f, x, y, { steps: 0, randomInit, key });
          const r = await ps.latentPGD(set, f, x, y, { steps: 6, alpha: 0.5, randomInit, earlyStop, key });
          const l0 = lossesAt(f, start.xAdv, y);
          const l1 = lossesAt(f, r.xAdv, y);
          const pred0 = ps.noGrad(() => ps.tidy(() => ps.argmax(f(start.xAdv), 1)));
          const pred1 = ps.noGrad(() => ps.tidy(() => ps.argmax(f(r.xAdv), 1)));
          const [a, b, p0, p1, labels, zStart] = await readAll([l0, l1, pred0, pred1, y, start.z]);
          const what = `K = ${K}, randomInit ${randomInit}, earlyStop ${earlyStop}`;
          if (!randomInit) expect(Array.from(zStart!).every((v) => v === 0)).toBe(true);
          let raised = 0;
          for (let s = 0; s < B; s++) {
            const fooledStart = p0![s] !== labels![s];
            const fooled = p1![s] !== labels![s];
            expect(r.success[s]).toBe(fooled);
            expect(start.success[s]).toBe(fooledStart);
            if (b![s]! > a![s]! + 1e-4) raised++;
            if (fooled && !fooledStart) continue; // a misclassified iterate is preferred even at a lower loss (K > 2)
            if (!(b![s]! >= a![s]! - 1e-6)) throw new Error(`${what}: example ${s}: loss ${b![s]} at the returned point < ${a![s]} at the start`);
          }
          // With two classes, misclassified ⇔ loss > log 2: the loss never drops, even for newly fooled examples.
          if (K === 2) for (let s = 0; s < B; s++) expect(b![s]!).toBeGreaterThanOrEqual(a![s]! - 1e-6);
          // The attack did something.
          expect(raised).toBeGreaterThan(2);
          for (const t of [start.xAdv, start.z, r.xAdv, r.z, l0, l1, pred0, pred1]) t.dispose();
        }
      }
      y.dispose();
      f.dispose();
    }
    x.dispose();
  });

  it('early stop: misclassified samples keep z, fooled samples freeze, and the loop stops when all are fooled', async () => {
    // logits = [0, x₀]: every step moves z₀ by exactly ±α (the normalised gradient is ±e₀).
    // Correct samples at margins 0.5α, 1.5α, 2.5α are fooled after 1, 2, 3 steps.
    const alpha = 0.25;
    const x0 = [-0.5, 1.5, -2.5, 0.7, -0.3].map((m) => m * alpha);
    const labels = [0, 1, 0, 0, 1]; // the last two are misclassified at the start
    const expectedZ0 = [1, -2, 3, 0, 0].map((k) => k * alpha);
    const B = labels.length;
    const rng = new Rng(41);
    const xv = Float32Array.from({ length: B * D }, (_, i) => (i % D === 0 ? x0[i / D]! : rng.uniform()));
    const W = [new Array(D).fill(0), [1, ...new Array(D - 1).fill(0)]];
    const f = linearClassifier(W, [0, 0]);
    const x = ps.tensor(xv, [B, ...SQUARE]);
    const y = ps.tensor(Int32Array.from(labels), [B], 'int32');
    const set = new ps.PerturbationSet(identityCVAE(SQUARE), { epsilon: 2 });

    const r = await ps.latentPGD(set, f, x, y, { steps: 10, alpha });
    expect(r.iterations).toBe(3);
    // 4 evaluations (z₀ … z₃; all fooled at z₃) and the final check of success.
    expect(f.calls).toBe(5);
    expect(r.success).toEqual([true, true, true, true, true]);
    const [z] = await readAll([r.z]);
    const want = new Float64Array(B * D);
    expectedZ0.forEach((v, s) => (want[s * D] = v));
    expectClose(z!, want, { rtol: 1e-5, atol: 1e-6, what: 'z', shape: [B, D] });

    // Without early stop the attack runs every step (z₀ saturates at ε = 2 after 8 steps).
    const full = await ps.latentPGD(set, f, x, y, { steps: 10, alpha, earlyStop: false });
    expect(full.iterations).toBe(10);
    // Everything fooled at the start: no step at all.
    const fooledAll = ps.tensor(Int32Array.from([1, 0, 1, 0, 1]), [B], 'int32');
    const none = await ps.latentPGD(set, f, x, fooledAll, { steps: 10, alpha });
    expect(none.iterations).toBe(0);
    expect(none.success).toEqual([true, true, true, true, true]);
    const [zn] = await readAll([none.z]);
    expect(Array.from(zn!).every((v) => v === 0)).toBe(true);
    for (const t of [r.z, r.xAdv, full.z, full.xAdv, none.z, none.xAdv, x, y, fooledAll]) t.dispose();
    f.dispose();
  });

  it('under renorm(2, 1, ε) with early stop, fooled samples keep their (random) start exactly', async () => {
    const { W, b, x, y } = linearProblem(51, 8, [1, 6]);
    const B = y.length;
    const f = linearClassifier(W, b);
    const xt = ps.tensor(x, [B, ...COLUMNS]);
    const yt = ps.tensor(y, [B], 'int32');
    const set = new ps.PerturbationSet(identityCVAE(COLUMNS), { epsilon: 0.8, referenceCompat: true });
    const key = ps.random.key(5);
    const start = await ps.latentPGD(set, f, xt, yt, { steps: 0, randomInit: true, key });
    const r = await ps.latentPGD(set, f, xt, yt, { steps: 3, alpha: 0.8, randomInit: true, key });
    const [z0, z1] = await readAll([start.z, r.z]);
    for (const s of [1, 6]) {
      expect(start.success[s]).toBe(true);
      expect(Array.from(z1!.subarray(s * D, (s + 1) * D))).toEqual(Array.from(z0!.subarray(s * D, (s + 1) * D)));
      expect(Math.hypot(...z0!.subarray(s * D, (s + 1) * D))).toBeGreaterThan(0);
    }
    // …while the moving rows did move and were clipped column-wise.
    let moved = 0;
    for (let s = 0; s < B; s++) if (![1, 6].includes(s) && Math.hypot(...Array.from({ length: D }, (_, j) => z1![s * D + j]! - z0![s * D + j]!)) > 0.1) moved++;
    expect(moved).toBeGreaterThan(3);
    for (const t of [start.z, start.xAdv, r.z, r.xAdv, xt, yt]) t.dispose();
    f.dispose();
  });

  it('accepts a Module-like classifier ({ forward })', async () => {
    const W = [new Array(D).fill(0), [1, ...new Array(D - 1).fill(0)]];
    const f = linearClassifier(W, [0, 0]);
    const x = ps.tensor(Float32Array.from({ length: 2 * D }, (_, i) => (i === 0 ? -0.1 : i === D ? 0.1 : 0)), [2, ...SQUARE]);
    const y = ps.tensor(Int32Array.from([0, 1]), [2], 'int32');
    const set = new ps.PerturbationSet(identityCVAE(SQUARE), { epsilon: 1 });
    const r = await ps.latentPGD(set, { forward: f }, x, y, { steps: 2, alpha: 0.5 });
    expect(r.success).toEqual([true, true]);
    expect(r.iterations).toBe(1);
    for (const t of [r.z, r.xAdv, x, y]) t.dispose();
    f.dispose();
  });

  it('rejects bad input with an error naming the culprit, and leaks nothing', async () => {
    const W = [new Array(D).fill(0), [1, ...new Array(D - 1).fill(0)], new Array(D).fill(0.1)];
    const f = linearClassifier(W, [0, 0, 0]);
    const B = 4;
    const x = ps.tensor(Float32Array.from({ length: B * D }, (_, i) => (i % 7) / 7), [B, ...SQUARE]);
    const y = ps.tensor(Int32Array.from([0, 1, 2, 1]), [B], 'int32');
    const set = new ps.PerturbationSet(identityCVAE(SQUARE), { epsilon: 1 });
    const before = ps.memory();
    const yFloat = ps.tensor([0, 1, 2, 1], [B]);
    const yShort = ps.tensor(Int32Array.from([0, 1, 2]), [3], 'int32');
    const y2d = ps.tensor(Int32Array.from([0, 1, 2, 1]), [B, 1], 'int32');
    const yBig = ps.tensor(Int32Array.from([0, 1, 2, 12]), [B], 'int32');
    const yNeg = ps.tensor(Int32Array.from([0, -1, 2, 1]), [B], 'int32');
    await expect(ps.latentPGD(set, f, x, yFloat)).rejects.toThrow(/^latentPGD: labels must be int32 \[4\], got float32 \[4\]$/);
    await expect(ps.latentPGD(set, f, x, yShort)).rejects.toThrow(/^latentPGD: labels must be int32 \[4\], got int32 \[3\]$/);
    await expect(ps.latentPGD(set, f, x, y2d)).rejects.toThrow(/labels must be int32 \[4\], got int32 \[4,\s?1\]/);
    await expect(ps.latentPGD(set, f, x, yBig)).rejects.toThrow(/^latentPGD: label 12 at index 3 is out of range for 3 classes$/);
    await expect(ps.latentPGD(set, f, x, yNeg)).rejects.toThrow(/^latentPGD: label -1 at index 1 is out of range for 3 classes$/);
    await expect(ps.latentPGD(set, f, x, y, { epsilon: 0 })).rejects.toThrow(/latentPGD: epsilon must be a positive finite number, got 0/);
    await expect(ps.latentPGD(set, f, x, y, { epsilon: -1 })).rejects.toThrow(/latentPGD: epsilon must be a positive finite number, got -1/);
    await expect(ps.latentPGD(set, f, x, y, { epsilon: NaN })).rejects.toThrow(/latentPGD: epsilon/);
    await expect(ps.latentPGD(set, f, x, y, { alpha: 0 })).rejects.toThrow(/latentPGD: alpha must be a positive finite number, got 0/);
    await expect(ps.latentPGD(set, f, x, y, { alpha: -0.1 })).rejects.toThrow(/latentPGD: alpha must be a positive finite number, got -0.1/);
    await expect(ps.latentPGD(set, f, x, y, { steps: -1 })).rejects.toThrow(/latentPGD: steps must be a non-negative integer, got -1/);
    await expect(ps.latentPGD(set, f, x, y, { steps: 1.5 })).rejects.toThrow(/latentPGD: steps must be a non-negative integer, got 1.5/);
    await expect(ps.latentPGD(set, (t: ps.Tensor) => ps.reshape(f(t), [B * 3]), x, y)).rejects.toThrow(
      /^latentPGD: the classifier returned float32 \[12\] for 4 images; expected float32 logits \[4, classes\]$/,
    );
    await expect(ps.latentPGD(set, (t: ps.Tensor) => ps.concat([f(t), f(t)], 0), x, y)).rejects.toThrow(/latentPGD: the classifier returned float32 \[8,\s?3\] for 4 images/);
    await expect(ps.latentPGD(set, 'not a classifier' as never, x, y)).rejects.toThrow(/latentPGD: classifier must be a function/);
    const rgb = ps.zeros([B, 3, 4, 4]);
    await expect(ps.latentPGD(set, f, rgb, y)).rejects.toThrow(/latentPGD: x must be float32 images \[B, 1, 4, 4\]/);
    for (const t of [yFloat, yShort, y2d, yBig, yNeg, rgb]) t.dispose();
    expect(ps.memory().tensors).toBe(before.tensors);
    for (const t of [x, y]) t.dispose();
    f.dispose();
  });
});
