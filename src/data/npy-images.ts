/**
 * `ps.data.npyImages(npy, labels?)`: images from a parsed `.npy` (`ps.data.loadNpy`) in the
 * CIFAR-10-C layout N×H×W×3 (HWC, as numpy stores images), converted to an ImageDataset (CHW).
 * uint8 stays uint8 (batches come out as k/255); float32 must already lie in [0, 1].
 * CIFAR-10-C's `labels.npy` (N integers) can be passed as `labels`; without it every label is −1.
 */
import { ImageDataset } from './dataset.js';
import type { Npy } from './npy.js';

function describeShape(shape: readonly number[]): string {
  return `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;
}

function toLabels(labels: Npy | ArrayLike<number>, n: number): Int32Array {
  const npy = labels && typeof labels === 'object' && 'shape' in labels && 'data' in labels ? (labels as Npy) : null;
  if (npy && npy.shape.length !== 1) throw new RangeError(`npyImages: labels must be 1-D, got shape ${describeShape(npy.shape)}`);
  const values = npy ? npy.data : (labels as ArrayLike<number>);
  if (values.length !== n) throw new RangeError(`npyImages: ${values.length} labels for ${n} images`);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`npyImages: label ${i} is ${v}, expected a non-negative integer`);
    out[i] = v;
  }
  return out;
}

export function npyImages(npy: Npy, labels?: Npy | ArrayLike<number>): ImageDataset {
  if (!npy || typeof npy !== 'object' || !Array.isArray(npy.shape) || !(npy.data instanceof Uint8Array || npy.data instanceof Float32Array)) {
    throw new TypeError('npyImages: expected a parsed .npy ({dtype, shape, data}, from ps.data.loadNpy)');
  }
  const { shape } = npy;
  if (shape.length !== 4 || shape[3] !== 3 || shape[1]! < 1 || shape[2]! < 1) {
    throw new RangeError(`npyImages: expected images N×H×W×3 (HWC, as CIFAR-10-C stores them), got shape ${describeShape(shape)}`);
  }
  const [n, h, w] = shape as [number, number, number, number];
  const hw = h * w;
  const src = npy.data;
  const pixels = src instanceof Uint8Array ? new Uint8Array(src.length) : new Float32Array(src.length);
  for (let i = 0; i < n; i++) {
    const base = i * 3 * hw;
    for (let p = 0; p < hw; p++) {
      for (let c = 0; c < 3; c++) {
        const v = src[base + 3 * p + c]!;
        if (!(src instanceof Uint8Array) && !(v >= 0 && v <= 1)) {
          throw new RangeError(`npyImages: float32 images must lie in [0, 1]; found ${v} at image ${i}, pixel ${p}, channel ${c}`);
        }
        pixels[base + c * hw + p] = v;
      }
    }
  }
  return new ImageDataset(pixels, labels === undefined ? new Int32Array(n).fill(-1) : toLabels(labels, n), [3, h, w]);
}
