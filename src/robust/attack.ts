import { valueAndGrad, noGrad } from '../autograd/grad.js';
import { binary, compare, where } from '../ops/elementwise.js';
import { fused } from '../ops/fused.js';
import { crossEntropy } from '../ops/losses.js';
import { l2Norm } from '../ops/norms.js';
import { argmax, sum } from '../ops/reduce.js';
import { reshape } from '../ops/shape-ops.js';
import { randomInBall } from '../perturbation/approximation.js';
import type { PerturbationSet } from '../perturbation/perturbation-set.js';
import { key as makeKey, type Key } from '../random/key.js';
import { assign } from '../tensor/assign.js';
import { zeros, full } from '../tensor/creation.js';
import { fmtShape } from '../tensor/shape.js';
import { assertTensor, type Tensor } from '../tensor/tensor.js';
import { keep, tidy } from '../tensor/tracking.js';
import { assertClassifier, checkLabels, classify, readLabels, type Classifier } from './classifier.js';

export interface LatentPGDOptions {
  /** Latent radius (default: the set's ε). */
  epsilon?: number;
  /** Step size along the normalised gradient (default ε/20, as the reference eval attacks). */
  alpha?: number;
  steps?: number;
  /** Start at a random point of the ball (direction ~ N(0, I), radius ε·U(0, 1)) instead of z = 0. */
  randomInit?: boolean;
  /** Freeze samples once misclassified, and stop when all are (reference CVAE_attack). Default true. */
  earlyStop?: boolean;
  key?: Key;
  /** Project with the reference's renorm(2, 1, ε) instead of per sample. */
  referenceCompat?: boolean;
}

export interface LatentPGDResult {
  /** g(z, x) at the returned latent codes [B, C, H, W]. */
  xAdv: Tensor;
  /** The latent codes [B, ...latent], each inside its ε-ball. */
  z: Tensor;
  /** Whether the classifier misclassifies xAdv, per example. */
  success: boolean[];
  /** Gradient steps taken (fewer than `steps` when every example was fooled early; 0 if all were at the start). */
  iterations: number;
}

/**
 * Projected gradient ascent on the cross-entropy in the latent space of a perturbation set
 * (the reference `CVAE_attack`; the blog's "Adversarial examples for learned perturbation sets"):
 * z ← Π(z + α·∇/‖∇‖₂) per sample, Π the projection onto ‖z‖₂ ≤ ε. Each example returns its best
 * iterate: a misclassified one if any (the highest-loss one among them), else the one with the
 * highest loss. So the returned loss is never below the starting loss, except where a correctly
 * classified start is traded for a misclassified iterate of lower loss (possible with > 2 classes).
 * With `earlyStop`, examples already misclassified keep their z exactly (also under the
 * column-wise `referenceCompat` projection, like the reference's `delta[I] = renorm(delta)[I]`).
 */
export async function latentPGD(set: PerturbationSet, classifier: Classifier, x: Tensor, y: Tensor, opts: LatentPGDOptions = {}): Promise<LatentPGDResult> {
  return runLatentPGD(set, classifier, x, y, opts);
}

