import { noGrad } from '../autograd/grad.js';
import { batchIndices } from '../data/dataset.js';
import type { PairSource } from '../data/pair-source.js';
import { mean } from '../ops/reduce.js';
import { stack } from '../ops/shape-ops.js';
import { foldIn, key as makeKey, type Key } from '../random/key.js';
import { tidy } from '../tensor/tracking.js';
import { inEvalMode } from '../nn/eval-mode.js';
import { approximationError, expectedApproximationError, perSampleError, type ErrorMeasure } from './approximation.js';
import { cvaeLoss } from './loss.js';
import type { PerturbationSet } from './perturbation-set.js';
import type { TruncatedNormalOptions } from '../random/truncated.js';

export interface SetEvaluationOptions {
  batchSize?: number;
  /** Evaluate at most this many batches (default: all). */
  batches?: number;
  key?: Key;
  /** PGD steps and step size of the approximation error (reference: 50, ε/20). */
  steps?: number;
  alpha?: number;
  /** Latent draws of the expected approximation error (reference: 5). */
  samples?: number;
  mode?: TruncatedNormalOptions['mode'];
  /** Error measure of all three approximation errors (default: the model's likelihood — BCE for Bernoulli, MSE for Gaussian — as eval.py). */
  measure?: ErrorMeasure;
}

export interface SetEvaluation {
  examples: number;
  /** Reconstruction error per pixel and KL per example of the CVAE forward pass (β = 1). */
  recon: number;
  kl: number;
  /** The measure of the three errors below, per pixel. */
  measure: ErrorMeasure;
  /** Error at the projected posterior mean ("fast"/encoder approximation error). */
  encoderError: number;
  /** Necessary-subset approximation error by PGD from the encoder's z. */
  approximationError: number;
  /** Sufficient-likelihood expected approximation error. */
  expectedApproximationError: number;
}

/**
 * What the reference eval.py reports for a perturbation set on held-out pairs, averaged over
 * batches (in eval mode; the caller's mode is restored): recon, kl, enc_ae, ae (as a positive error; the reference logs its negative), eae — the
 * three errors in the model's likelihood (BCE per pixel for Bernoulli models) unless `measure` says otherwise.
 */
export async function evaluatePerturbationSet(set: PerturbationSet, pairs: PairSource, opts: SetEvaluationOptions = {}): Promise<SetEvaluation> {
  const key = opts.key ?? makeKey(0);
  const cvae = set.cvae;
  const measure: ErrorMeasure = opts.measure ?? (cvae.info.distribution === 'bernoulli' ? 'bce' : 'mse');
  let batches = batchIndices(pairs.length, opts.batchSize ?? 128);
  if (opts.batches !== undefined) batches = batches.slice(0, opts.batches);
  const sums = { recon: 0, kl: 0, encoderError: 0, approximationError: 0, expectedApproximationError: 0 };
  let examples = 0;
  await inEvalMode(cvae, async () => {
    for (const [b, indices] of batches.entries()) {
      const k = foldIn(key, b);
      const { x, xt } = pairs.batch(indices, foldIn(k, 0));
      // recon per pixel, KL per example and the encoder error, read back together.
      const stats = noGrad(() =>
        tidy(() => {
          const out = cvae.forward(x, xt, foldIn(k, 1));
          const loss = cvaeLoss(xt, out, { beta: 1, distribution: cvae.info.distribution, reduction: 'sum' });
          const z = set.project(set.encode(x, xt));
          return stack([loss.recon.div(xt.size), loss.kl.div(indices.length), mean(perSampleError(set.generate(x, z), xt, measure))]);
        }),
      );
      const values = await stats.data();
      stats.dispose();
      const [recon, kl, enc] = [values[0]!, values[1]!, values[2]!];
      const ae = await approximationError(set, x, xt, { steps: opts.steps ?? 50, alpha: opts.alpha, init: 'posterior', measure });
      const eae = await expectedApproximationError(set, x, xt, foldIn(k, 2), { samples: opts.samples ?? 5, mode: opts.mode, measure });
      // Weighted by batch size, like the reference's average meters.
      const n = indices.length;
      sums.recon += recon * n;
      sums.kl += kl * n;
      sums.encoderError += enc * n;
      sums.approximationError += ae.mean * n;
      sums.expectedApproximationError += eae.mean * n;
      examples += n;
      x.dispose();
      xt.dispose();
    }
  });
  return {
    examples,
    measure,
    recon: sums.recon / examples,
    kl: sums.kl / examples,
    encoderError: sums.encoderError / examples,
    approximationError: sums.approximationError / examples,
    expectedApproximationError: sums.expectedApproximationError / examples,
  };
}
