/**
 * Paired (clean, corrupted) data for CVAE training, as the reference's perturbation_learning
 * `datasets.py` builds it from CIFAR-10-C (spec §8.1), on host arrays.
 *
 * A PairedDataset holds N clean images and, for each image n and each of the K variants
 * j = (corruption c, severity s) — ordered corruption-major like the reference's stacking,
 * j = c·S + s_index — the corrupted image x̃[n, j]. It is fixed by keying on the image, not on the
 * epoch (spec §7.3): x̃[n, j] = corruptCPU(variantKey(j), images)[n], with
 * variantKey(j) = foldIn(foldIn(key, position of c in CORRUPTIONS), s), i.e. the image itself
 * uses foldIn(variantKey(j), n). It is generated lazily and cached, which is equivalent to the
 * reference's pre-generated files.
 *
 * Samplers (one item per batch position b, drawn from foldIn(batchKey, b); pass a fresh batch key
 * per step, e.g. foldIn(epochKey, step)); stream 0 words of the item key:
 *   word 0, 1   variant choices (unbiased integers, draws.ts)
 *   word 2, 3   crop offsets dy, dx ∈ [0, 2·pad]      (jointCropFlip only)
 *   word 4      horizontal flip: intBelow(2) = 1        (jointCropFlip only)
 * - DatasetSampler (reference `cifar10c`, the paper's main set): x = clean, x̃ = variant
 *   intBelow(K) (word 0), fresh on every access.
 * - DatasetSamplerNoOriginal (`cifar10c_nooriginal`): two distinct variants, ordered pair uniform
 *   (= randperm(K)[:2]): first = intBelow(K) (word 0), second = intBelow(K − 1) (word 1), shifted
 *   up by one when ≥ first; (x, x̃) = (x̃_first, x̃_second).
 * - DatasetSamplerWithOriginal (`cifar10c_withoriginal`): the same over K + 1 variants, variant K
 *   being the clean image.
 * - DatasetAll (`cifar10c_all`): deterministic enumeration of all N·K pairs, flat index n·K + j ↔
 *   (x_n, y_n, x̃[n, j]); never augmented (used for evaluation).
 *
 * Joint augmentation (`jointCropFlip`, default true): zero-pad `pad` (4) pixels, crop an H×W window
 * at (dy, dx), then mirror horizontally when the flip bit is set — the same crop and flip for x and
 * x̃. DEVIATION: the released reference computes these augmented images and then returns the
 * un-augmented ones (its tensor wrapper discards them, spec §9.2), so it trains without
 * augmentation; `jointCropFlip: false` reproduces that.
 */
import type { Key } from '../random/key.js';
import { foldIn } from '../random/key.js';
import { corruptImageCPU, toBytes } from './corruptions/cpu.js';
import { Draws } from './corruptions/draws.js';
import { CORRUPTION_NAMES, corruptionsInGroup } from './corruptions/names.js';
import type { CorruptionName, Severity } from './corruptions/types.js';
import { checkName, checkSeverity, checkSize } from './corruptions/validate.js';

/** Produces the stored bytes of one corrupted image (planar CHW) from its own key. */
export type CorruptImageFn = (
  imageKey: Key,
  bytes: Uint8Array,
  height: number,
  width: number,
  name: CorruptionName,
  severity: Severity,
) => Uint8Array;

export interface PairedDatasetOptions {
  /** The data set's corruption key (use a different one per split). */
  key: Key;
  /** Corruptions in variant order; default the 12 training corruptions of the reference config. */
  corruptions?: readonly CorruptionName[];
  /** Severities per corruption; default [5] (the paper's). */
  severities?: readonly Severity[];
  /** Keep generated corrupted images (default true; N·K·3·H·W bytes when full). */
  cache?: boolean;
  /** Replaces the CPU generator (e.g. by a GPU port that honours the same keys). */
  corrupt?: CorruptImageFn;
}

