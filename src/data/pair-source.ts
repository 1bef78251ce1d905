import { gatherRows } from '../ops/gather.js';
import type { Key } from '../random/key.js';
import { fmtShape, shapeEquals } from '../tensor/shape.js';
import { assertTensor, type Tensor } from '../tensor/tensor.js';
import { keep } from '../tensor/tracking.js';
import type { ImageDataset } from './dataset.js';

/** Pairs (x, x̃) to learn a perturbation set from: a length and batches by index. */
export interface PairSource {
  readonly length: number;
  /** Shape of one image [C, H, W]. */
  readonly imageShape: readonly number[];
  /** x and x̃ [B, C, H, W] for the given example indices; `key` drives any randomness of the perturbation. */
  batch(indices: ArrayLike<number>, key: Key): { x: Tensor; xt: Tensor };
}

/**
 * Pairs whose perturbed side is generated on the fly from clean images, fresh on every access,
 * as the reference does for MNIST (e.g. `(key, x) => ps.data.perturb.linf(key, x, {epsilon: 0.3})`).
 */
export function perturbedPairs(dataset: ImageDataset, perturb: (key: Key, x: Tensor) => Tensor): PairSource {
  return {
    length: dataset.length,
    imageShape: dataset.imageShape,
    batch(indices, key) {
      const { x, y } = dataset.batch(indices);
      y.dispose();
      return { x, xt: perturb(key, x) };
    },
  };
}

/**
 * Fixed pairs held on the GPU: x [N, C, H, W] and x̃ [N, C, H, W] (e.g. one image repeated and its
 * corrupted versions, as in the blog walk-through). The tensors are kept (exempt from tidy) until
 * `dispose()`.
 */
export function tensorPairs(x: Tensor, xt: Tensor): PairSource & { dispose(): void } {
  assertTensor('tensorPairs', x, 'x');
  assertTensor('tensorPairs', xt, 'xt');
  if (x.rank !== 4 || !shapeEquals(x.shape, xt.shape)) throw new Error(`tensorPairs: x and xt must be images of the same shape [N, C, H, W], got ${fmtShape(x.shape)} and ${fmtShape(xt.shape)}`);
  keep(x);
  keep(xt);
  return {
    length: x.shape[0]!,
    imageShape: x.shape.slice(1),
    batch(indices) {
      return { x: gatherRows(x, indices), xt: gatherRows(xt, indices) };
    },
    dispose() {
      x.dispose();
      xt.dispose();
    },
  };
}
