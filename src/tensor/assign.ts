import { runtime } from '../gpu/runtime.js';
import { fmtShape, shapeEquals } from './shape.js';
import { assertTensor, type Tensor } from './tensor.js';

/**
 * Overwrites `target`'s data with `source`'s, in GPU queue order (after every kernel already
 * enqueued that reads `target`). The one sanctioned in-place update: optimiser steps and
 * batch-norm running statistics use it. Views sharing target's storage see the new values.
 */
export function assign(target: Tensor, source: Tensor): void {
  assertTensor('assign', target, 'target');
  assertTensor('assign', source, 'source');
  if (!shapeEquals(target.shape, source.shape) || target.dtype !== source.dtype) {
    throw new Error(`assign: source ${source.dtype} ${fmtShape(source.shape)} does not match target ${target.dtype} ${fmtShape(target.shape)}`);
  }
  if (target.size === 0) return;
  const src = source.storageFor('assign');
  const dst = target.storageFor('assign');
  if (src.buffer === dst.buffer) return;
  runtime().queue.copy(src.buffer, 0, dst.buffer, 0, target.size * 4);
}
