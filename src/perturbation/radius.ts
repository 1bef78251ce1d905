import { inEvalMode } from '../nn/eval-mode.js';
import { noGrad } from '../autograd/grad.js';
import { batchIndices } from '../data/dataset.js';
import type { PairSource } from '../data/pair-source.js';
import { l2Norm } from '../ops/norms.js';
import { key as makeKey, foldIn } from '../random/key.js';
import { isTensor, type Tensor } from '../tensor/tensor.js';
import { tidy } from '../tensor/tracking.js';
import type { CVAE } from './cvae.js';
import { PerturbationSet } from './perturbation-set.js';

export interface LatentNormOptions {
  batchSize?: number;
}

/**
 * ‖(μ_posterior − μ_prior)/σ_prior‖₂ per pair: how far into the standardised latent space each
 * observed perturbation sits (the reference's latent_distances.py). Pairs as tensors or a source.
 */
export async function latentNorms(cvae: CVAE, x: Tensor | PairSource, xt?: Tensor, opts: LatentNormOptions = {}): Promise<Float64Array> {
  // Any radius works here: encode() does not depend on it.
  const set = new PerturbationSet(cvae, { epsilon: 1 });
  return inEvalMode(cvae, async () => {
    if (isTensor(x)) {
      if (!xt) throw new Error('latentNorms: xt is required when x is a tensor');
      const norms = noGrad(() => tidy(() => l2Norm(set.encode(x, xt))));
      const values = await norms.data();
      norms.dispose();
      return Float64Array.from(values);
    }
    const source = x;
    const out = new Float64Array(source.length);
    let offset = 0;
    for (const indices of batchIndices(source.length, opts.batchSize ?? 256)) {
      const norms = noGrad(() =>
        tidy(() => {
          const pair = source.batch(indices, foldIn(makeKey(0x72616469), offset));
          return l2Norm(set.encode(pair.x, pair.xt));
        }),
      );
      out.set(await norms.data(), offset);
      norms.dispose();
      offset += indices.length;
    }
    return out;
  });
}

/** NumPy's default ('linear') quantile of values, q in [0, 1]. */
export function quantile(values: ArrayLike<number>, q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile: q must be in [0, 1], got ${q}`);
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) throw new Error('quantile: no values');
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (pos - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * The radius ε of the perturbation set: the largest (or the `quantile`-th) latent norm of the
 * observed perturbations, so the set contains every held-out posterior mean (the blog's
 * "Selecting a radius"). Use pairs the CVAE was not trained on.
 */
export async function selectRadius(cvae: CVAE, x: Tensor | PairSource, xt?: Tensor, opts: { quantile?: number; batchSize?: number } = {}): Promise<number> {
  const norms = await latentNorms(cvae, x, xt, opts);
  for (let i = 0; i < norms.length; i++) {
    if (!Number.isFinite(norms[i]!)) throw new Error(`selectRadius: the latent norm of pair ${i} is ${norms[i]}; the model or the data is broken`);
  }
  return opts.quantile === undefined ? quantile(norms, 1) : quantile(norms, opts.quantile);
}
