/**
 * torchvision's `utils.make_grid` and the uint8 conversion of `utils.save_image`, on host arrays.
 *
 * make_grid(tensor [B, C, H, W], nrow, padding, normalize, value_range, scale_each, pad_value):
 * 1. C = 1 is replicated to 3 channels.
 * 2. normalize: each value is clamped to [low, high] then mapped by (x - low) / max(high - low, 1e-5),
 *    where (low, high) = value_range, or the min and max of the whole batch (or of each image with
 *    scale_each). All arithmetic is float32, constants rounded to float32, as torch does.
 * 3. B = 1 returns the image itself, without padding.
 * 4. Otherwise xmaps = min(nrow, B) columns, ymaps = ceil(B / xmaps) rows; the canvas is
 *    (ymaps·(H + padding) + padding) × (xmaps·(W + padding) + padding), filled with pad_value,
 *    and image k goes to row ⌊k / xmaps⌋, column k mod xmaps, at offset padding + cell·(size + padding).
 *
 * save_image then computes `grid.mul(255).add_(0.5).clamp_(0, 255)` in float32 and converts to
 * uint8 by truncation. So values outside [0, 1] are clamped to 0 or 255: that is torchvision's
 * documented behaviour for images (pixels are in [0, 1]), reproduced on purpose, not a silent loss.
 */

export type GridOptions = {
  /** Images per grid row (torchvision default 8). */
  nrow?: number;
  /** Pixels of padding between and around images (default 2). */
  padding?: number;
  /** Value of the padding pixels, before the uint8 conversion (default 0). */
  padValue?: number;
  /** Shift and scale to [0, 1] by `range` or by the data's min and max (default false). */
  normalize?: boolean;
  /** [low, high] for `normalize` (torchvision's `value_range`). */
  range?: readonly [number, number];
  /** With `normalize` and no `range`: use each image's own min and max (default false). */
  scaleEach?: boolean;
};

export type GridShape = readonly [number, number, number, number];

