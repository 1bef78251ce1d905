// trainCVAE on a toy pair set with a tiny fully connected CVAE (helpers/toy-cvae.ts): the loss
// falls; lr/β schedules are evaluated where the reference evaluates them; a checkpoint taken after
// epoch 1 and resumed gives bit-identical steps and weights to an uninterrupted 2-epoch run; a NaN
// loss stops training with an error naming the step; an AbortSignal stops it; bad inputs (images
// of the wrong shape or range, bad options, foreign checkpoints) are errors naming the culprit;
// training leaves ps.memory() where it started.
import { beforeAll, describe, expect, it } from 'vitest';
import * as ps from 'perturbset';
import { readAll, thrown } from './helpers/check.js';
import { Rng } from './helpers/rng.js';
import { tinyCVAE } from './helpers/toy-cvae.js';

beforeAll(async () => {
  await ps.init();
});

const N = 64;

/** 64 toy "digits" [1, 4, 4] in [0, 1]: a bright row or column on a dim noisy background. */
function toyDataset(seed = 1): ps.data.ImageDataset {
  const rng = new Rng(seed);
  const pixels = new Float32Array(N * 16);
  for (let n = 0; n < N; n++) {
    const line = n % 8;
    for (let p = 0; p < 16; p++) {
      const on = line < 4 ? Math.floor(p / 4) === line : p % 4 === line - 4;
      pixels[n * 16 + p] = Math.fround(on ? 0.9 : 0.1 * rng.uniform());
    }
  }
  return new ps.data.ImageDataset(pixels, Int32Array.from({ length: N }, (_, n) => n % 8), [1, 4, 4]);
}

const linfPairs = (data: ps.data.ImageDataset) => ps.data.perturbedPairs(data, (key, x) => ps.data.perturb.linf(key, x, { epsilon: 0.3 }));

async function weights(cvae: ps.CVAE): Promise<number[][]> {
  return (await readAll(cvae.parameters())).map((v) => Array.from(v));
}

