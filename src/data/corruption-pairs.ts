/**
 * `ps.data.corruptionPairs(dataset, options)`: (x, x̃) pairs of CIFAR-10-C style corruptions for
 * `trainCVAE`, as the reference's datasets.py builds them (spec §8.1; paired.ts): a PairedDataset
 * over the clean images plus one of the reference's samplers, behind the PairSource interface.
 *
 * The corrupted image of (image n, variant j) is fixed: x̃[n, j] = image n of
 * corrupt(variantKey(j), all images), generated on first use and cached (equivalent to the
 * reference's pre-generated files, spec §7.3). `pregenerate()` fills the whole cache up front, in
 * batches on the GPU for the corruptions with a GPU port (the same bytes as the CPU reference up to
 * rare ±1 levels in motion/zoom blur, see corrupt.ts). A PairSource's `batch` is synchronous, and a
 * GPU result can only be read asynchronously, so batches themselves come from the cache.
 */
import type { Key } from '../random/key.js';
import { assertKey, foldIn } from '../random/key.js';
import { uploadTensor } from '../tensor/tensor.js';
import { gpuUnavailable, type CorruptBackend } from './corrupt.js';
import { corruptImageCPU } from './corruptions/cpu.js';
import { GPU_REGISTRY } from './corruptions/gpu/registry.js';
import { enqueueCorruption, finishCorruption } from './corruptions/gpu/run.js';
import type { CorruptionName, Severity } from './corruptions/types.js';
import type { ImageDataset } from './dataset.js';
import { DatasetSampler, DatasetSamplerNoOriginal, DatasetSamplerWithOriginal, PairedDataset, type PairBatch } from './paired.js';
import type { PairSource } from './pair-source.js';

export type PairVariant = 'original' | 'withOriginal' | 'noOriginal';

export interface CorruptionPairsOptions {
  /** The data set's corruption key (use a different one per split). */
  key: Key;
  /** Corruptions in variant order (default: the reference config's 12 training corruptions). */
  corruptions?: readonly CorruptionName[];
  /** Severities per corruption (default [5], the paper's). */
  severities?: readonly Severity[];
  /**
   * 'original' (default): (clean x, x̃ of a uniformly drawn variant), the paper's main set
   * (`cifar10c`); 'noOriginal': two distinct corrupted variants; 'withOriginal': two distinct
   * variants among the corrupted ones and the clean image.
   */
  variant?: PairVariant;
  /** The same zero-pad/crop/flip for x and x̃ (default true; false = the released reference, spec §9.2). */
  jointCropFlip?: boolean;
  /** Padding of the joint crop (default 4). */
  pad?: number;
  /** Keep generated images (default true; N·K·3·H·W bytes when full). */
  cache?: boolean;
}

export interface CorruptionPairs extends PairSource {
  readonly paired: PairedDataset;
  readonly sampler: DatasetSampler | DatasetSamplerNoOriginal | DatasetSamplerWithOriginal;
  /** The host arrays of one batch (variants and crops included), as `batch` uploads them. */
  hostBatch(indices: ArrayLike<number>, key: Key): PairBatch;
  /**
   * Generates every corrupted image now (needs `cache`): corruptions with a GPU port run on the
   * GPU in batches of `batchSize` images (backend 'auto' or 'gpu'), the others on the CPU.
   */
  pregenerate(options?: { backend?: CorruptBackend; batchSize?: number; onProgress?: (done: number, total: number) => void }): Promise<void>;
}

const VARIANTS: readonly PairVariant[] = ['original', 'withOriginal', 'noOriginal'];

