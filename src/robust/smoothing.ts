import { noGrad } from '../autograd/grad.js';
import { binary, compare } from '../ops/elementwise.js';
import { argmax, sum } from '../ops/reduce.js';
import { reshape } from '../ops/shape-ops.js';
import { gatherRows } from '../ops/gather.js';
import { latentFromStandard, type PerturbationSet } from '../perturbation/perturbation-set.js';
import { assertKey, foldIn, split, type Key } from '../random/key.js';
import { normal } from '../random/sample.js';
import { binomTest, clopperPearson } from '../stats/binomial.js';
import { normPpf } from '../stats/normal.js';
import { arange, zeros } from '../tensor/creation.js';
import { assign } from '../tensor/assign.js';
import { keep, tidy } from '../tensor/tracking.js';
import type { Tensor } from '../tensor/tensor.js';
import { assertClassifier, classify, type Classifier } from './classifier.js';

/** The class returned when the smoothed classifier abstains. */
export const ABSTAIN = -1;

export interface SmoothingOptions {
  /** Noise level σ in the standardised latent space. */
  sigma: number;
  /** Samples through the generator and classifier per GPU batch (bounds memory whatever n is). */
  batchSize?: number;
}

function checkCommon(op: string, set: PerturbationSet, classifier: Classifier, x: Tensor, key: Key, opts: SmoothingOptions): void {
  assertClassifier(op, classifier);
  set.cvae.checkImages(op, x);
  assertKey(op, key);
  if (!(opts.sigma > 0) || !Number.isFinite(opts.sigma)) throw new RangeError(`${op}: sigma must be a positive finite number, got ${opts.sigma}`);
  const bs = opts.batchSize ?? 250;
  if (!Number.isInteger(bs) || bs < 1) throw new RangeError(`${op}: batchSize must be a positive integer, got ${bs}`);
}