describe('trainCVAE', () => {
  it('the loss falls on a toy pair set; schedules are evaluated per batch (lr) and per epoch (β); no leaks', async () => {
    const cvae = tinyCVAE(ps.random.key(1));
    const pairs = linfPairs(toyDataset());
    const lr = ps.schedules.piecewiseLinear([0, 2, 6], [0.02, 0.02, 0.005]);
    const beta = ps.schedules.piecewiseLinear([0, 6], [0, 0.6]);
    const seen: ps.TrainProgress[] = [];
    const before = ps.memory().tensors;
    const started = performance.now();
    const result = await ps.trainCVAE(cvae, pairs, { epochs: 6, batchSize: 16, lr, beta, key: ps.random.key(2), onProgress: (p) => seen.push(p) });
    const wallSeconds = (performance.now() - started) / 1000;
    result.optimizer.dispose();
    // Each step's throughput covers its own time only: the steps' times add up to at most the run's.
    const stepSeconds = result.lossCurve.reduce((s, p) => s + 16 / p.samplesPerSec, 0);
    expect(stepSeconds).toBeGreaterThan(0);
    expect(stepSeconds).toBeLessThanOrEqual(wallSeconds * 1.001);
    expect(ps.memory().tensors).toBe(before);
    expect(result.steps).toBe(24);
    expect(result.lossCurve.length).toBe(24);
    expect(seen).toEqual(result.lossCurve);
    result.lossCurve.forEach((p, k) => {
      expect(p.step).toBe(k + 1);
      expect(p.epoch).toBe(Math.floor(k / 4));
      expect(p.lr).toBeCloseTo(lr(p.epoch + ((k % 4) + 1) / 4), 12);
      expect(p.beta).toBeCloseTo(beta(p.epoch), 12);
      expect(Number.isFinite(p.loss) && Number.isFinite(p.recon) && Number.isFinite(p.kl)).toBe(true);
      expect(p.loss).toBeCloseTo(p.recon + p.beta * p.kl, 3);
    });
    const epochMean = (e: number) => result.lossCurve.filter((p) => p.epoch === e).reduce((s, p) => s + p.recon, 0) / 4;
    expect(epochMean(5)).toBeLessThan(0.85 * epochMean(0));
    expect(cvae.training).toBe(false);
    cvae.dispose();
  });

  it('resuming the checkpoint of epoch 1 gives the same steps and weights as an uninterrupted 2-epoch run', async () => {
    const data = toyDataset(3);
    const opts = { epochs: 2, batchSize: 16, lr: ps.schedules.piecewiseLinear([0, 2], [0.02, 0.01]), beta: 0.5, key: ps.random.key(8) };
    const full = tinyCVAE(ps.random.key(4));
    const saved: [Uint8Array, ps.TrainingPosition][] = [];
    const a = await ps.trainCVAE(full, linfPairs(data), { ...opts, checkpointEvery: 1, onCheckpoint: (bytes, pos) => void saved.push([bytes, pos]) });
    expect(saved.map(([, p]) => p)).toEqual([{ epoch: 1, step: 4 }, { epoch: 2, step: 8 }]);

    // A different initialisation: everything must come from the checkpoint.
    const resumed = tinyCVAE(ps.random.key(5));
    const b = await ps.trainCVAE(resumed, linfPairs(data), { ...opts, resume: saved[0]![0] });
    expect(b.steps).toBe(8);
    expect(b.lossCurve.map((p) => [p.epoch, p.step, p.loss, p.recon, p.kl, p.lr])).toEqual(a.lossCurve.slice(4).map((p) => [p.epoch, p.step, p.loss, p.recon, p.kl, p.lr]));
    expect(b.optimizer.stepCount).toBe(8);
    expect(await weights(resumed)).toEqual(await weights(full));

    // The checkpoint's contents; a checkpoint for another model is refused.
    const probe = tinyCVAE(ps.random.key(6));
    const contents = ps.loadCheckpoint(saved[1]![0], probe);
    expect(contents.position).toEqual({ epoch: 2, step: 8 });
    expect(contents.model.type).toBe('tiny_fc');
    expect(await weights(probe)).toEqual(await weights(full));
    const conv = ps.models.mnistConv({ key: ps.random.key(1) });
    expect(thrown(() => ps.loadCheckpoint(saved[1]![0], conv)).message).toMatch(/loadCheckpoint: checkpoint holds a tiny_fc model, not mnist_conv/);
    const plain = await ps.io.saveSafetensors(Object.fromEntries(probe.namedParameters()));
    expect(thrown(() => ps.loadCheckpoint(plain, probe)).message).toMatch(/loadCheckpoint: not a perturbset CVAE checkpoint/);
    for (const r of [a, b]) r.optimizer.dispose();
    for (const m of [full, resumed, probe, conv]) m.dispose();
  });

  it('a NaN loss stops training with an error naming the step', async () => {
    // A poisoned weight: NaN from the first step. (The prior's mean, so the NaN reaches the loss
    // through the KL term's plain arithmetic. A NaN generator output would not do on SwiftShader:
    // its log of NaN is not NaN, so bceLoss of a NaN prediction comes out finite, about −89 per
    // pixel, and the NaN only surfaces a step later, through the updated weights.)
    const cvae = tinyCVAE(ps.random.key(1));
    const bias = cvae.namedParameters().find(([n]) => n === 'prior.fc21.bias')![1];
    ps.tidy(() => ps.assign(bias, ps.full(bias.shape, NaN)));
    await expect(ps.trainCVAE(cvae, linfPairs(toyDataset()), { epochs: 1, batchSize: 16 })).rejects.toThrow(/trainCVAE: the loss became NaN at epoch 0 step 1 \(/);
    cvae.dispose();

    // Poisoned data: the 7th batch (epoch 1, step 7 with 4 batches per epoch) holds a NaN.
    const healthy = tinyCVAE(ps.random.key(1));
    const inner = linfPairs(toyDataset());
    let calls = 0;
    const poisoned: ps.data.PairSource = {
      length: inner.length,
      imageShape: inner.imageShape,
      batch(indices, key) {
        const pair = inner.batch(indices, key);
        if (++calls !== 7) return pair;
        const xt = ps.mul(pair.xt, NaN);
        pair.xt.dispose();
        return { x: pair.x, xt };
      },
    };
    const before = ps.memory().tensors;
    await expect(ps.trainCVAE(healthy, poisoned, { epochs: 3, batchSize: 16 })).rejects.toThrow(/the loss became NaN at epoch 1 step 7 \(/);
    // A failed run frees its optimiser state: nothing leaks.
    expect(ps.memory().tensors).toBe(before);
    healthy.dispose();
  });

  it('an AbortSignal stops training between steps', async () => {
    const cvae = tinyCVAE(ps.random.key(1));
    const before = ps.memory().tensors;
    const controller = new AbortController();
    let last = 0;
    const run = ps.trainCVAE(cvae, linfPairs(toyDataset()), {
      epochs: 5,
      batchSize: 16,
      signal: controller.signal,
      onProgress: (p) => {
        last = p.step;
        if (p.step === 2) controller.abort(new Error('stopped by the test'));
      },
    });
    await expect(run).rejects.toThrow(/stopped by the test/);
    // Step 3 was already queued when step 2 reported; nothing after it ran.
    expect(last).toBeLessThanOrEqual(3);
    const aborted = new AbortController();
    aborted.abort();
    let steps = 0;
    const err = await ps.trainCVAE(cvae, linfPairs(toyDataset()), { epochs: 1, batchSize: 16, signal: aborted.signal, onProgress: () => steps++ }).then(
      () => null,
      (e: unknown) => e as { name?: string },
    );
    expect(err?.name).toBe('AbortError');
    expect(steps).toBe(0);
    expect(ps.memory().tensors).toBe(before);
    cvae.dispose();
  });

  it('images of the wrong shape or range and bad options are errors naming the culprit', async () => {
    const cvae = tinyCVAE(ps.random.key(1));
    const wrongShape = new ps.data.ImageDataset(new Float32Array(8 * 25), new Int32Array(8), [1, 5, 5]);
    await expect(ps.trainCVAE(cvae, linfPairs(wrongShape), { epochs: 1, batchSize: 4 })).rejects.toThrow(
      /cvae\.prior: x must be float32 images \[B, 1, 4, 4\] for tiny_fc, got float32 \[4,\s?1,\s?5,\s?5\]/,
    );
    // Pixels 0…255 instead of 0…1: the Bernoulli likelihood needs [0, 1].
    const bytes = toyDataset();
    const unscaled = new ps.data.ImageDataset(Float32Array.from(bytes.pixels, (v) => v * 255), bytes.labels, [1, 4, 4]);
    await expect(ps.trainCVAE(cvae, linfPairs(unscaled), { epochs: 1, batchSize: 16 })).rejects.toThrow(/trainCVAE: the images of epoch 0 step 1 are outside \[0, 1\] \(x in \[[\d.e-]+, 229\.\d+\]/);
    const pairs = linfPairs(toyDataset());
    await expect(ps.trainCVAE(cvae, pairs, { epochs: -1 })).rejects.toThrow(/epochs must be a non-negative integer, got -1/);
    await expect(ps.trainCVAE(cvae, pairs, { epochs: 1, batchSize: 0 })).rejects.toThrow(/batchSize must be a positive integer, got 0/);
    await expect(ps.trainCVAE(cvae, { length: 0 } as never, { epochs: 1 })).rejects.toThrow(/pairs must be a non-empty PairSource/);
    await expect(ps.trainCVAE(cvae, pairs, { epochs: 1, lr: -1 })).rejects.toThrow(/lr must be a finite number ≥ 0, got -1/);
    await expect(ps.trainCVAE(cvae, pairs, { epochs: 1, resume: new Uint8Array([1, 2, 3]) })).rejects.toThrow(/safetensors|checkpoint/i);
    cvae.dispose();
  });
});
