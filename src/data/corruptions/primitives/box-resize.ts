/**
 * P5 (spec §2): Pillow's `Image.resize(size, Image.BOX)` on 8-bit RGB (libImaging/Resample.c).
 *
 * Per axis (input length n, output length m, scale s = n/m, filter scale f = max(s, 1)):
 *   centre_j = (j + 0.5)·s;  window [floor(centre_j − f/2 + 0.5), floor(centre_j + f/2 + 0.5)) ∩ [0, n)
 *   weight of input i = box((i − centre_j + 0.5)/f), box(t) = 1 for −0.5 < t ≤ 0.5, normalised,
 *   then fixed point: K_i = trunc(0.5 + w_i·2^22) (non-negative weights here).
 * Each pass writes 8 bits: out = clamp((2^21 + Σ K_i·v_i) >> 22, 0, 255).
 * Horizontal pass first, then vertical. Downscaling averages the pixels whose centres fall in the
 * output cell; upscaling is nearest neighbour i = floor((j + 0.5)·n/m).
 */

const PRECISION_BITS = 22;
const ONE = 4194304; // 2^PRECISION_BITS

export interface BoxAxisCoefficients {
  /** First input index of each output's window. */
  readonly start: Int32Array;
  /** Window length of each output. */
  readonly length: Int32Array;
  /** Fixed-point coefficients, `maxLength` per output (zero padded). */
  readonly coefficients: Int32Array;
  readonly maxLength: number;
}

const cache = new Map<string, BoxAxisCoefficients>();

/** The coefficients of one axis (cached per size pair). */
export function boxAxisCoefficients(inSize: number, outSize: number): BoxAxisCoefficients {
  const id = `${inSize}/${outSize}`;
  let c = cache.get(id);
  if (!c) {
    c = computeBoxAxisCoefficients(inSize, outSize);
    cache.set(id, c);
  }
  return c;
}

function computeBoxAxisCoefficients(inSize: number, outSize: number): BoxAxisCoefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 0.5 * filterScale;
  const maxLength = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const length = new Int32Array(outSize);
  const coefficients = new Int32Array(outSize * maxLength);
  const weights = new Float64Array(maxLength);
  const ss = 1 / filterScale;
  for (let j = 0; j < outSize; j++) {
    const centre = (j + 0.5) * scale;
    let xmin = Math.trunc(centre - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(centre + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    let total = 0;
    for (let i = 0; i < xmax; i++) {
      const t = (i + xmin - centre + 0.5) * ss;
      const w = t > -0.5 && t <= 0.5 ? 1 : 0;
      weights[i] = w;
      total += w;
    }
    for (let i = 0; i < xmax; i++) {
      const w = total !== 0 ? weights[i]! / total : weights[i]!;
      coefficients[j * maxLength + i] = Math.trunc(w < 0 ? -0.5 + w * ONE : 0.5 + w * ONE);
    }
    start[j] = xmin;
    length[j] = xmax;
  }
  return { start, length, coefficients, maxLength };
}

function clip8(acc: number): number {
  const v = Math.floor(acc / ONE); // arithmetic >> 22
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** Box-resize a planar 8-bit image (any number of planes) from H×W to outH×outW. */
export function boxResizeBytes(
  planes: Uint8Array,
  height: number,
  width: number,
  outHeight: number,
  outWidth: number,
): Uint8Array {
  const channels = planes.length / (height * width);
  // horizontal pass (skipped when the width does not change, as Pillow does)
  let mid = planes;
  if (outWidth !== width) {
    const cx = boxAxisCoefficients(width, outWidth);
    mid = new Uint8Array(channels * height * outWidth);
    for (let c = 0; c < channels; c++) {
      for (let y = 0; y < height; y++) {
        const src = (c * height + y) * width;
        for (let j = 0; j < outWidth; j++) {
          let acc = 1 << (PRECISION_BITS - 1);
          for (let i = 0; i < cx.length[j]!; i++) acc += planes[src + cx.start[j]! + i]! * cx.coefficients[j * cx.maxLength + i]!;
          mid[(c * height + y) * outWidth + j] = clip8(acc);
        }
      }
    }
  }
  if (outHeight === height) return mid === planes ? Uint8Array.from(planes) : mid;
  const cy = boxAxisCoefficients(height, outHeight);
  const out = new Uint8Array(channels * outHeight * outWidth);
  for (let c = 0; c < channels; c++) {
    for (let j = 0; j < outHeight; j++) {
      for (let x = 0; x < outWidth; x++) {
        let acc = 1 << (PRECISION_BITS - 1);
        for (let i = 0; i < cy.length[j]!; i++) {
          acc += mid[(c * height + cy.start[j]! + i) * outWidth + x]! * cy.coefficients[j * cy.maxLength + i]!;
        }
        out[(c * outHeight + j) * outWidth + x] = clip8(acc);
      }
    }
  }
  return out;
}