export interface Variant {
  readonly name: CorruptionName;
  readonly severity: Severity;
}

export class PairedDataset {
  readonly size: number;
  readonly height: number;
  readonly width: number;
  readonly labels: Int32Array;
  readonly variants: readonly Variant[];
  private readonly bytes: Uint8Array;
  private readonly key: Key;
  /** Per image, the bytes of all K variants (allocated on first use), and which are filled. */
  private readonly store: (Uint8Array | undefined)[] | null;
  private readonly filled: Uint8Array | null;
  private readonly generate: CorruptImageFn;

  /** `images`: NCHW floats in [0, 1], or the stored bytes themselves (kept, not copied). */
  constructor(
    images: Float32Array | Uint8Array,
    shape: readonly [number, number, number, number],
    labels: Int32Array,
    options: PairedDatasetOptions,
  ) {
    const [n, c, h, w] = shape;
    if (c !== 3 || ![n, h, w].every((d) => Number.isInteger(d) && d >= 1)) {
      throw new RangeError(`PairedDataset: expected images [N, 3, H, W], got [${shape.join(', ')}]`);
    }
    if (images.length !== n * 3 * h * w) {
      throw new RangeError(`PairedDataset: images has ${images.length} values but shape [${shape.join(', ')}] needs ${n * 3 * h * w}`);
    }
    if (labels.length !== n) throw new RangeError(`PairedDataset: ${labels.length} labels for ${n} images`);
    for (let i = 0; !(images instanceof Uint8Array) && i < images.length; i++) {
      const v = images[i]!;
      if (!(v >= 0 && v <= 1)) throw new RangeError(`PairedDataset: values must lie in [0, 1]; found ${v} at index ${i}`);
    }
    const corruptions = options.corruptions ?? corruptionsInGroup('train');
    const severities = options.severities ?? [5];
    if (corruptions.length === 0 || severities.length === 0) {
      throw new RangeError('PairedDataset: needs at least one corruption and one severity');
    }
    corruptions.forEach((name) => {
      checkName(name);
      checkSize(name, h, w);
    });
    severities.forEach((s) => checkSeverity(s));
    this.size = n;
    this.height = h;
    this.width = w;
    this.labels = labels;
    this.variants = corruptions.flatMap((name) => severities.map((severity) => ({ name, severity })));
    this.bytes = images instanceof Uint8Array ? images : toBytes(images);
    this.key = options.key;
    this.store = options.cache === false ? null : new Array<Uint8Array | undefined>(n);
    this.filled = options.cache === false ? null : new Uint8Array(n * this.variants.length);
    this.generate = options.corrupt ?? corruptImageCPU;
  }

  /** Number of variants K. */
  get k(): number {
    return this.variants.length;
  }

  /** The key that corruptCPU would take to produce variant j of all images. */
  variantKey(j: number): Key {
    const { name, severity } = this.variants[j]!;
    return foldIn(foldIn(this.key, CORRUPTION_NAMES.indexOf(name)), severity);
  }

  /** Clean image n as bytes (a view: do not modify). */
  cleanBytes(n: number): Uint8Array {
    const size = 3 * this.height * this.width;
    return this.bytes.subarray(n * size, (n + 1) * size);
  }

  /** Variant j of image n as bytes (generated on first use; a view into the cache: do not modify). */
  corruptedBytes(n: number, j: number): Uint8Array {
    if (!Number.isInteger(n) || n < 0 || n >= this.size) throw new RangeError(`PairedDataset: image index ${n} outside [0, ${this.size})`);
    if (!Number.isInteger(j) || j < 0 || j >= this.k) throw new RangeError(`PairedDataset: variant ${j} outside [0, ${this.k})`);
    const size = 3 * this.height * this.width;
    if (this.store && this.filled![n * this.k + j]) return this.store[n]!.subarray(j * size, (j + 1) * size);
    const { name, severity } = this.variants[j]!;
    const out = this.generate(foldIn(this.variantKey(j), n), this.cleanBytes(n), this.height, this.width, name, severity);
    if (out.length !== size) throw new RangeError(`PairedDataset: the generator returned ${out.length} values for ${name}, expected ${size}`);
    if (!this.store) return out;
    const row = (this.store[n] ??= new Uint8Array(this.k * size));
    row.set(out, j * size);
    this.filled![n * this.k + j] = 1;
    return row.subarray(j * size, (j + 1) * size);
  }