/** latentPGD for callers that already hold the labels on the CPU (saves the labels' readback). Internal. */
export async function runLatentPGD(
  set: PerturbationSet,
  classifier: Classifier,
  x: Tensor,
  y: Tensor,
  opts: LatentPGDOptions = {},
  hostLabels?: Int32Array,
  /** The op named when a label is out of range (the caller's, when it passes its labels). */
  labelsOp = 'latentPGD',
): Promise<LatentPGDResult> {
  const op = 'latentPGD';
  assertClassifier(op, classifier);
  set.cvae.checkImages(op, x);
  assertTensor(op, y, 'y');
  const B = x.shape[0]!;
  if (y.dtype !== 'int32' || y.rank !== 1 || y.shape[0] !== B) throw new Error(`${op}: labels must be int32 [${B}], got ${y.dtype} ${fmtShape(y.shape)}`);
  const epsilon = opts.epsilon ?? set.epsilon;
  if (!(epsilon > 0) || !Number.isFinite(epsilon)) throw new RangeError(`${op}: epsilon must be a positive finite number, got ${epsilon}`);
  const alpha = opts.alpha ?? epsilon / 20;
  if (!(alpha > 0) || !Number.isFinite(alpha)) throw new RangeError(`${op}: alpha must be a positive finite number, got ${alpha}`);
  const steps = opts.steps ?? 10;
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`${op}: steps must be a non-negative integer, got ${steps}`);
  const earlyStop = opts.earlyStop ?? true;
  // One small readback; the range is checked once the first forward pass tells the number of classes.
  const labels = hostLabels ?? (await readLabels(y));
  let labelsChecked = false;
  const attackSet = epsilon === set.epsilon && opts.referenceCompat === undefined ? set : new (set.constructor as typeof PerturbationSet)(set.cvae, { epsilon, referenceCompat: opts.referenceCompat ?? set.referenceCompat });
  const latent = set.latentShape(B);
  const perSample = [B, ...latent.slice(1).map(() => 1)];

  const cond = attackSet.conditioned(x);
  const z = keep(opts.randomInit ? tidy(() => attackSet.project(randomInBall(attackSet, B, opts.key ?? makeKey(0)))) : zeros(latent));
  const bestZ = keep(tidy(() => binary('add', z, 0)));
  const bestLoss = keep(full([B], -Infinity));
  const bestFooled = keep(full([B], -1));
  let iterations = 0;
  try {
    // Per-example loss and correctness at z; the gradient of the mean loss.
    const objective = (zz: Tensor): [Tensor, [Tensor, Tensor]] => {
      const logits = classify(op, classifier, cond.generate(zz));
      if (!labelsChecked) {
        checkLabels(labelsOp, labels, logits.shape[1]!);
        labelsChecked = true;
      }
      const losses = crossEntropy(logits, y, { reduction: 'none' });
      const correct = compare('equal', argmax(logits, 1), y);
      return [binary('mul', sum(losses), 1 / B), [losses, correct]];
    };
    for (let t = 0; t <= steps; t++) {
      const last = t === steps;
      const stillCorrect = tidy(() => {
        let losses: Tensor;
        let correct: Tensor;
        let grad: Tensor | null = null;
        if (last) {
          // The last point is only evaluated: no gradient needed.
          [, [losses, correct]] = noGrad(() => objective(z));
        } else {
          [[, [losses, correct]], grad] = valueAndGrad(objective, { hasAux: true })(z) as [[Tensor, [Tensor, Tensor]], Tensor];
        }
        // Keep the best iterate per example: fooled beats not fooled, then the higher loss wins.
        const better = fused(op, { expr: 'select(0.0, 1.0, (1.0 - c) > f || ((1.0 - c) == f && l > b))', grads: {} }, [
          { name: 'c', value: correct },
          { name: 'f', value: bestFooled },
          { name: 'l', value: losses },
          { name: 'b', value: bestLoss },
        ]);
        assign(bestLoss, where(better, losses, bestLoss));
        assign(bestFooled, where(better, binary('sub', 1, correct), bestFooled));
        assign(bestZ, where(reshape(better, perSample), z, bestZ));
        if (grad === null) return null;
        const moving = earlyStop ? reshape(correct, perSample) : null;
        const norms = reshape(l2Norm(grad), perSample);
        const stepped = fused(op, { expr: 'z + a * m * select(0.0, g / n, n > 0.0)', grads: {} }, [
          { name: 'z', value: z },
          { name: 'g', value: grad },
          { name: 'n', value: norms },
          { name: 'm', value: moving ?? 1 },
          { name: 'a', value: alpha },
        ]);
        const projected = attackSet.project(stepped);
        // Fooled examples keep their z exactly: the reference's column-wise projection (renorm
        // over the batch, frozen rows included in the norms) is applied to the moving rows only.
        assign(z, moving ? where(moving, projected, z) : projected);
        return moving ? keep(sum(correct)) : null;
      });
      if (last) break;
      if (stillCorrect) {
        const count = await stillCorrect.item();
        stillCorrect.dispose();
        // Every example was already fooled at this point: the step just taken moved nothing.
        if (count === 0) break;
      }
      iterations++;
    }
    const xAdv = noGrad(() => cond.generate(bestZ));
    const fooled = noGrad(() => tidy(() => compare('notEqual', argmax(classify(op, classifier, xAdv), 1), y)));
    const success = Array.from(await fooled.data(), (v) => v === 1);
    fooled.dispose();
    return { xAdv, z: bestZ, success, iterations };
  } catch (err) {
    bestZ.dispose();
    throw err;
  } finally {
    cond.dispose();
    z.dispose();
    bestLoss.dispose();
    bestFooled.dispose();
  }
}
