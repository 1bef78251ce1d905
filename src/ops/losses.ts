import { fmtShape, shapeEquals } from '../tensor/shape.js';
import { assertTensor, type Tensor } from '../tensor/tensor.js';
import { arange } from '../tensor/creation.js';
import { compare } from './elementwise.js';
import { fused } from './fused.js';
import { logSoftmax } from './softmax.js';
import { mean, sum } from './reduce.js';
import { reshape } from './shape-ops.js';

export type Reduction = 'mean' | 'sum' | 'none';

export interface LossOptions {
  reduction?: Reduction;
}

function reduce(op: string, perElement: Tensor, reduction: Reduction | undefined): Tensor {
  const r = reduction ?? 'mean';
  if (r === 'none') return perElement;
  if (r !== 'mean' && r !== 'sum') throw new Error(`${op}: reduction must be 'mean', 'sum' or 'none', got '${String(r)}'`);
  const out = r === 'mean' ? mean(perElement) : sum(perElement);
  perElement.dispose();
  return out;
}

function assertSameShape(op: string, a: Tensor, b: Tensor, names: [string, string]): void {
  assertTensor(op, a, names[0]);
  assertTensor(op, b, names[1]);
  if (!shapeEquals(a.shape, b.shape)) throw new Error(`${op}: ${names[0]} ${fmtShape(a.shape)} and ${names[1]} ${fmtShape(b.shape)} must have the same shape`);
  if (a.dtype !== 'float32' || b.dtype !== 'float32') throw new TypeError(`${op}: needs float32 tensors, got ${a.dtype} and ${b.dtype}`);
}

/** Squared error (F.mse_loss). */
export function mseLoss(input: Tensor, target: Tensor, opts: LossOptions = {}): Tensor {
  assertSameShape('mseLoss', input, target, ['input', 'target']);
  const se = fused('mseLoss', { expr: '(a - b) * (a - b)', grads: { a: '2.0 * dy * (a - b)', b: '-2.0 * dy * (a - b)' } }, [
    { name: 'a', value: input },
    { name: 'b', value: target },
  ]);
  return reduce('mseLoss', se, opts.reduction);
}

/**
 * Binary cross-entropy of probabilities (F.binary_cross_entropy): each log is clamped at −100 as
 * in PyTorch, and the input gradient is (p − t) / max((1 − p)·p, 1e−12) like its backward.
 * log(1 − p) is log1p(−p) (as in PyTorch), and log p near 1 is log1p(p − 1): WGSL's log is only
 * promised to 2^-21 absolute near 1, which is a large relative error for losses near 0. A
 * subnormal p is scaled by 2^24 first (lavapipe's log of a subnormal is about −88, whatever it is),
 * and p = 0 and 1 give −100 explicitly (WGSL leaves log(0) undefined: SwiftShader's is −88).
 * The target gradient is the derivative of this (clamped) loss: finite at p = 0 and 1, where
 * PyTorch's −logit(p) is infinite.
 */
export function bceLoss(input: Tensor, target: Tensor, opts: LossOptions = {}): Tensor {
  assertSameShape('bceLoss', input, target, ['input', 'target']);
  const logP = 'select(nan_max(select(select(log(p), log1p_f32(p - 1.0), p > 0.5), log(p * 16777216.0) - 16.635532, p < 1.17549435e-38), -100.0), -100.0, p == 0.0)';
  const log1mP = 'select(nan_max(log1p_f32(-p), -100.0), -100.0, p == 1.0)';
  const bce = fused(
    'bceLoss',
    {
      // NaN in, NaN out (SwiftShader's log(NaN) is finite).
      expr: `select(-(t * ${logP} + (1.0 - t) * ${log1mP}), nan_f32(), is_nan(p) || is_nan(t))`,
      grads: { p: 'dy * (p - t) / max((1.0 - p) * p, 1e-12)', t: `dy * (${log1mP} - ${logP})` },
    },
    [
      { name: 'p', value: input },
      { name: 't', value: target },
    ],
  );
  return reduce('bceLoss', bce, opts.reduction);
}

