import { valueAndGrad } from '../autograd/grad.js';
import { batchIndices } from '../data/dataset.js';
import type { PairSource } from '../data/pair-source.js';
import { Adam } from '../optim/adam.js';
import type { Optimizer } from '../optim/optimizer.js';
import { scheduleValue, type Schedule } from '../optim/schedules.js';
import { SGD } from '../optim/sgd.js';
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
 * with an error naming the step.
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

  let startEpoch = 0;
  let step = 0;
  if (opts.resume) {
    const restored = loadCheckpoint(opts.resume, cvae, optimizer);
    startEpoch = restored.position.epoch;
    step = restored.position.step;
  }

  const lossCurve: TrainProgress[] = [];
  const lossOf = (x: Tensor, xt: Tensor, noise: Key, beta: number) => (_params: Tensor[]) => {
    const out = cvae.forward(x, xt, noise);
    const { loss, recon, kl } = cvaeLoss(xt, out, { beta, distribution, reduction: 'sum' });
    return [loss, stack([loss, recon, kl])] as [Tensor, Tensor];
  };

  let pending: { stats: Promise<Float32Array | Int32Array>; record: Omit<TrainProgress, 'loss' | 'recon' | 'kl' | 'samplesPerSec'>; samples: number; started: number } | null = null;
  const settle = async () => {
    if (!pending) return;
    const { stats, record, samples, started } = pending;
    pending = null;
    const [loss, recon, kl] = await stats;
    if (!Number.isFinite(loss!)) {
      throw new Error(`${op}: the loss became ${loss} at epoch ${record.epoch} step ${record.step} (lr ${record.lr}, beta ${record.beta}); training stopped`);
    }
    const progress: TrainProgress = { ...record, loss: loss! / samples, recon: recon! / samples, kl: kl! / samples, samplesPerSec: samples / ((performance.now() - started) / 1000) };
    lossCurve.push(progress);
    opts.onProgress?.(progress);
  };

  cvae.train();
  let lastStepEnd = performance.now();
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
      const started = lastStepEnd;
      const readback = stats.data();
      stats.dispose();
      await settle();
      lastStepEnd = performance.now();
      pending = { stats: readback, record: { epoch, step, lr, beta }, samples: indices.length, started };
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
}
