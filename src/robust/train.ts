import { valueAndGrad, noGrad } from '../autograd/grad.js';
import { batchIndices } from '../data/dataset.js';
import type { Module } from '../nn/module.js';
import { binary, compare } from '../ops/elementwise.js';
import { crossEntropy } from '../ops/losses.js';
import { argmax, mean } from '../ops/reduce.js';
import { stack } from '../ops/shape-ops.js';
import { Adam } from '../optim/adam.js';
import type { Optimizer } from '../optim/optimizer.js';
import { scheduleValue, type Schedule } from '../optim/schedules.js';
import { SGD } from '../optim/sgd.js';
import type { PerturbationSet } from '../perturbation/perturbation-set.js';
import { foldIn, key as makeKey, split, type Key } from '../random/key.js';
import { normal } from '../random/sample.js';
import { truncatedNormal } from '../random/truncated.js';
import type { Tensor } from '../tensor/tensor.js';
import { tidy } from '../tensor/tracking.js';
import { runLatentPGD, type LatentPGDOptions } from './attack.js';
import { checkLabels, classify, readLabels } from './classifier.js';
import { fmtShape } from '../tensor/shape.js';
import { isTensor } from '../tensor/tensor.js';

/** Labelled images by index (an ImageDataset qualifies); `xt` is an observed perturbed version, if the source has one. */
export interface LabeledSource {
  readonly length: number;
  batch(indices: ArrayLike<number>, key: Key): { x: Tensor; y: Tensor; xt?: Tensor };
}

export type Augment = 'none' | 'data' | 'cvae' | 'adversarial';

export interface TrainClassifierOptions {
  epochs: number;
  batchSize?: number;
  lr?: Schedule;
  optimizer?: 'sgd' | 'adam';
  momentum?: number;
  weightDecay?: number;
  /**
   * 'none': clean images. 'data': observed perturbed images (the source's xt, or `perturb`).
   * 'cvae': samples of the learned set, g(z, x) with z ~ N(0, I) (reference cvae_aug), or from the
   * ε-ball with cvaeSampling 'ball'. 'adversarial': latent PGD in the loop, per-example loss
   * max(CE(x), CE(x_adv)) (reference cvae_attack training; the blog's min-max objective).
   */
  augment?: Augment;
  set?: PerturbationSet;
  perturb?: (key: Key, x: Tensor) => Tensor;
  cvaeSampling?: 'prior' | 'ball';
  attack?: LatentPGDOptions;
  key?: Key;
  stepsPerEpoch?: number;
  onProgress?: (p: ClassifierProgress) => void;
  signal?: AbortSignal;
}

export interface ClassifierProgress {
  epoch: number;
  step: number;
  loss: number;
  /** Accuracy on the (augmented) training batch. */
  accuracy: number;
  lr: number;
  samplesPerSec: number;
}

type TrainableClassifier = Module & { forward(x: Tensor): Tensor };