/**
 * Cross-entropy of logits [B, C] against int32 class labels [B] (F.cross_entropy). A label
 * outside [0, C) gives NaN for its sample instead of a silently wrong loss.
 */
export function crossEntropy(logits: Tensor, labels: Tensor, opts: LossOptions = {}): Tensor {
  const op = 'crossEntropy';
  assertTensor(op, logits, 'logits');
  assertTensor(op, labels, 'labels');
  if (logits.rank !== 2 || logits.dtype !== 'float32') throw new Error(`${op}: logits must be float32 [B, C], got ${logits.dtype} ${fmtShape(logits.shape)}`);
  if (labels.dtype !== 'int32') throw new TypeError(`${op}: labels must be int32 class indices, got ${labels.dtype}`);
  const [B, C] = logits.shape as [number, number];
  if (labels.rank !== 1 || labels.shape[0] !== B) throw new Error(`${op}: labels must be [${B}] for logits ${fmtShape(logits.shape)}, got ${fmtShape(labels.shape)}`);
  const logp = logSoftmax(logits, 1);
  const classes = arange(C);
  const column = reshape(labels, [B, 1]);
  const onehot = compare('equal', classes, column);
  const picked = fused('crossEntropy', { expr: '-l * h', grads: { l: '-dy * h' } }, [
    { name: 'l', value: logp },
    { name: 'h', value: onehot },
  ]);
  const summed = sum(picked, 1);
  const hits = sum(onehot, 1);
  const nll = fused('crossEntropy', { expr: 'select(nan_f32(), v, n == 1.0)', grads: { v: 'dy' } }, [
    { name: 'v', value: summed },
    { name: 'n', value: hits },
  ]);
  for (const t of [logp, classes, column, onehot, picked, summed, hits]) t.dispose();
  return reduce(op, nll, opts.reduction);
}

/**
 * KL(N(μ0, e^{lv0}) ‖ N(μ1, e^{lv1})) per sample, summed over all non-batch axes:
 * ½ Σ [e^{lv0 − lv1} + (μ1 − μ0)² e^{−lv1} − 1 + lv1 − lv0].
 */
export function klDiagGaussians(mu0: Tensor, logvar0: Tensor, mu1: Tensor, logvar1: Tensor): Tensor {
  const op = 'klDiagGaussians';
  const all = [mu0, logvar0, mu1, logvar1];
  const names = ['mu0', 'logvar0', 'mu1', 'logvar1'];
  all.forEach((t, i) => assertTensor(op, t, names[i]));
  for (const t of all) {
    if (!shapeEquals(t.shape, mu0.shape)) throw new Error(`${op}: all four tensors must have the same shape, got ${all.map((u) => fmtShape(u.shape)).join(', ')}`);
  }
  if (mu0.rank < 1) throw new Error(`${op}: needs tensors [B, ...], got ${fmtShape(mu0.shape)}`);
  const kl = fused(
    op,
    {
      expr: '0.5 * (exp(lv0 - lv1) + (m1 - m0) * (m1 - m0) * exp(-lv1) - 1.0 + lv1 - lv0)',
      grads: {
        m0: 'dy * (m0 - m1) * exp(-lv1)',
        m1: 'dy * (m1 - m0) * exp(-lv1)',
        lv0: '0.5 * dy * (exp(lv0 - lv1) - 1.0)',
        lv1: '0.5 * dy * (1.0 - exp(lv0 - lv1) - (m1 - m0) * (m1 - m0) * exp(-lv1))',
      },
    },
    [
      { name: 'm0', value: mu0 },
      { name: 'lv0', value: logvar0 },
      { name: 'm1', value: mu1 },
      { name: 'lv1', value: logvar1 },
    ],
  );
  const perSample = sum(kl, [...Array(kl.rank).keys()].slice(1));
  kl.dispose();
  return perSample;
}
