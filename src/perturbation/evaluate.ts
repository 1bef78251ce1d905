import { noGrad } from '../autograd/grad.js';
import { batchIndices } from '../data/dataset.js';
import type { PairSource } from '../data/pair-source.js';
import { mean } from '../ops/reduce.js';
import { foldIn, key as makeKey, type Key } from '../random/key.js';
import { tidy } from '../tensor/tracking.js';
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
}

export interface SetEvaluation {
  examples: number;
  /** Reconstruction error per pixel and KL per example of the CVAE forward pass (β = 1). */
  recon: number;
  kl: number;
  /** Error at the projected posterior mean ("fast"/encoder approximation error; BCE for Bernoulli models). */
  encoderError: number;
  /** Necessary-subset approximation error by PGD from the encoder's z (MSE). */
  approximationError: number;
  /** Sufficient-likelihood expected approximation error (MSE). */
  expectedApproximationError: number;
}

/**
 * What the reference eval.py reports for a perturbation set on held-out pairs, averaged over
 * batches: recon, kl, enc_ae, ae (as a positive error; the reference logs −MSE), eae.
 */
export async function evaluatePerturbationSet(set: PerturbationSet, pairs: PairSource, opts: SetEvaluationOptions = {}): Promise<SetEvaluation> {
  const key = opts.key ?? makeKey(0);
  const cvae = set.cvae;
  const measure: ErrorMeasure = cvae.info.distribution === 'bernoulli' ? 'bce' : 'mse';
  let batches = batchIndices(pairs.length, opts.batchSize ?? 128);
  if (opts.batches !== undefined) batches = batches.slice(0, opts.batches);
  const sums = { recon: 0, kl: 0, encoderError: 0, approximationError: 0, expectedApproximationError: 0 };
  let examples = 0;
  cvae.eval();
  for (const [b, indices] of batches.entries()) {
    const k = foldIn(key, b);
    const { x, xt } = pairs.batch(indices, foldIn(k, 0));
    const stats = noGrad(() =>
      tidy(() => {
        const out = cvae.forward(x, xt, foldIn(k, 1));
        const loss = cvaeLoss(xt, out, { beta: 1, reduction: 'sum' });
        const z = set.project(set.encode(x, xt));
        return {
          recon: loss.recon.div(xt.size),
          kl: loss.kl.div(indices.length),
          encoderError: mean(perSampleError(set.generate(x, z), xt, measure)),
        };
      }),
    );
    const [recon, kl, enc] = await Promise.all([stats.recon.item(), stats.kl.item(), stats.encoderError.item()]);
    for (const t of Object.values(stats)) t.dispose();
    const ae = await approximationError(set, x, xt, { steps: opts.steps ?? 50, alpha: opts.alpha, init: 'posterior' });
    const eae = await expectedApproximationError(set, x, xt, foldIn(k, 2), { samples: opts.samples ?? 5, mode: opts.mode });
    sums.recon += recon;
    sums.kl += kl;
    sums.encoderError += enc;
    sums.approximationError += ae.mean;
    sums.expectedApproximationError += eae.mean;
    examples += indices.length;
    x.dispose();
    xt.dispose();
  }
  const n = batches.length;
  return {
    examples,
    recon: sums.recon / n,
    kl: sums.kl / n,
    encoderError: sums.encoderError / n,
    approximationError: sums.approximationError / n,
    expectedApproximationError: sums.expectedApproximationError / n,
  };
}
