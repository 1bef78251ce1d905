import { inEvalMode } from '../nn/eval-mode.js';
import { valueAndGrad, noGrad } from '../autograd/grad.js';
import { binary } from '../ops/elementwise.js';
import { fused } from '../ops/fused.js';
import { l2Norm } from '../ops/norms.js';
import { mean, sum } from '../ops/reduce.js';
import { reshape } from '../ops/shape-ops.js';
import { Adam } from '../optim/adam.js';
import { foldIn, key as makeKey, split, type Key } from '../random/key.js';
import { normal, uniform } from '../random/sample.js';
import { truncatedNormal, type TruncatedNormalOptions } from '../random/truncated.js';
import { assign } from '../tensor/assign.js';
import { full } from '../tensor/creation.js';
import { fmtShape, shapeEquals } from '../tensor/shape.js';
import { assertTensor, type Tensor } from '../tensor/tensor.js';
import { keep, tidy } from '../tensor/tracking.js';
import type { PerturbationSet } from './perturbation-set.js';

export interface ApproximationResult {
  /** Error per example (mean over pixels). */
  perSample: Float32Array;
  /** Mean over examples. */
  mean: number;
}

export type ErrorMeasure = 'mse' | 'bce';

/** Per-sample mean error between generated images and targets: [B]. */
export function perSampleError(generated: Tensor, target: Tensor, measure: ErrorMeasure = 'mse'): Tensor {
  const expr =
    measure === 'mse'
      ? { expr: '(g - t) * (g - t)', grads: { g: '2.0 * dy * (g - t)' } }
      : { expr: '-(t * nan_max(log(g), -100.0) + (1.0 - t) * nan_max(log(1.0 - g), -100.0))', grads: { g: 'dy * (g - t) / max((1.0 - g) * g, 1e-12)' } };
  const e = fused('perSampleError', expr, [
    { name: 'g', value: generated },
    { name: 't', value: target },
  ]);
  const m = mean(e, [...Array(e.rank).keys()].slice(1));
  e.dispose();
  return m;
}

function checkPair(op: string, set: PerturbationSet, x: Tensor, xt: Tensor): void {
  set.cvae.checkImages(op, x);
  assertTensor(op, xt, 'xt');
  if (!shapeEquals(x.shape, xt.shape)) throw new Error(`${op}: x ${fmtShape(x.shape)} and xt ${fmtShape(xt.shape)} must have the same shape`);
}

export interface ApproximationOptions {
  /** Optimisation steps (reference eval: 50). */
  steps?: number;
  /** PGD step size (default ε/20, as the reference eval configs). */
  alpha?: number;
  /** Start from the projected posterior mean (default) or a random point of the ball. */
  init?: 'posterior' | 'random';
  /** Normalised-gradient PGD (reference) or Adam with projection (the blog's notebook). */
  optimizer?: 'pgd' | 'adam';
  /** Adam learning rate (default 0.1, as the blog). */
  lr?: number;
  /** Error measure (default 'mse'; 'bce' for Bernoulli models as the reference's fast error). */
  measure?: ErrorMeasure;
  /** Randomness for init = 'random'. */
  key?: Key;
}

/**
 * Necessary-subset approximation error (Wong & Kolter 2020, §4.1): for each pair (x, x̃),
 * min over ‖z‖₂ ≤ ε of err(g(z, x), x̃), by projected first-order search in the latent space.
 * Reports, per example, the smallest error found over all iterates (an upper bound on the true
 * minimum; the reference logs the last iterate's).
 */
export async function approximationError(set: PerturbationSet, x: Tensor, xt: Tensor, opts: ApproximationOptions = {}): Promise<ApproximationResult> {
  return inEvalMode(set.cvae, () => searchApproximationError(set, x, xt, opts));
}