  /** Bytes of variant j of image n, where j = K means the clean image. */
  variantBytes(n: number, j: number): Uint8Array {
    return j === this.k ? this.cleanBytes(n) : this.corruptedBytes(n, j);
  }

  /** Generate every corrupted image now (what the reference's data files hold). */
  pregenerate(onProgress?: (done: number, total: number) => void): void {
    const total = this.size * this.k;
    for (let n = 0; n < this.size; n++) {
      for (let j = 0; j < this.k; j++) this.corruptedBytes(n, j);
      onProgress?.((n + 1) * this.k, total);
    }
  }
}

export interface PairBatch {
  /** B×3×H×W floats k/255. */
  x: Float32Array;
  xt: Float32Array;
  y: Int32Array;
  /** Variant index of x per item (K = the clean image). */
  xVariant: Int32Array;
  /** Variant index of x̃ per item. */
  xtVariant: Int32Array;
  /** Per item [dy, dx, flip] of the joint crop/flip, or null when not augmenting. */
  crops: Int32Array | null;
}

export interface SamplerOptions {
  /** Apply the same pad/crop/flip to x and x̃ (default true; false = released reference). */
  jointCropFlip?: boolean;
  /** Zero padding before the crop (default 4). */
  pad?: number;
}

type Choice = (draws: Draws, k: number) => [number, number];

/** randperm(m)[:2] from words 0 and 1. */
function distinctPair(draws: Draws, m: number): [number, number] {
  if (m < 2) throw new RangeError(`sampler: needs at least 2 variants to draw a distinct pair, got ${m}`);
  const first = draws.intBelow(0, 0, m);
  const second = draws.intBelow(0, 1, m - 1);
  return [first, second >= first ? second + 1 : second];
}

/** Write bytes (CHW) as floats, optionally through the crop/flip, at `offset` of `out`. */
function writeItem(
  out: Float32Array,
  offset: number,
  bytes: Uint8Array,
  height: number,
  width: number,
  pad: number,
  crop: readonly [number, number, number] | null,
): void {
  const hw = height * width;
  if (!crop) {
    for (let i = 0; i < 3 * hw; i++) out[offset + i] = bytes[i]! / 255;
    return;
  }
  const [dy, dx, flip] = crop;
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < height; y++) {
      const sy = y + dy - pad;
      for (let x = 0; x < width; x++) {
        const sx = (flip ? width - 1 - x : x) + dx - pad;
        const inside = sy >= 0 && sy < height && sx >= 0 && sx < width;
        out[offset + c * hw + y * width + x] = inside ? bytes[c * hw + sy * width + sx]! / 255 : 0;
      }
    }
  }
}

class PairSampler {
  readonly dataset: PairedDataset;
  readonly jointCropFlip: boolean;
  readonly pad: number;
  private readonly choose: Choice;

  protected constructor(dataset: PairedDataset, options: SamplerOptions, choose: Choice) {
    this.dataset = dataset;
    this.jointCropFlip = options.jointCropFlip ?? true;
    this.pad = options.pad ?? 4;
    if (!Number.isInteger(this.pad) || this.pad < 0) throw new RangeError(`sampler: pad must be a non-negative integer, got ${this.pad}`);
    this.choose = choose;
  }

  /** Number of images. */
  get length(): number {
    return this.dataset.size;
  }

