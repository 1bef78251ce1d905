import { fused } from '../ops/fused.js';
import { gatherRows } from '../ops/gather.js';
import { projectL2, renorm } from '../ops/norms.js';
import { reshape } from '../ops/shape-ops.js';
import type { Key } from '../random/key.js';
import { truncatedNormal, type TruncatedNormalOptions } from '../random/truncated.js';
import { fmtShape, shapeEquals } from '../tensor/shape.js';
import { assertTensor, uploadTensor, type Tensor } from '../tensor/tensor.js';
import { keep, tidy } from '../tensor/tracking.js';
import type { CVAE, Gaussian } from './cvae.js';

export interface PerturbationSetOptions {
  /** Radius ε of the latent l2 ball. */
  epsilon: number;
  /**
   * Reproduce the reference code's projection `z.renorm(2, 1, ε)` (which clips each latent
   * coordinate across the batch) instead of the per-sample projection of the paper.
   */
  referenceCompat?: boolean;
}

/**
 * A learned perturbation set S(x) = {g(z, x) : ‖z‖₂ ≤ ε} (Wong & Kolter 2020), where
 * g(z, x) = decode(x, μ(x) + σ(x)·z) folds the prior's reparameterisation into the generator, so
 * z lives in one standard-normal latent space for every x.
 */
export class PerturbationSet {
  readonly cvae: CVAE;
  readonly epsilon: number;
  readonly referenceCompat: boolean;

  constructor(cvae: CVAE, opts: PerturbationSetOptions) {
    if (!(opts && opts.epsilon > 0) || !Number.isFinite(opts.epsilon)) throw new RangeError(`PerturbationSet: epsilon must be a positive finite number, got ${opts?.epsilon}`);
    this.cvae = cvae;
    this.epsilon = opts.epsilon;
    this.referenceCompat = opts.referenceCompat ?? false;
  }

  /** Latent batch shape [B, ...latent] for B images. */
  latentShape(batch: number): number[] {
    return [batch, ...this.cvae.latentShape];
  }

  /** The prior of x with σ = exp(logvar / 2), for repeated generation at fixed x (see `conditioned`). */
  private priorScale(x: Tensor): { mu: Tensor; sigma: Tensor } {
    return tidy(() => {
      const prior: Gaussian = this.cvae.prior(x);
      const sigma = fused('PerturbationSet', { expr: 'exp(0.5 * l)', grads: { l: '0.5 * y * dy' } }, [{ name: 'l', value: prior.logvar }]);
      return { mu: prior.mu, sigma };
    });
  }

  /** g(z, x) = decode(x, μ(x) + σ(x)·z); differentiable in z (and the model). */
  generate(x: Tensor, z: Tensor): Tensor {
    this.cvae.checkImages('PerturbationSet.generate', x);
    this.cvae.checkLatent('PerturbationSet.generate', z, x.shape[0]!);
    return tidy(() => {
      const { mu, sigma } = this.priorScale(x);
      return this.cvae.decode(x, latentFromStandard(mu, sigma, z));
    });
  }

  /**
   * The set at fixed x: the prior is computed once and `generate(z)` only runs the decoder — what
   * attacks and approximation-error searches call in their loops. Dispose it when done.
   */
  conditioned(x: Tensor): ConditionedSet {
    this.cvae.checkImages('PerturbationSet.conditioned', x);
    const { mu, sigma } = this.priorScale(x);
    return new ConditionedSet(this, x, keep(mu), keep(sigma));
  }

  /**
   * Random members of the set: z from N(0, I) truncated to ‖z‖ ≤ ε ('ball', default) or per
   * coordinate ('coordinate', the reference's eval), then g(z, x). With `n`, n samples per image
   * come back as [n, B, C, H, W]; without, one per image, [B, C, H, W].
   */
  sample(x: Tensor, key: Key, opts: { n?: number; mode?: TruncatedNormalOptions['mode'] } = {}): Tensor {
    this.cvae.checkImages('PerturbationSet.sample', x);
    const n = opts.n;
    if (n !== undefined && (!Number.isInteger(n) || n < 1)) throw new RangeError(`PerturbationSet.sample: n must be a positive integer, got ${n}`);
    const B = x.shape[0]!;
    return tidy(() => {
      const xs = n === undefined ? x : repeatBatch(x, n);
      const z = truncatedNormal(key, this.latentShape(xs.shape[0]!), this.epsilon, { mode: opts.mode });
      const out = this.generate(xs, z);
      return n === undefined ? out : reshape(out, [n, B, ...x.shape.slice(1)]);
    });
  }

