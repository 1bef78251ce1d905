import { record } from '../autograd/tape.js';
import { fmtShape } from '../tensor/shape.js';
import { assertTensor, type Tensor } from '../tensor/tensor.js';
import { binary, compare, unary, where } from './elementwise.js';
import { runMap } from './map.js';
import { REDUCERS, reduceMiddle } from './reduce-kernel.js';
import { sum } from './reduce.js';
import { reshape } from './shape-ops.js';

/** Euclidean norm of each sample (over all non-batch axes): [B, ...] → [B]. */
export function l2Norm(x: Tensor): Tensor {
  const op = 'l2Norm';
  assertTensor(op, x, 'x');
  if (x.dtype !== 'float32' || x.rank < 1) throw new TypeError(`l2Norm: needs a float32 tensor [B, ...], got ${x.dtype} ${fmtShape(x.shape)}`);
  const batch = x.shape[0]!;
  const flat = reduceMiddle(op, x, { outer: batch, reduce: x.size / Math.max(batch, 1), inner: 1 }, { reducer: REDUCERS.sum, map: 'v * v', final: 'sqrt(acc)' });
  const y = flat.view([batch], op);
  flat.dispose();
  record(op, [x], y, [x, y], (dy, [xs, ys]) => {
    // d‖x‖/dx = x / ‖x‖ (taken as 0 at x = 0, as PyTorch does).
    const bshape = [batch, ...x.shape.slice(1).map(() => 1)];
    const n = ys!.view(bshape, op);
    const d = dy.view(bshape, op);
    const g = runMap({
      op: 'l2Norm (grad)',
      expr: 'select(0.0, d * x / n, n > 0.0)',
      inputs: [{ tensor: xs!, name: 'x' }, { tensor: n, name: 'n' }, { tensor: d, name: 'd' }],
      shape: x.shape,
      dtype: 'float32',
    });
    n.dispose();
    d.dispose();
    return [g];
  });
  return y;
}

/**
 * Projects each sample onto the l2 ball of `radius` (a number or a [B] tensor): samples with
 * norm > radius are scaled to norm = radius, the others are unchanged. Differentiable.
 */
export function projectL2(x: Tensor, radius: number | Tensor): Tensor {
  const op = 'projectL2';
  assertTensor(op, x, 'x');
  if (x.rank < 1) throw new Error(`projectL2: needs a tensor [B, ...], got ${fmtShape(x.shape)}`);
  const batch = x.shape[0]!;
  if (typeof radius === 'number') {
    if (!(radius > 0) || !Number.isFinite(radius)) throw new RangeError(`projectL2: radius must be a positive finite number, got ${radius}`);
  } else {
    assertTensor(op, radius, 'radius');
    if (radius.rank !== 1 || radius.shape[0] !== batch) throw new Error(`projectL2: radius tensor must be [${batch}], got ${fmtShape(radius.shape)}`);
  }
  const norm = l2Norm(x);
  // factor = min(1, r / ‖x‖); r / 0 = +inf keeps zero vectors unchanged.
  const ratio = binary('div', radius, norm);
  const factor = binary('minimum', ratio, 1);
  const bshape = [batch, ...x.shape.slice(1).map(() => 1)];
  const f = reshape(factor, bshape);
  const y = binary('mul', x, f);
  for (const t of [norm, ratio, factor, f]) t.dispose();
  return y;
}

/**
 * PyTorch's `Tensor.renorm(p, dim, maxnorm)`: every sub-tensor `x.select(dim, i)` whose p-norm
 * exceeds maxnorm is rescaled by maxnorm / (norm + 1e-7). Note that with dim = 1 on a [B, D]
 * batch this clips columns (each latent coordinate across the batch), not samples — that is the
 * reference code's behaviour that `projectL2` fixes.
 */
export function renorm(x: Tensor, p: number, dim: number, maxnorm: number): Tensor {
  const op = 'renorm';
  assertTensor(op, x, 'x');
  if (!(p > 0) || !Number.isFinite(p)) throw new RangeError(`renorm: p must be a positive finite number, got ${p}`);
  if (!(maxnorm >= 0)) throw new RangeError(`renorm: maxnorm must be ≥ 0, got ${maxnorm}`);
  if (x.rank < 1) throw new Error(`renorm: needs rank ≥ 1, got ${fmtShape(x.shape)}`);
  const d = dim < 0 ? dim + x.rank : dim;
  if (!Number.isInteger(d) || d < 0 || d >= x.rank) throw new RangeError(`renorm: dim ${dim} is out of range for a tensor of rank ${x.rank}`);
  const others = x.shape.map((_, i) => i).filter((i) => i !== d);
  const magnitude = p === 2 ? null : unary('abs', x);
  const powered = magnitude ? binary('pow', magnitude, p) : unary('square', x);
  const total = sum(powered, others, true);
  const norm = p === 2 ? unary('sqrt', total) : binary('pow', total, 1 / p);
  const over = compare('greater', norm, maxnorm);
  const padded = binary('add', norm, 1e-7);
  const shrink = binary('div', maxnorm, padded);
  const factor = where(over, shrink, 1);
  const y = binary('mul', x, factor);
  for (const t of [magnitude, powered, total, norm, over, padded, shrink, factor]) t?.dispose();
  return y;
}

