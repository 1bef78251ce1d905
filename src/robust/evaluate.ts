import { noGrad } from '../autograd/grad.js';
import { batchIndices } from '../data/dataset.js';
import { compare } from '../ops/elementwise.js';
import { argmax, sum } from '../ops/reduce.js';
import type { PerturbationSet } from '../perturbation/perturbation-set.js';
import { foldIn, key as makeKey, type Key } from '../random/key.js';
import type { Tensor } from '../tensor/tensor.js';
import { tidy } from '../tensor/tracking.js';
import { runLatentPGD, type LatentPGDOptions } from './attack.js';
import { checkLabels, classify, readLabels, type Classifier } from './classifier.js';
import { fmtShape } from '../tensor/shape.js';
import { isTensor } from '../tensor/tensor.js';
import type { LabeledSource } from './train.js';

export interface EvaluateOptions {
  batchSize?: number;
  /** Evaluate on at most this many examples (the first ones). */
  limit?: number;
  /** Perturbed accuracy: the source's xt, or images from this function. */
  perturb?: (key: Key, x: Tensor) => Tensor;
  /** Out-of-distribution accuracy on images from this function (e.g. corruptions never trained on). */
  ood?: (key: Key, x: Tensor) => Tensor;
  /** Adversarial accuracy under latent PGD within `set` at each radius. */
  set?: PerturbationSet;
  epsilons?: readonly number[];
  attack?: Omit<LatentPGDOptions, 'epsilon'>;
  key?: Key;
}

export interface EvaluateResult {
  examples: number;
  clean: number;
  perturbed?: number;
  ood?: number;
  /** Accuracy under attack, keyed by radius. */
  adversarial?: Record<string, number>;
}

/** Clean, perturbed, out-of-distribution and adversarial accuracy — the columns of the paper's robustness tables. */
export async function evaluateClassifier(model: Classifier & { eval?: () => unknown }, data: LabeledSource, opts: EvaluateOptions = {}): Promise<EvaluateResult> {
  const op = 'evaluateClassifier';
  if ((opts.epsilons?.length ?? 0) > 0 && !opts.set) throw new Error(`${op}: adversarial accuracy needs a perturbation set (opts.set)`);
  for (const e of opts.epsilons ?? []) if (!(e > 0)) throw new RangeError(`${op}: epsilons must be > 0, got ${e}`);
  if (typeof model === 'object' && typeof model.eval === 'function') model.eval();
  // Each radius once (a repeated radius would count its examples twice).
  const epsilons = [...new Set(opts.epsilons ?? [])];
  const root = opts.key ?? makeKey(0);
  const n = Math.min(data.length, opts.limit ?? data.length);
  const correct = { clean: 0, perturbed: 0, ood: 0 } as Record<string, number>;
  const adversarial: Record<string, number> = {};
  let hasPerturbed = false;
  let classes = 0;
  const count = async (images: Tensor, y: Tensor): Promise<number> => {
    const hits = noGrad(() =>
      tidy(() => {
        const logits = classify(op, model, images);
        classes = logits.shape[1]!;
        return sum(compare('equal', argmax(logits, 1), y));
      }),
    );
    const v = await hits.item();
    hits.dispose();
    return v;
  };
  let step = 0;
  for (const indices of batchIndices(n, opts.batchSize ?? 256)) {
    const k = foldIn(root, step++);
    const batch = data.batch(indices, k);
    let perturbed: Tensor | null = null;
    try {
      const B = batch.x.shape[0]!;
      if (!isTensor(batch.y) || batch.y.dtype !== 'int32' || batch.y.rank !== 1 || batch.y.shape[0] !== B) {
        throw new Error(`${op}: the data source must give int32 labels [${B}], got ${isTensor(batch.y) ? `${batch.y.dtype} ${fmtShape(batch.y.shape)}` : typeof batch.y}`);
      }
      // The labels come back with the clean count (same round trip); checked against the classes the forward pass found.
      const [hits, labels] = await Promise.all([count(batch.x, batch.y), readLabels(batch.y)]);
      checkLabels(op, labels, classes);
      correct.clean! += hits;
      perturbed = batch.xt ?? (opts.perturb ? opts.perturb(foldIn(k, 1), batch.x) : null);
      if (perturbed) {
        hasPerturbed = true;
        correct.perturbed! += await count(perturbed, batch.y);
      }
      if (opts.ood) {
        const o = opts.ood(foldIn(k, 2), batch.x);
        try {
          correct.ood! += await count(o, batch.y);
        } finally {
          o.dispose();
        }
      }
      for (const eps of epsilons) {
        const result = await runLatentPGD(opts.set!, model, batch.x, batch.y, { ...opts.attack, epsilon: eps, key: foldIn(k, 3) }, labels, op);
        adversarial[String(eps)] = (adversarial[String(eps)] ?? 0) + result.success.filter((s) => !s).length;
        result.xAdv.dispose();
        result.z.dispose();
      }
    } finally {
      for (const t of new Set([batch.x, batch.y, batch.xt, perturbed])) t?.dispose();
    }
  }
  const out: EvaluateResult = { examples: n, clean: correct.clean! / n };
  if (hasPerturbed) out.perturbed = correct.perturbed! / n;
  if (opts.ood) out.ood = correct.ood! / n;
  if (epsilons.length) out.adversarial = Object.fromEntries(Object.entries(adversarial).map(([e, c]) => [e, c / n]));
  return out;
}