/** Trains a classifier with cross-entropy under one of the four augmentation schemes of the paper's experiments. */
export async function trainClassifier(model: TrainableClassifier, data: LabeledSource, opts: TrainClassifierOptions): Promise<{ lossCurve: ClassifierProgress[]; optimizer: Optimizer }> {
  const op = 'trainClassifier';
  const augment = opts.augment ?? 'none';
  if (!['none', 'data', 'cvae', 'adversarial'].includes(augment)) throw new Error(`${op}: augment must be 'none', 'data', 'cvae' or 'adversarial', got '${String(augment)}'`);
  if ((augment === 'cvae' || augment === 'adversarial') && !opts.set) throw new Error(`${op}: augment '${augment}' needs a perturbation set (opts.set)`);
  if (!Number.isInteger(opts.epochs) || opts.epochs < 0) throw new RangeError(`${op}: epochs must be a non-negative integer, got ${opts.epochs}`);
  const batchSize = opts.batchSize ?? 128;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`${op}: batchSize must be a positive integer, got ${batchSize}`);
  const params = model.parameters();
  const optimizer: Optimizer =
    (opts.optimizer ?? 'sgd') === 'adam'
      ? new Adam(params, { lr: 1, weightDecay: opts.weightDecay ?? 0 })
      : new SGD(params, { lr: 1, momentum: opts.momentum ?? 0.9, weightDecay: opts.weightDecay ?? 0 });
  const lrSchedule = opts.lr ?? 0.05;
  const [shuffleKey, dataKey, augmentKey] = split(opts.key ?? makeKey(0), 3) as [Key, Key, Key];
  const lossCurve: ClassifierProgress[] = [];
  let step = 0;
  try {
    for (let epoch = 0; epoch < opts.epochs; epoch++) {
      // Training mode (batch statistics), whatever mode the model came in (a previous call leaves it in eval).
      model.train();
      let batches = batchIndices(data.length, batchSize, { key: foldIn(shuffleKey, epoch) });
      if (opts.stepsPerEpoch !== undefined) batches = batches.slice(0, opts.stepsPerEpoch);
      for (let b = 0; b < batches.length; b++) {
        if (opts.signal?.aborted) throw opts.signal.reason ?? new DOMException(`${op} was aborted`, 'AbortError');
        const started = performance.now();
        const lr = scheduleValue(lrSchedule, epoch + (b + 1) / batches.length);
        optimizer.setLr(lr);
        const indices = batches[b]!;
        const stepKey = foldIn(augmentKey, step);
        const batch = data.batch(indices, foldIn(dataKey, step));
        let inputs: Tensor = batch.x;
        let adversarial: Tensor | null = null;
        let stats: Tensor;
        try {
          const B = batch.x.shape[0]!;
          if (!isTensor(batch.y) || batch.y.dtype !== 'int32' || batch.y.rank !== 1 || batch.y.shape[0] !== B) {
            throw new Error(`${op}: the data source must give int32 labels [${B}], got ${isTensor(batch.y) ? `${batch.y.dtype} ${fmtShape(batch.y.shape)}` : typeof batch.y}`);
          }
          // One small readback; the range is checked once the forward pass tells the number of classes,
          // before any parameter update (an out-of-range label would make the loss NaN).
          const labels = await readLabels(batch.y);
          if (augment === 'data') {
            inputs = batch.xt ?? (opts.perturb ? opts.perturb(stepKey, batch.x) : missing(op));
          } else if (augment === 'cvae') {
            const set = opts.set!;
            inputs = noGrad(() =>
              tidy(() => {
                const shape = set.latentShape(indices.length);
                const z = (opts.cvaeSampling ?? 'prior') === 'prior' ? normal(stepKey, shape) : truncatedNormal(stepKey, shape, set.epsilon);
                return set.generate(batch.x, z);
              }),
            );
          } else if (augment === 'adversarial') {
            model.eval();
            const attack = await runLatentPGD(opts.set!, model, batch.x, batch.y, { ...opts.attack, key: stepKey }, labels, op);
            model.train();
            attack.z.dispose();
            adversarial = attack.xAdv;
          }
          stats = tidy(() => {
            const lossFn = () => {
              const logits = classify(op, model, inputs);
              checkLabels(op, labels, logits.shape[1]!);
              let perExample = crossEntropy(logits, batch.y, { reduction: 'none' });
              if (adversarial) perExample = binary('maximum', perExample, crossEntropy(classify(op, model, adversarial), batch.y, { reduction: 'none' }));
              const accuracy = mean(compare('equal', argmax(logits, 1), batch.y));
              const loss = mean(perExample);
              return [loss, stack([loss, accuracy])] as [Tensor, Tensor];
            };
            const [[, s], grads] = valueAndGrad((_p: Tensor[]) => lossFn(), { hasAux: true })(params) as [[Tensor, Tensor], Tensor[]];
            optimizer.step(grads);
            return s;
          });
        } finally {
          for (const t of new Set([batch.x, batch.y, batch.xt, inputs, adversarial])) t?.dispose();
        }
        step++;
        const [loss, accuracy] = await stats.data();
        stats.dispose();
        if (!Number.isFinite(loss!)) throw new Error(`${op}: the loss became ${loss} at epoch ${epoch} step ${step}; training stopped`);
        const progress = { epoch, step, loss: loss!, accuracy: accuracy!, lr, samplesPerSec: indices.length / ((performance.now() - started) / 1000) };
        lossCurve.push(progress);
        opts.onProgress?.(progress);
      }
    }
  } catch (err) {
    // The optimizer (and its state) is only handed back on success.
    optimizer.dispose();
    throw err;
  }
  model.eval();
  return { lossCurve, optimizer };
}

function missing(op: string): never {
  throw new Error(`${op}: augment 'data' needs perturbed images: a source whose batches include xt, or opts.perturb`);
}

