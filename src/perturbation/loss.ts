import { bceLoss, klDiagGaussians, mseLoss, type Reduction } from '../ops/losses.js';
import { binary } from '../ops/elementwise.js';
import { mean, sum } from '../ops/reduce.js';
import { fmtShape, shapeEquals } from '../tensor/shape.js';
import { assertTensor, type Tensor } from '../tensor/tensor.js';
import type { CVAEOutput } from './cvae.js';

export interface CVAELossOptions {
  /** Weight of the KL term (default 1). */
  beta?: number;
  /** 'bernoulli': binary cross-entropy summed per sample (MNIST); 'gaussian': squared error summed per sample (CIFAR). */
  distribution?: 'bernoulli' | 'gaussian';
  /** How the per-sample values combine over the batch (default 'sum', as the reference's vae_loss). */
  reduction?: Reduction;
}

export interface CVAELoss {
  /** Reconstruction negative log-likelihood. */
  recon: Tensor;
  /** KL(posterior ‖ prior), not multiplied by beta. */
  kl: Tensor;
  /** recon + beta · kl: the negative evidence lower bound that training minimises. */
  loss: Tensor;
}

/**
 * The CVAE objective of the reference `vae_loss`: per sample, the reconstruction error summed
 * over pixels plus β·KL(q(z | x, x̃) ‖ p(z | x)) summed over latent dimensions; then summed (or
 * averaged) over the batch.
 */
export function cvaeLoss(xt: Tensor, out: CVAEOutput, opts: CVAELossOptions = {}): CVAELoss {
  const op = 'cvaeLoss';
  assertTensor(op, xt, 'xt');
  const beta = opts.beta ?? 1;
  if (!(beta >= 0) || !Number.isFinite(beta)) throw new RangeError(`${op}: beta must be a finite number ≥ 0, got ${beta}`);
  const distribution = opts.distribution ?? 'bernoulli';
  if (distribution !== 'bernoulli' && distribution !== 'gaussian') throw new Error(`${op}: distribution must be 'bernoulli' or 'gaussian', got '${String(distribution)}'`);
  const reduction = opts.reduction ?? 'sum';
  if (!shapeEquals(xt.shape, out.recon.shape)) throw new Error(`${op}: xt ${fmtShape(xt.shape)} and the reconstruction ${fmtShape(out.recon.shape)} differ`);
  const perPixel = distribution === 'bernoulli' ? bceLoss(out.recon, xt, { reduction: 'none' }) : mseLoss(out.recon, xt, { reduction: 'none' });
  const recon = sum(perPixel, [...Array(perPixel.rank).keys()].slice(1));
  perPixel.dispose();
  const kl = klDiagGaussians(out.posterior.mu, out.posterior.logvar, out.prior.mu, out.prior.logvar);
  const weighted = beta === 1 ? kl : binary('mul', kl, beta);
  const perSample = binary('add', recon, weighted);
  if (weighted !== kl) weighted.dispose();
  if (reduction === 'none') return { recon, kl, loss: perSample };
  if (reduction !== 'sum' && reduction !== 'mean') throw new Error(`${op}: reduction must be 'sum', 'mean' or 'none', got '${String(reduction)}'`);
  const combine = reduction === 'sum' ? (t: Tensor) => sum(t) : (t: Tensor) => mean(t);
  const result = { recon: combine(recon), kl: combine(kl), loss: combine(perSample) };
  for (const t of [recon, kl, perSample]) t.dispose();
  return result;
}
