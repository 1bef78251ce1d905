import { noGrad } from '../autograd/grad.js';
import { assign } from '../tensor/assign.js';
import { fmtShape } from '../tensor/shape.js';
import { assertTensor, type Tensor } from '../tensor/tensor.js';
import { binary, unary } from './elementwise.js';
import { fused } from './fused.js';
import { mean } from './reduce.js';
import { reshape } from './shape-ops.js';

export interface BatchNormOptions {
  /** Normalise with batch statistics and update the running ones (default false, like F.batch_norm). */
  training?: boolean;
  momentum?: number;
  eps?: number;
}

/**
 * Batch normalisation over the channel axis 1 of x [N, C, ...] with PyTorch semantics. Training:
 * normalises with the batch mean and the biased batch variance, and updates runningMean /
 * runningVar in place: r ← (1 − momentum)·r + momentum·s, with the unbiased variance for
 * runningVar. Evaluation: normalises with the running statistics.
 */
export function batchNorm(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  opts: BatchNormOptions = {},
): Tensor {
  const op = 'batchNorm';
  assertTensor(op, x, 'input');
  if (x.rank < 2 || x.dtype !== 'float32') throw new Error(`${op}: input must be a float32 [N, C, ...] tensor, got ${x.dtype} ${fmtShape(x.shape)}`);
  const C = x.shape[1]!;
  const named: [string, Tensor | null][] = [['runningMean', runningMean], ['runningVar', runningVar], ['weight', weight], ['bias', bias]];
  for (const [name, t] of named) {
    if (t === null) continue;
    assertTensor(op, t, name);
    if (t.rank !== 1 || t.shape[0] !== C) throw new Error(`${op}: ${name} must be [${C}] for input ${fmtShape(x.shape)}, got ${fmtShape(t.shape)}`);
  }
  const training = opts.training ?? false;
  const momentum = opts.momentum ?? 0.1;
  const eps = opts.eps ?? 1e-5;
  if (!(eps > 0)) throw new RangeError(`${op}: eps must be > 0, got ${eps}`);
  if (!(momentum >= 0 && momentum <= 1)) throw new RangeError(`${op}: momentum must be in [0, 1], got ${momentum}`);
  const channelShape = x.shape.map((d, i) => (i === 1 ? d : 1));
  const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const count = x.size / C;
  const affine = (t: Tensor | null) => (t ? reshape(t, channelShape) : null);
  const w = affine(weight);
  const b = affine(bias);

  let y: Tensor;
  if (training) {
    if (count <= 1) throw new Error(`${op}: expected more than 1 value per channel when training, got input ${fmtShape(x.shape)}`);
    const mu = mean(x, axes, true);
    const centered = binary('sub', x, mu);
    const sq = unary('square', centered);
    const variance = mean(sq, axes, true);
    const normalized = fused(op, { expr: 'c * inverseSqrt(v + s)', grads: { c: 'dy * inverseSqrt(v + s)', v: '-0.5 * dy * c * pow(v + s, -1.5)' } }, [
      { name: 'c', value: centered },
      { name: 'v', value: variance },
      { name: 's', value: eps },
    ]);
    y = scaleShift(normalized, w, b);
    if (runningMean || runningVar) {
      noGrad(() => {
        if (runningMean) updateRunning(runningMean, mu, momentum, 1);
        if (runningVar) updateRunning(runningVar, variance, momentum, count / (count - 1));
      });
    }
    for (const t of [mu, centered, sq, variance]) t.dispose();
    if (normalized !== y) normalized.dispose();
  } else {
    if (!runningMean || !runningVar) throw new Error(`${op}: evaluation mode needs runningMean and runningVar`);
    const rm = reshape(runningMean, channelShape);
    const rv = reshape(runningVar, channelShape);
    const normalized = fused(op, { expr: '(x - m) * inverseSqrt(v + s)', grads: { x: 'dy * inverseSqrt(v + s)' } }, [
      { name: 'x', value: x },
      { name: 'm', value: rm },
      { name: 'v', value: rv },
      { name: 's', value: eps },
    ]);
    y = scaleShift(normalized, w, b);
    if (normalized !== y) normalized.dispose();
    rm.dispose();
    rv.dispose();
  }
  w?.dispose();
  b?.dispose();
  return y;
}

function scaleShift(normalized: Tensor, w: Tensor | null, b: Tensor | null): Tensor {
  if (w && b) {
    return fused('batchNorm', { expr: 'n * w + b', grads: { n: 'dy * w', w: 'dy * n', b: 'dy' } }, [
      { name: 'n', value: normalized },
      { name: 'w', value: w },
      { name: 'b', value: b },
    ]);
  }
  if (w) return binary('mul', normalized, w);
  if (b) return binary('add', normalized, b);
  return normalized;
}

/** running ← (1 − momentum)·running + momentum·correction·batchStat, in place. */
function updateRunning(running: Tensor, stat: Tensor, momentum: number, correction: number): void {
  const flat = reshape(stat, running.shape);
  const next = fused('batchNorm (running stats)', { expr: 'r * s0v + b * s1v', grads: {} }, [
    { name: 'r', value: running },
    { name: 'b', value: flat },
    { name: 's0v', value: 1 - momentum },
    { name: 's1v', value: momentum * correction },
  ]);
  assign(running, next);
  next.dispose();
  flat.dispose();
}