/** The float grid of `make_grid`: C×H×W (C = 3 when the input had 1 channel). */
export function makeGrid(
  images: Float32Array,
  shape: GridShape,
  options: GridOptions = {},
): { data: Float32Array; shape: [number, number, number] } {
  const where = 'imageGrid';
  if (!(images instanceof Float32Array)) throw new Error(`${where}: images must be a Float32Array`);
  if (!Array.isArray(shape) || shape.length !== 4) {
    throw new Error(`${where}: shape must be [B, C, H, W], got ${JSON.stringify(shape)}`);
  }
  const [B, C0, H, W] = shape;
  shape.forEach((d, i) => {
    if (!Number.isInteger(d) || d < 1) throw new Error(`${where}: shape [${shape.join(', ')}] has dimension ${i} = ${d}, expected a positive integer`);
  });
  if (images.length !== B * C0 * H * W) {
    throw new Error(`${where}: shape [${shape.join(', ')}] needs ${B * C0 * H * W} values, got ${images.length}`);
  }
  const { nrow = 8, padding = 2, padValue = 0, normalize = false, range, scaleEach = false } = options;
  if (!Number.isInteger(nrow) || nrow < 1) throw new Error(`${where}: nrow is ${nrow}, expected a positive integer`);
  if (!Number.isInteger(padding) || padding < 0) throw new Error(`${where}: padding is ${padding}, expected a non-negative integer`);
  if (typeof padValue !== 'number' || Number.isNaN(padValue)) throw new Error(`${where}: padValue is ${padValue}, expected a number`);
  if (range !== undefined) {
    if (!normalize) throw new Error(`${where}: range is only used with normalize: true (torchvision ignores it otherwise)`);
    if (!Array.isArray(range) || range.length !== 2 || !range.every((v) => typeof v === 'number' && Number.isFinite(v)) || range[0] > range[1]) {
      throw new Error(`${where}: range must be [low, high] with finite low <= high, got ${JSON.stringify(range)}`);
    }
  }

  // 1. Replicate a single channel to RGB.
  const C = C0 === 1 ? 3 : C0;
  const plane = H * W;
  let x: Float32Array;
  if (C0 === 1) {
    x = new Float32Array(B * 3 * plane);
    for (let b = 0; b < B; b++) {
      const src = images.subarray(b * plane, (b + 1) * plane);
      for (let c = 0; c < 3; c++) x.set(src, (b * 3 + c) * plane);
    }
  } else {
    x = images;
  }

  // 2. Normalise (on a copy).
  if (normalize) {
    if (x === images) x = images.slice();
    const per = C * plane;
    const spans = scaleEach ? Array.from({ length: B }, (_, b) => [b * per, (b + 1) * per] as const) : [[0, B * per] as const];
    for (const [s, e] of spans) {
      let low: number;
      let high: number;
      if (range !== undefined) {
        [low, high] = range;
      } else {
        low = Infinity;
        high = -Infinity;
        for (let i = s; i < e; i++) {
          const v = x[i]!;
          if (v < low) low = v;
          if (v > high) high = v;
        }
      }
      const lo = Math.fround(low);
      const hi = Math.fround(high);
      const den = Math.fround(Math.max(high - low, 1e-5)); // computed in float64 by Python, cast by torch
      for (let i = s; i < e; i++) {
        const v = Math.min(Math.max(x[i]!, lo), hi); // clamp_ (float32 bounds)
        x[i] = Math.fround(v - lo) / den; // sub_ then div_, each rounded by the Float32Array store
      }
    }
  }

  // 3. A single image is returned as is.
  if (B === 1) return { data: x === images ? images.slice() : x, shape: [C, H, W] };

  // 4. Lay out the grid.
  const xmaps = Math.min(nrow, B);
  const ymaps = Math.ceil(B / xmaps);
  const cellH = H + padding;
  const cellW = W + padding;
  const GH = cellH * ymaps + padding;
  const GW = cellW * xmaps + padding;
  const grid = new Float32Array(C * GH * GW).fill(padValue);
  for (let k = 0; k < B; k++) {
    const top = Math.floor(k / xmaps) * cellH + padding;
    const left = (k % xmaps) * cellW + padding;
    for (let c = 0; c < C; c++) {
      for (let r = 0; r < H; r++) {
        const src = ((k * C + c) * H + r) * W;
        grid.set(x.subarray(src, src + W), (c * GH + top + r) * GW + left);
      }
    }
  }
  return { data: grid, shape: [C, GH, GW] };
}

/** save_image's float -> uint8: trunc(clamp(fround(fround(v·255) + 0.5), 0, 255)); NaN -> 0. */
export function toUint8(v: number): number {
  const y = Math.fround(Math.fround(v * 255) + 0.5);
  if (!(y > 0)) return 0; // also NaN
  return y >= 255 ? 255 : Math.trunc(y);
}

/**
 * make_grid + save_image's conversion: an RGBA uint8 image (alpha 255 unless the images have a
 * 4th channel). Encode with `encodePNG(rgba, width, height, { channels: 3 })` for the RGB PNG
 * torchvision would write.
 */
export function imageGrid(
  images: Float32Array,
  shape: GridShape,
  options: GridOptions = {},
): { rgba: Uint8Array; width: number; height: number } {
  const C0 = Array.isArray(shape) ? shape[1] : undefined;
  if (C0 !== 1 && C0 !== 3 && C0 !== 4) {
    throw new Error(`imageGrid: images must have 1, 3 or 4 channels to become RGBA, shape is ${JSON.stringify(shape)}`);
  }
  const { data, shape: [C, height, width] } = makeGrid(images, shape, options);
  const plane = height * width;
  const rgba = new Uint8Array(plane * 4);
  for (let p = 0; p < plane; p++) {
    rgba[4 * p] = toUint8(data[p]!);
    rgba[4 * p + 1] = toUint8(data[plane + p]!);
    rgba[4 * p + 2] = toUint8(data[2 * plane + p]!);
    rgba[4 * p + 3] = C === 4 ? toUint8(data[3 * plane + p]!) : 255;
  }
  return { rgba, width, height };
}
