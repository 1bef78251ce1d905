import { noGrad, valueAndGrad } from '../autograd/grad.js';
import { batchIndices } from '../data/dataset.js';
import type { PairSource } from '../data/pair-source.js';
import { Adam } from '../optim/adam.js';
import type { Optimizer } from '../optim/optimizer.js';
import { scheduleValue, type Schedule } from '../optim/schedules.js';
import { SGD } from '../optim/sgd.js';
import { max, min } from '../ops/reduce.js';
import { stack } from '../ops/shape-ops.js';
import { foldIn, key as makeKey, split, type Key } from '../random/key.js';
import type { Tensor } from '../tensor/tensor.js';
import { tidy } from '../tensor/tracking.js';
import { loadCheckpoint, saveCheckpoint, type TrainingPosition } from './checkpoint.js';
import type { CVAE } from './cvae.js';
import { cvaeLoss } from './loss.js';

export interface TrainProgress {
  epoch: number;
  /** Steps taken so far (this one included). */
  step: number;
  /** Per-sample averages over the batch: loss = recon + beta·kl. */
  loss: number;
  recon: number;
  kl: number;
  lr: number;
  beta: number;
  samplesPerSec: number;
}

export interface TrainCVAEOptions {
  epochs: number;
  batchSize?: number;
  /** Learning rate or schedule over fractional epochs, evaluated per batch at epoch + (batch + 1)/batches (reference train.py). */
  lr?: Schedule;
  /** KL weight or schedule, evaluated at the integer epoch. */
  beta?: Schedule;
  optimizer?: 'adam' | 'sgd';
  momentum?: number;
  weightDecay?: number;
  /** Output likelihood (default: the model's). */
  distribution?: 'bernoulli' | 'gaussian';
  /** Drives shuffling, the perturbations and the reparameterisation noise (default key(0)). */
  key?: Key;
  /** At most this many batches per epoch (quick runs). */
  stepsPerEpoch?: number;
  onProgress?: (p: TrainProgress) => void;
  signal?: AbortSignal;
  /** Save a checkpoint every this many epochs (and after the last), passing its bytes to onCheckpoint. */
  checkpointEvery?: number;
  onCheckpoint?: (bytes: Uint8Array, position: TrainingPosition) => void | Promise<void>;
  /** Checkpoint bytes (from onCheckpoint) to continue from. */
  resume?: Uint8Array;
}

export interface TrainCVAEResult {
  epochs: number;
  steps: number;
  /** Per-step progress records, in order. */
  lossCurve: TrainProgress[];
  optimizer: Optimizer;
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('trainCVAE was aborted', 'AbortError');
}

/**
 * Trains a CVAE on (x, x̃) pairs by minimising the negative ELBO (summed over the batch, as the
 * reference does) with Adam or SGD, following the reference train.py schedules. Loss values are
 * read back one step late, so the GPU never idles waiting for them; a NaN loss stops training
 * with an error naming the step, and so do images outside [0, 1] under a Bernoulli likelihood.
 */
