import { noGrad } from '../autograd/grad.js';
import { normalizeAxis } from '../tensor/shape.js';
import { assertTensor, type Tensor } from '../tensor/tensor.js';
import { binary, unary } from './elementwise.js';
import { max, sum } from './reduce.js';

/**
 * log softmax along `axis` (default: last): x − m − log Σ exp(x − m), with the row maximum m
 * treated as a constant (the result does not depend on it, so neither does the gradient).
 */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  assertTensor('logSoftmax', x, 'x');
  if (x.dtype !== 'float32') throw new TypeError(`logSoftmax: needs a float32 tensor, got ${x.dtype}`);
  const a = normalizeAxis('logSoftmax', axis, x.rank);
  const m = noGrad(() => max(x, a, true));
  const shifted = binary('sub', x, m);
  const e = unary('exp', shifted);
  const s = sum(e, a, true);
  const lse = unary('log', s);
  const y = binary('sub', shifted, lse);
  for (const t of [m, shifted, e, s, lse]) t.dispose();
  return y;
}

/** softmax along `axis` (default: last). */
export function softmax(x: Tensor, axis = -1): Tensor {
  const l = logSoftmax(x, axis);
  const y = unary('exp', l);
  l.dispose();
  return y;
}