async function searchApproximationError(set: PerturbationSet, x: Tensor, xt: Tensor, opts: ApproximationOptions): Promise<ApproximationResult> {
  const op = 'approximationError';
  checkPair(op, set, x, xt);
  const steps = opts.steps ?? 50;
  const alpha = opts.alpha ?? set.epsilon / 20;
  const measure = opts.measure ?? 'mse';
  const method = opts.optimizer ?? 'pgd';
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`${op}: steps must be a non-negative integer, got ${steps}`);
  if (!(alpha > 0)) throw new RangeError(`${op}: alpha must be > 0, got ${alpha}`);
  if (method !== 'pgd' && method !== 'adam') throw new Error(`${op}: optimizer must be 'pgd' or 'adam', got '${String(method)}'`);
  const B = x.shape[0]!;
  const cond = set.conditioned(x);
  const z = keep(tidy(() => (opts.init ?? 'posterior') === 'posterior' ? set.project(set.encode(x, xt)) : randomInBall(set, B, opts.key ?? makeKey(0))));
  const best = keep(full([B], Infinity));
  const adam = method === 'adam' ? new Adam([z], { lr: opts.lr ?? 0.1 }) : null;
  try {
    const objective = (zz: Tensor): [Tensor, Tensor] => {
      const errors = perSampleError(cond.generate(zz), xt, measure);
      return [sum(errors), errors];
    };
    for (let t = 0; t < steps; t++) {
      tidy(() => {
        const [[, errors], grad] = valueAndGrad(objective, { hasAux: true })(z) as [[Tensor, Tensor], Tensor];
        assign(best, binary('minimum', best, errors));
        if (adam) {
          adam.step([grad]);
          assign(z, set.project(z));
        } else {
          // Descent along the per-sample normalised gradient, then back onto the ball.
          const norms = reshape(l2Norm(grad), [B, ...z.shape.slice(1).map(() => 1)]);
          const moved = fused(op, { expr: 'z - a * select(0.0, g / n, n > 0.0)', grads: {} }, [
            { name: 'z', value: z },
            { name: 'g', value: grad },
            { name: 'n', value: norms },
            { name: 'a', value: alpha },
          ]);
          assign(z, set.project(moved));
        }
      });
    }
    noGrad(() => tidy(() => assign(best, binary('minimum', best, perSampleError(cond.generate(z), xt, measure)))));
    const perSample = (await best.data()) as Float32Array;
    return { perSample, mean: average(perSample) };
  } finally {
    cond.dispose();
    z.dispose();
    best.dispose();
    adam?.dispose();
  }
}

/** Random start inside the ball, as the reference attacks draw it: a Gaussian direction with radius ε·U(0, 1). */
export function randomInBall(set: PerturbationSet, batch: number, key: Key): Tensor {
  const [kd, kr] = split(key, 2) as [Key, Key];
  const shape = set.latentShape(batch);
  const direction = normal(kd, shape);
  const radius = reshape(uniform(kr, [batch], 0, set.epsilon), [batch, ...shape.slice(1).map(() => 1)]);
  const norms = reshape(l2Norm(direction), [batch, ...shape.slice(1).map(() => 1)]);
  return fused('randomInBall', { expr: 'd * r / n', grads: {} }, [
    { name: 'd', value: direction },
    { name: 'r', value: radius },
    { name: 'n', value: norms },
  ]);
}

export interface ExpectedApproximationOptions {
  /** Latent samples per example (default 10, as the blog). */
  samples?: number;
  mode?: TruncatedNormalOptions['mode'];
  measure?: ErrorMeasure;
}

/**
 * Sufficient-likelihood check (§4.2): the expected error E_{z ~ p_ε}[err(g(z, x), x̃)] with p_ε the
 * standard normal truncated to the ε-ball, estimated by sampling.
 */
export async function expectedApproximationError(set: PerturbationSet, x: Tensor, xt: Tensor, key: Key, opts: ExpectedApproximationOptions = {}): Promise<ApproximationResult> {
  return inEvalMode(set.cvae, () => sampleApproximationError(set, x, xt, key, opts));
}

async function sampleApproximationError(set: PerturbationSet, x: Tensor, xt: Tensor, key: Key, opts: ExpectedApproximationOptions): Promise<ApproximationResult> {
  const op = 'expectedApproximationError';
  checkPair(op, set, x, xt);
  const samples = opts.samples ?? 10;
  if (!Number.isInteger(samples) || samples < 1) throw new RangeError(`${op}: samples must be a positive integer, got ${samples}`);
  const B = x.shape[0]!;
  const cond = set.conditioned(x);
  const total = keep(full([B], 0));
  try {
    for (let s = 0; s < samples; s++) {
      noGrad(() =>
        tidy(() => {
          const z = truncatedNormal(foldIn(key, s), set.latentShape(B), set.epsilon, { mode: opts.mode });
          assign(total, binary('add', total, perSampleError(cond.generate(z), xt, opts.measure ?? 'mse')));
        }),
      );
    }
    const sums = (await total.data()) as Float32Array;
    const perSample = sums.map((v) => v / samples);
    return { perSample, mean: average(perSample) };
  } finally {
    cond.dispose();
    total.dispose();
  }
}

function average(values: Float32Array): number {
  let s = 0;
  for (const v of values) s += v;
  return values.length ? s / values.length : NaN;
}