export async function trainCVAE(cvae: CVAE, pairs: PairSource, opts: TrainCVAEOptions): Promise<TrainCVAEResult> {
  const op = 'trainCVAE';
  if (!Number.isInteger(opts.epochs) || opts.epochs < 0) throw new RangeError(`${op}: epochs must be a non-negative integer, got ${opts.epochs}`);
  const batchSize = opts.batchSize ?? 128;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`${op}: batchSize must be a positive integer, got ${batchSize}`);
  if (!pairs || typeof pairs.batch !== 'function' || !(pairs.length > 0)) throw new TypeError(`${op}: pairs must be a non-empty PairSource (see ps.data.perturbedPairs / tensorPairs)`);
  const lrSchedule = opts.lr ?? 1e-3;
  const betaSchedule = opts.beta ?? 1;
  const distribution = opts.distribution ?? cvae.info.distribution;
  const params = cvae.parameters();
  const optimizer: Optimizer =
    (opts.optimizer ?? 'adam') === 'adam'
      ? new Adam(params, { lr: 1, weightDecay: opts.weightDecay ?? 0 })
      : new SGD(params, { lr: 1, momentum: opts.momentum ?? 0, weightDecay: opts.weightDecay ?? 0 });
  const [shuffleKey, perturbKey, noiseKey] = split(opts.key ?? makeKey(0), 3) as [Key, Key, Key];

  // On any failure (NaN loss, abort, bad input, a bad checkpoint) the optimiser's state would be
  // unreachable: free it before rethrowing.
  try {
    let startEpoch = 0;
    let step = 0;
    if (opts.resume) {
      const restored = loadCheckpoint(opts.resume, cvae, optimizer);
      startEpoch = restored.position.epoch;
      step = restored.position.step;
    }

    const lossCurve: TrainProgress[] = [];
    // Bernoulli likelihoods need pixels in [0, 1]: the batch's extremes ride along with the loss
    // readback (no extra round trip) and are checked one step late, like the loss.
    const checkRange = distribution === 'bernoulli';
    const lossOf = (x: Tensor, xt: Tensor, noise: Key, beta: number) => (_params: Tensor[]) => {
      const out = cvae.forward(x, xt, noise);
      const { loss, recon, kl } = cvaeLoss(xt, out, { beta, distribution, reduction: 'sum' });
      const ranges = checkRange ? noGrad(() => [min(x), max(x), min(xt), max(xt)]) : [];
      return [loss, stack([loss, recon, kl, ...ranges])] as [Tensor, Tensor];
    };

    let pending: { stats: Promise<Float32Array | Int32Array>; record: Omit<TrainProgress, 'loss' | 'recon' | 'kl' | 'samplesPerSec'>; samples: number } | null = null;
    // Throughput of a step: its samples over the time between its results and the previous step's
    // (consecutive, disjoint intervals, so they add up to the training time).
    let lastSettled = performance.now();
    const settle = async () => {
      if (!pending) return;
      const { stats, record, samples } = pending;
      pending = null;
      const [loss, recon, kl, xMin, xMax, xtMin, xtMax] = await stats;
      const settled = performance.now();
      const seconds = (settled - lastSettled) / 1000;
      lastSettled = settled;
      if (checkRange && !(xMin! >= 0 && xMax! <= 1 && xtMin! >= 0 && xtMax! <= 1) && !Number.isNaN(xMin! + xMax! + xtMin! + xtMax!)) {
        throw new Error(
          `${op}: the images of epoch ${record.epoch} step ${record.step} are outside [0, 1] (x in [${xMin}, ${xMax}], xt in [${xtMin}, ${xtMax}]); ` +
            `the ${distribution} likelihood needs pixel values in [0, 1] (scale 8-bit images by 1/255); training stopped`,
        );
      }
      if (!Number.isFinite(loss!)) {
        throw new Error(`${op}: the loss became ${loss} at epoch ${record.epoch} step ${record.step} (lr ${record.lr}, beta ${record.beta}); training stopped`);
      }
      const progress: TrainProgress = { ...record, loss: loss! / samples, recon: recon! / samples, kl: kl! / samples, samplesPerSec: samples / seconds };
      lossCurve.push(progress);
      opts.onProgress?.(progress);
    };

    cvae.train();
    for (let epoch = startEpoch; epoch < opts.epochs; epoch++) {
      let batches = batchIndices(pairs.length, batchSize, { key: foldIn(shuffleKey, epoch) });
      if (opts.stepsPerEpoch !== undefined) batches = batches.slice(0, opts.stepsPerEpoch);
      const beta = scheduleValue(betaSchedule, epoch);
      for (let b = 0; b < batches.length; b++) {
        if (opts.signal?.aborted) {
          await settle();
          throw abortError(opts.signal);
        }
        const indices = batches[b]!;
        const lr = scheduleValue(lrSchedule, epoch + (b + 1) / batches.length);
        optimizer.setLr(lr);
        const stepKey = foldIn(noiseKey, step);
        const stats = tidy(() => {
          const { x, xt } = pairs.batch(indices, foldIn(perturbKey, step));
          const [[, statsTensor], grads] = valueAndGrad(lossOf(x, xt, stepKey, beta), { hasAux: true })(params) as [[Tensor, Tensor], Tensor[]];
          optimizer.step(grads);
          return statsTensor;
        });
        step++;
        const readback = stats.data();
        stats.dispose();
        await settle();
        pending = { stats: readback, record: { epoch, step, lr, beta }, samples: indices.length };
      }
      await settle();
      const every = opts.checkpointEvery;
      if (opts.onCheckpoint && (epoch === opts.epochs - 1 || (every !== undefined && (epoch + 1) % every === 0))) {
        await opts.onCheckpoint(await saveCheckpoint(cvae, optimizer, { epoch: epoch + 1, step }), { epoch: epoch + 1, step });
      }
    }
    await settle();
    cvae.eval();
    return { epochs: opts.epochs, steps: step, lossCurve, optimizer };
  } catch (err) {
    optimizer.dispose();
    throw err;
  }
}