  /** One batch: item b is image indices[b] with draws from foldIn(key, b). */
  batch(key: Key, indices: ArrayLike<number>): PairBatch {
    const ds = this.dataset;
    const size = 3 * ds.height * ds.width;
    const b = indices.length;
    const out: PairBatch = {
      x: new Float32Array(b * size),
      xt: new Float32Array(b * size),
      y: new Int32Array(b),
      xVariant: new Int32Array(b),
      xtVariant: new Int32Array(b),
      crops: this.jointCropFlip ? new Int32Array(3 * b) : null,
    };
    for (let i = 0; i < b; i++) {
      const n = indices[i]!;
      if (!Number.isInteger(n) || n < 0 || n >= ds.size) throw new RangeError(`sampler: image index ${n} outside [0, ${ds.size})`);
      const draws = new Draws(foldIn(key, i));
      const [xv, xtv] = this.choose(draws, ds.k);
      let crop: [number, number, number] | null = null;
      if (out.crops) {
        crop = [draws.intBelow(0, 2, 2 * this.pad + 1), draws.intBelow(0, 3, 2 * this.pad + 1), draws.intBelow(0, 4, 2)];
        out.crops.set(crop, 3 * i);
      }
      writeItem(out.x, i * size, ds.variantBytes(n, xv), ds.height, ds.width, this.pad, crop);
      writeItem(out.xt, i * size, ds.variantBytes(n, xtv), ds.height, ds.width, this.pad, crop);
      out.y[i] = ds.labels[n]!;
      out.xVariant[i] = xv;
      out.xtVariant[i] = xtv;
    }
    return out;
  }
}

/** (clean x, y, x̃ of a uniformly drawn variant): the reference's `cifar10c` DatasetSampler. */
export class DatasetSampler extends PairSampler {
  constructor(dataset: PairedDataset, options: SamplerOptions = {}) {
    super(dataset, options, (draws, k) => [k, draws.intBelow(0, 0, k)]);
  }
}

/** Two distinct corrupted variants: the reference's `cifar10c_nooriginal`. */
export class DatasetSamplerNoOriginal extends PairSampler {
  constructor(dataset: PairedDataset, options: SamplerOptions = {}) {
    super(dataset, options, (draws, k) => distinctPair(draws, k));
  }
}

/** Two distinct variants among the K corrupted ones and the clean one: `cifar10c_withoriginal`. */
export class DatasetSamplerWithOriginal extends PairSampler {
  constructor(dataset: PairedDataset, options: SamplerOptions = {}) {
    super(dataset, options, (draws, k) => distinctPair(draws, k + 1));
  }
}

/** All N·K (clean, corrupted) pairs in order n·K + j, no augmentation: the reference's `cifar10c_all`. */
export class DatasetAll {
  readonly dataset: PairedDataset;

  constructor(dataset: PairedDataset) {
    this.dataset = dataset;
  }

  get length(): number {
    return this.dataset.size * this.dataset.k;
  }

  batch(flatIndices: ArrayLike<number>): PairBatch {
    const ds = this.dataset;
    const size = 3 * ds.height * ds.width;
    const b = flatIndices.length;
    const out: PairBatch = {
      x: new Float32Array(b * size),
      xt: new Float32Array(b * size),
      y: new Int32Array(b),
      xVariant: new Int32Array(b).fill(ds.k),
      xtVariant: new Int32Array(b),
      crops: null,
    };
    for (let i = 0; i < b; i++) {
      const f = flatIndices[i]!;
      if (!Number.isInteger(f) || f < 0 || f >= this.length) throw new RangeError(`DatasetAll: index ${f} outside [0, ${this.length})`);
      const n = Math.floor(f / ds.k);
      const j = f % ds.k;
      writeItem(out.x, i * size, ds.cleanBytes(n), ds.height, ds.width, 0, null);
      writeItem(out.xt, i * size, ds.corruptedBytes(n, j), ds.height, ds.width, 0, null);
      out.y[i] = ds.labels[n]!;
      out.xtVariant[i] = j;
    }
    return out;
  }
}