function checkCount(op: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${op}: ${name} must be an integer ≥ 1, got ${v}`);
}

function checkAlpha(op: string, alpha: number): void {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`${op}: alpha must be in (0, 1), got ${alpha}`);
}

/**
 * Class votes of the smoothed classifier for each example of x: `n` draws of latent noise
 * z = σ·ξ, ξ ~ N(0, I) (so the latent code is μ(x) + σ(x)·σξ), decoded and classified. Votes
 * are accumulated on the GPU in batches of `batchSize` samples; only the [B, C] counts are read.
 */
async function countVotes(op: string, set: PerturbationSet, classifier: Classifier, x: Tensor, key: Key, n: number, opts: SmoothingOptions): Promise<{ counts: Int32Array; classes: number }> {
  checkCommon(op, set, classifier, x, key, opts);
  checkCount(op, 'n', n);
  const B = x.shape[0]!;
  const batchSize = opts.batchSize ?? 250;
  let counts: Tensor | null = null;
  let classes = 0;
  try {
    for (let b = 0; b < B; b++) {
      const exampleKey = foldIn(key, b);
      const single = gatherRows(x, [b]);
      // The prior of this example is computed once and broadcast over its samples.
      const cond = set.conditioned(single);
      try {
        for (let done = 0, chunk = 0; done < n; done += batchSize, chunk++) {
          const m = Math.min(batchSize, n - done);
          noGrad(() =>
            tidy(() => {
              const xs = gatherRows(single, new Int32Array(m));
              const noise = normal(foldIn(exampleKey, chunk), set.latentShape(m), { std: opts.sigma });
              const logits = classify(op, classifier, set.cvae.decode(xs, latentFromStandard(cond.mu, cond.sigma, noise)));
              if (counts === null) {
                classes = logits.shape[1]!;
                counts = keep(zeros([B, classes]));
              } else if (logits.shape[1] !== classes) {
                throw new Error(`${op}: the classifier returned ${logits.shape[1]} classes, earlier ${classes}`);
              }
              // One-hot votes [m, C], summed over the samples, added to row b of the counts.
              const votes = sum(compare('equal', reshape(argmax(logits, 1), [m, 1]), arange(classes)), 0);
              const row = binary('mul', compare('equal', reshape(arange(B), [B, 1]), b), votes);
              assign(counts, binary('add', counts, row));
            }),
          );
        }
      } finally {
        cond.dispose();
        single.dispose();
      }
    }
    const data = await (counts as unknown as Tensor).data();
    return { counts: Int32Array.from(data, (v) => Math.round(v)), classes };
  } finally {
    (counts as Tensor | null)?.dispose();
  }
}

/** Class votes [B × classes] of the smoothed classifier for each example of x, from n noise draws each. */
export function sampleVotes(set: PerturbationSet, classifier: Classifier, x: Tensor, key: Key, n: number, opts: SmoothingOptions): Promise<{ counts: Int32Array; classes: number }> {
  return countVotes('smoothing.sampleVotes', set, classifier, x, key, n, opts);
}

export interface PredictOptions extends SmoothingOptions {
  /** Samples per example (the reference passes n0 = 100). */
  n?: number;
  /** Abstain unless the top class wins the two-sided binomial test at this level (default 0.001). */
  alpha?: number;
}

/**
 * The smoothed classifier's prediction (Cohen et al. 2019, PREDICT): top class of the votes, or
 * ABSTAIN when the two-sided binomial test of c1 out of c1 + c2 against ½ has p-value > α.
 */
export async function predict(set: PerturbationSet, classifier: Classifier, x: Tensor, key: Key, opts: PredictOptions): Promise<Int32Array> {
  const op = 'smoothing.predict';
  checkCommon(op, set, classifier, x, key, opts);
  const n = opts.n ?? 100;
  checkCount(op, 'n', n);
  const alpha = opts.alpha ?? 0.001;
  checkAlpha(op, alpha);
  const { counts, classes } = await countVotes(op, set, classifier, x, key, n, opts);
  const B = x.shape[0]!;
  const out = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    const row = counts.subarray(b * classes, (b + 1) * classes);
    const order = Array.from(row.keys()).sort((i, j) => row[j]! - row[i]! || i - j);
    const c1 = row[order[0]!]!;
    const c2 = classes > 1 ? row[order[1]!]! : 0;
    out[b] = c1 + c2 > 0 && binomTest(c1, c1 + c2, 0.5) <= alpha ? order[0]! : ABSTAIN;
  }
  return out;
}

export interface CertifyOptions extends SmoothingOptions {
  /** Samples to select the top class (default 100). */
  n0?: number;
  /** Samples to estimate its probability (default 10,000). */
  n?: number;
  /** Failure probability (default 0.001). */
  alpha?: number;
}

export interface CertifyResult {
  /** Certified class per example, or ABSTAIN. */
  prediction: Int32Array;
  /** Certified l2 radius in the standardised latent space: σ·Φ⁻¹(pALower); 0 when abstaining. */
  radius: Float64Array;
  /** One-sided (1 − α) Clopper–Pearson lower bound on the top class's probability. */
  pALower: Float64Array;
  /** Votes for the selected class among the n estimation samples. */
  counts: Int32Array;
  /** All estimation votes, [B × classes] row-major. */
  classCounts: Int32Array;
}

/**
 * Certification of the smoothed classifier (Cohen et al. 2019, CERTIFY; the reference
 * smoothing_core.py in latent space): select ĉ from n0 samples, count it among n fresh samples,
 * lower-bound its probability by Clopper–Pearson at level α (two-sided at 2α), and certify radius
 * σ·Φ⁻¹(p_A) if p_A ≥ ½, else abstain. Statistics in float64.
 */
export async function certify(set: PerturbationSet, classifier: Classifier, x: Tensor, key: Key, opts: CertifyOptions): Promise<CertifyResult> {
  const op = 'smoothing.certify';
  checkCommon(op, set, classifier, x, key, opts);
  const n0 = opts.n0 ?? 100;
  const n = opts.n ?? 10000;
  checkCount(op, 'n0', n0);
  checkCount(op, 'n', n);
  const alpha = opts.alpha ?? 0.001;
  checkAlpha(op, alpha);
  const [selectKey, estimateKey] = split(key, 2) as [Key, Key];
  const selection = await countVotes(op, set, classifier, x, selectKey, n0, opts);
  const estimation = await countVotes(op, set, classifier, x, estimateKey, n, opts);
  const B = x.shape[0]!;
  const C = selection.classes;
  const result: CertifyResult = {
    prediction: new Int32Array(B),
    radius: new Float64Array(B),
    pALower: new Float64Array(B),
    counts: new Int32Array(B),
    classCounts: estimation.counts,
  };
  for (let b = 0; b < B; b++) {
    const row = selection.counts.subarray(b * C, (b + 1) * C);
    let cHat = 0;
    for (let c = 1; c < C; c++) if (row[c]! > row[cHat]!) cHat = c;
    const nA = estimation.counts[b * C + cHat]!;
    const pA = clopperPearson(nA, n, 2 * alpha)[0];
    result.counts[b] = nA;
    result.pALower[b] = pA;
    if (pA < 0.5) {
      result.prediction[b] = ABSTAIN;
      result.radius[b] = 0;
    } else {
      result.prediction[b] = cHat;
      result.radius[b] = opts.sigma * normPpf(pA);
    }
  }
  return result;
}
