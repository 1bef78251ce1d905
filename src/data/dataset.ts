import { foldIn, type Key } from '../random/key.js';
import { streamWord } from '../random/philox.js';
import { uploadTensor, type Tensor } from '../tensor/tensor.js';

/**
 * A labelled image set held on the CPU (uint8 pixels as stored, or float32), from which batches
 * are uploaded to the GPU on demand: a whole data set rarely fits one storage binding, and a
 * batch upload is cheap.
 */
export class ImageDataset {
  readonly pixels: Uint8Array | Float32Array;
  readonly labels: Int32Array;
  /** Shape of one image: [C, H, W]. */
  readonly imageShape: readonly [number, number, number];
  readonly length: number;
  private readonly imageSize: number;

  constructor(pixels: Uint8Array | Float32Array, labels: Int32Array, imageShape: readonly [number, number, number]) {
    const [c, h, w] = imageShape;
    this.imageSize = c * h * w;
    if (!(this.imageSize > 0) || pixels.length % this.imageSize !== 0) {
      throw new Error(`ImageDataset: ${pixels.length} pixels is not a whole number of ${c}x${h}x${w} images`);
    }
    this.length = pixels.length / this.imageSize;
    if (labels.length !== this.length) throw new Error(`ImageDataset: ${labels.length} labels for ${this.length} images`);
    this.pixels = pixels;
    this.labels = labels;
    this.imageShape = imageShape;
  }

  /** Images [B, C, H, W] in [0, 1] (uint8 / 255) for the given indices, on the CPU. */
  hostImages(indices: ArrayLike<number>): Float32Array {
    const out = new Float32Array(indices.length * this.imageSize);
    const scale = this.pixels instanceof Uint8Array ? 1 / 255 : 1;
    for (let b = 0; b < indices.length; b++) {
      const i = indices[b]!;
      if (!Number.isInteger(i) || i < 0 || i >= this.length) throw new RangeError(`ImageDataset.batch: index ${i} is out of range [0, ${this.length})`);
      const src = i * this.imageSize;
      const dst = b * this.imageSize;
      for (let p = 0; p < this.imageSize; p++) out[dst + p] = this.pixels[src + p]! * scale;
    }
    return out;
  }

  /** Uploads a batch: x [B, C, H, W] float32 in [0, 1], y [B] int32. */
  batch(indices: ArrayLike<number>): { x: Tensor; y: Tensor } {
    const x = uploadTensor(this.hostImages(indices), [indices.length, ...this.imageShape], 'float32');
    const labels = new Int32Array(indices.length);
    for (let b = 0; b < indices.length; b++) labels[b] = this.labels[indices[b]!]!;
    return { x, y: uploadTensor(labels, [indices.length], 'int32') };
  }

  /** The images zero-padded by `p` pixels on each side (torchvision's Pad(p)), as a new data set. */
  padded(p: number): ImageDataset {
    if (!Number.isInteger(p) || p < 0) throw new RangeError(`ImageDataset.padded: padding must be a non-negative integer, got ${p}`);
    const [c, h, w] = this.imageShape;
    const H = h + 2 * p;
    const W = w + 2 * p;
    const pixels = new (this.pixels.constructor as Uint8ArrayConstructor | Float32ArrayConstructor)(this.length * c * H * W);
    for (let i = 0; i < this.length; i++) {
      for (let ch = 0; ch < c; ch++) {
        for (let y = 0; y < h; y++) {
          const src = ((i * c + ch) * h + y) * w;
          pixels.set(this.pixels.subarray(src, src + w), ((i * c + ch) * H + y + p) * W + p);
        }
      }
    }
    return new ImageDataset(pixels, this.labels, [c, H, W]);
  }

  /** The examples at `indices` as a new data set (copies). */
  subset(indices: ArrayLike<number>): ImageDataset {
    const pixels = new (this.pixels.constructor as Uint8ArrayConstructor | Float32ArrayConstructor)(indices.length * this.imageSize);
    const labels = new Int32Array(indices.length);
    for (let b = 0; b < indices.length; b++) {
      const i = indices[b]!;
      pixels.set(this.pixels.subarray(i * this.imageSize, (i + 1) * this.imageSize), b * this.imageSize);
      labels[b] = this.labels[i]!;
    }
    return new ImageDataset(pixels, labels, this.imageShape);
  }
}

/** A uniformly random permutation of 0..n-1 (Fisher–Yates on Philox draws from `key`). */
export function permutation(key: Key, n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  const scratch = new Uint32Array(4);
  for (let i = n - 1; i > 0; i--) {
    // Unbiased integer in [0, i] by rejection on 32-bit words; step s uses words 16s … 16s + 15
    // (each rejection has probability < ½, so 16 draws always suffice in practice).
    const bound = i + 1;
    const limit = 4294967296 - (4294967296 % bound);
    let draw = 0;
    let w: number;
    do {
      if (draw === 16) throw new Error('permutation: 16 consecutive rejections (impossible in practice)');
      w = streamWord(key.k0, key.k1, (n - 1 - i) * 16 + draw++, scratch);
    } while (w >= limit);
    const j = w % bound;
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out;
}

/** Index batches over n examples: shuffled by `key` (or in order without one); the last may be short unless dropLast. */
export function batchIndices(n: number, batchSize: number, opts: { key?: Key; dropLast?: boolean } = {}): Int32Array[] {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchIndices: batchSize must be a positive integer, got ${batchSize}`);
  const order = opts.key ? permutation(opts.key, n) : Int32Array.from({ length: n }, (_, i) => i);
  const out: Int32Array[] = [];
  for (let start = 0; start < n; start += batchSize) {
    if (opts.dropLast && start + batchSize > n) break;
    out.push(order.subarray(start, Math.min(n, start + batchSize)));
  }
  return out;
}

/** Splits a data set into parts of the given sizes by a random permutation (torch.utils.data.random_split). */
export function randomSplit(dataset: ImageDataset, sizes: readonly number[], key: Key): ImageDataset[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total !== dataset.length) throw new Error(`randomSplit: sizes ${JSON.stringify(sizes)} sum to ${total}, the data set has ${dataset.length}`);
  const order = permutation(foldIn(key, 0), dataset.length);
  let start = 0;
  return sizes.map((size) => {
    const part = dataset.subset(order.subarray(start, start + size));
    start += size;
    return part;
  });
}