export function corruptionPairs(dataset: ImageDataset, options: CorruptionPairsOptions): CorruptionPairs {
  const op = 'corruptionPairs';
  if (!options || typeof options !== 'object') throw new TypeError(`${op}: options {key, …} are required`);
  assertKey(op, options.key);
  const [c, height, width] = dataset.imageShape;
  if (c !== 3) throw new RangeError(`${op}: images must have 3 channels, got [${dataset.imageShape.join(', ')}]`);
  const variant = options.variant ?? 'original';
  if (!VARIANTS.includes(variant)) throw new RangeError(`${op}: variant must be 'original', 'withOriginal' or 'noOriginal', got ${String(variant)}`);

  // GPU results waiting to enter the PairedDataset cache, by image key (see pregenerate)
  const ready = new Map<string, Uint8Array>();
  const id = (k: Key) => `${k.k0}:${k.k1}`;
  const paired = new PairedDataset(dataset.pixels, [dataset.length, 3, height, width], dataset.labels, {
    key: options.key,
    ...(options.corruptions ? { corruptions: options.corruptions } : {}),
    ...(options.severities ? { severities: options.severities } : {}),
    cache: options.cache ?? true,
    corrupt(imageKey, bytes, h, w, name, severity) {
      const done = ready.get(id(imageKey));
      if (done) {
        ready.delete(id(imageKey));
        return done;
      }
      return corruptImageCPU(imageKey, bytes, h, w, name, severity);
    },
  });
  const samplerOptions = { jointCropFlip: options.jointCropFlip ?? true, pad: options.pad ?? 4 };
  const sampler =
    variant === 'original'
      ? new DatasetSampler(paired, samplerOptions)
      : variant === 'noOriginal'
        ? new DatasetSamplerNoOriginal(paired, samplerOptions)
        : new DatasetSamplerWithOriginal(paired, samplerOptions);
  if (variant !== 'original' && paired.k + (variant === 'withOriginal' ? 1 : 0) < 2) {
    throw new RangeError(`${op}: variant '${variant}' draws two distinct images and needs more than one corruption × severity`);
  }

  const hostBatch = (indices: ArrayLike<number>, key: Key): PairBatch => {
    assertKey(`${op}.batch`, key);
    return sampler.batch(key, indices);
  };

  return {
    length: dataset.length,
    imageShape: [3, height, width],
    paired,
    sampler,
    hostBatch,
    batch(indices, key) {
      const b = hostBatch(indices, key);
      const shape = [indices.length, 3, height, width];
      return { x: uploadTensor(b.x, shape, 'float32'), xt: uploadTensor(b.xt, shape, 'float32') };
    },
    async pregenerate({ backend = 'auto', batchSize = 256, onProgress } = {}) {
      if (options.cache === false) throw new Error(`${op}.pregenerate: needs cache: true (the generated images live in the cache)`);
      if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`${op}.pregenerate: batchSize must be a positive integer, got ${batchSize}`);
      const total = paired.size * paired.k;
      let done = 0;
      for (let j = 0; j < paired.k; j++) {
        const { name, severity } = paired.variants[j]!;
        const why = gpuUnavailable(name, height, width);
        if (backend === 'gpu' && why !== null) throw new Error(`${op}.pregenerate: backend 'gpu': ${why}`);
        const variantKey = paired.variantKey(j);
        for (let n0 = 0; n0 < paired.size; n0 += batchSize) {
          const n1 = Math.min(paired.size, n0 + batchSize);
          if (backend !== 'cpu' && why === null) {
            const indices = Int32Array.from({ length: n1 - n0 }, (_, i) => n0 + i);
            const keys = Array.from(indices, (n) => foldIn(variantKey, n));
            const { x, y } = dataset.batch(indices);
            y.dispose();
            // (when more values need the CPU than the GPU can list, the CPU generates this batch below)
            let onCPU = false;
            const out = await finishCorruption(op, enqueueCorruption(op, GPU_REGISTRY[name]!, x, keys, name, severity), x, async () => {
              onCPU = true;
              return uploadTensor(new Float32Array(0), [0], 'float32');
            });
            const values = await out.data();
            x.dispose();
            out.dispose();
            const size = 3 * height * width;
            if (!onCPU) keys.forEach((k, i) => ready.set(id(k), Uint8Array.from(values.subarray(i * size, (i + 1) * size), (v) => Math.round(v * 255))));
          }
          for (let n = n0; n < n1; n++) paired.corruptedBytes(n, j);
          done += n1 - n0;
          onProgress?.(done, total);
        }
      }
      ready.clear();
    },
  };
}
