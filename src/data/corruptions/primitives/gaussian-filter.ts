/**
 * P1 (spec §2): `skimage.filters.gaussian` = `scipy.ndimage.gaussian_filter` on float64 planes.
 * Separable correlation, rows (axis 0, y) first, then columns (x); a channel axis is never filtered.
 *
 *   radius r = floor(truncate·σ + 0.5),  w_k ∝ exp(−0.5/σ² · k²),  k = −r..r (normalised by np.sum)
 *   out[i] = w_0·in[i] + Σ_{k=r..1} (in[i−k] + in[i+k])·w_k   (scipy's symmetric-kernel loop order)
 *
 * σ ≤ 1e−15 skips the axis, as scipy does; r = 0 is the identity. exp is correctly rounded (exp.ts),
 * as glibc's is.
 */
import { boundaryIndex, type BoundaryMode } from './boundary.js';
import { exactExp } from './exp.js';
import { numpySum } from './numpy-sum.js';

/** The normalised weights w_{−r..r} (length 2r + 1). */
export function gaussianKernel1d(sigma: number, truncate: number): Float64Array {
  const radius = Math.floor(truncate * sigma + 0.5);
  const sigma2 = sigma * sigma;
  const w = new Float64Array(2 * radius + 1);
  for (let k = -radius; k <= radius; k++) w[k + radius] = exactExp((-0.5 / sigma2) * (k * k));
  const total = numpySum(w);
  for (let i = 0; i < w.length; i++) w[i] = w[i]! / total;
  return w;
}

/** Correlate every line of length `n` (stride `step`, lines starting at `starts`) with the symmetric kernel `w`. */
function correlateLines(
  src: Float64Array,
  dst: Float64Array,
  w: Float64Array,
  n: number,
  step: number,
  starts: number[],
  index: (i: number, n: number) => number,
): void {
  const r = (w.length - 1) / 2;
  // source positions of the taps i − k and i + k (k = 1..r), boundary rule applied once
  const left = new Int32Array(n * (r + 1));
  const right = new Int32Array(n * (r + 1));
  for (let i = 0; i < n; i++) {
    for (let k = 1; k <= r; k++) {
      left[i * (r + 1) + k] = index(i - k, n);
      right[i * (r + 1) + k] = index(i + k, n);
    }
  }
  const line = new Float64Array(n);
  for (const start of starts) {
    for (let i = 0; i < n; i++) line[i] = src[start + i * step]!;
    for (let i = 0; i < n; i++) {
      let acc = line[i]! * w[r]!;
      const o = i * (r + 1);
      for (let k = r; k >= 1; k--) acc += (line[left[o + k]!]! + line[right[o + k]!]!) * w[r - k]!;
      dst[start + i * step] = acc;
    }
  }
}

/** Gaussian filter of one H×W plane (row-major). Returns a new array. */
export function gaussianFilter2d(
  plane: Float64Array,
  height: number,
  width: number,
  sigma: number,
  mode: BoundaryMode,
  truncate: number,
): Float64Array {
  let cur = Float64Array.from(plane);
  if (sigma <= 1e-15) return cur;
  const w = gaussianKernel1d(sigma, truncate);
  const index = boundaryIndex(mode);
  const columns = Array.from({ length: width }, (_, x) => x);
  const rows = Array.from({ length: height }, (_, y) => y * width);
  const next = new Float64Array(cur.length);
  correlateLines(cur, next, w, height, width, columns, index); // axis 0: along y
  cur = new Float64Array(cur.length);
  correlateLines(next, cur, w, width, 1, rows, index); // axis 1: along x
  return cur;
}

/** Gaussian filter of each plane of a planar (CHW) image, channels untouched (skimage `multichannel=True`). */
export function gaussianFilterChannels(
  planes: Float64Array,
  height: number,
  width: number,
  sigma: number,
  mode: BoundaryMode,
  truncate: number,
): Float64Array {
  const hw = height * width;
  const out = new Float64Array(planes.length);
  for (let c = 0; c * hw < planes.length; c++) {
    out.set(gaussianFilter2d(planes.subarray(c * hw, (c + 1) * hw), height, width, sigma, mode, truncate), c * hw);
  }
  return out;
}