  /** The latent code of a perturbed pair: (μ_posterior(x, x̃) − μ_prior(x)) / σ_prior(x) (posterior mean, standardised). */
  encode(x: Tensor, xt: Tensor): Tensor {
    return tidy(() => {
      const { mu, sigma } = this.priorScale(x);
      const posterior = this.cvae.recognition(x, xt);
      return fused('PerturbationSet.encode', { expr: '(q - m) / s', grads: { q: 'dy / s', m: '-dy / s', s: '-dy * (q - m) / (s * s)' } }, [
        { name: 'q', value: posterior.mu },
        { name: 'm', value: mu },
        { name: 's', value: sigma },
      ]);
    });
  }

  /** Projects latent codes onto the set's ball: per sample (default), or the reference's renorm(2, 1, ε). */
  project(z: Tensor): Tensor {
    assertTensor('PerturbationSet.project', z, 'z');
    if (!this.referenceCompat) return projectL2(z, this.epsilon);
    return renorm(z, 2, 1, this.epsilon);
  }

  /** g(z(t), x) along the segment z(t) = z0 + t·(z1 − z0), t = 0 … 1 in `steps` points: [steps, B, C, H, W]. */
  interpolate(x: Tensor, z0: Tensor, z1: Tensor, steps: number): Tensor {
    if (!Number.isInteger(steps) || steps < 2) throw new RangeError(`PerturbationSet.interpolate: steps must be an integer ≥ 2, got ${steps}`);
    assertTensor('PerturbationSet.interpolate', z0, 'z0');
    assertTensor('PerturbationSet.interpolate', z1, 'z1');
    if (!shapeEquals(z0.shape, z1.shape)) throw new Error(`PerturbationSet.interpolate: z0 ${fmtShape(z0.shape)} and z1 ${fmtShape(z1.shape)} differ`);
    const B = x.shape[0]!;
    return tidy(() => {
      const set = this.conditioned(repeatBatch(x, steps));
      try {
        const t = Float32Array.from({ length: steps * B }, (_, i) => Math.floor(i / B) / (steps - 1));
        const tt = reshape(uploadFloat(t), [steps * B, ...z0.shape.slice(1).map(() => 1)]);
        const a = repeatBatch(z0, steps);
        const b = repeatBatch(z1, steps);
        const z = fused('PerturbationSet.interpolate', { expr: 'a + t * (b - a)', grads: {} }, [
          { name: 'a', value: a },
          { name: 'b', value: b },
          { name: 't', value: tt },
        ]);
        return reshape(set.generate(z), [steps, B, ...x.shape.slice(1)]);
      } finally {
        set.dispose();
      }
    });
  }
}

/** The set at one fixed batch x, with its prior computed once. */
export class ConditionedSet {
  readonly set: PerturbationSet;
  readonly x: Tensor;
  readonly mu: Tensor;
  readonly sigma: Tensor;
  constructor(set: PerturbationSet, x: Tensor, mu: Tensor, sigma: Tensor) {
    this.set = set;
    this.x = x;
    this.mu = mu;
    this.sigma = sigma;
  }
  generate(z: Tensor): Tensor {
    this.set.cvae.checkLatent('ConditionedSet.generate', z, this.x.shape[0]!);
    return tidy(() => this.set.cvae.decode(this.x, latentFromStandard(this.mu, this.sigma, z)));
  }
  dispose(): void {
    this.mu.dispose();
    this.sigma.dispose();
  }
}

/** μ + σ·z (broadcasting μ, σ over z's batch when they hold one example). */
export function latentFromStandard(mu: Tensor, sigma: Tensor, z: Tensor): Tensor {
  return fused('PerturbationSet.generate', { expr: 'm + s * z', grads: { m: 'dy', s: 'dy * z', z: 'dy * s' } }, [
    { name: 'm', value: mu },
    { name: 's', value: sigma },
    { name: 'z', value: z },
  ]);
}

/** x repeated n times along the batch axis, sample-major: [n·B, ...] (copy n of image b at n·B + b). */
export function repeatBatch(x: Tensor, n: number): Tensor {
  const B = x.shape[0]!;
  const index = Int32Array.from({ length: n * B }, (_, i) => i % B);
  return gatherRows(x, index);
}

function uploadFloat(data: Float32Array): Tensor {
  return uploadTensor(data, [data.length], 'float32');
}
