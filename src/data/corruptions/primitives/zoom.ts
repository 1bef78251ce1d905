/**
 * P2 (spec §2): `clipped_zoom` of make_cifar_c.py, built on `scipy.ndimage.zoom(order=1)`.
 *
 * Per axis of length n and factor z:
 *   ch = ceil(n / z), top = floor((n − ch) / 2)        crop [top, top + ch)
 *   m = round_half_even(ch · z)                        scipy's output length
 *   t = floor((m − n) / 2)                             trim [t, t + n)
 * Output index o reads zoomed index j = o + t, i.e. input coordinate u = j · ((ch − 1)/(m − 1))
 * (scipy's corner-aligned mapping, factor computed first), linear between floor(u) and floor(u)+1.
 * scipy quirk reproduced: with its default mode 'constant', a coordinate that rounds to just above
 * ch − 1 gives cval = 0 (never happens for the 32-px tables below; checked exhaustively in Python).
 *
 * The reference assumes square images (it uses the row count for both axes); here each axis uses its
 * own length, which is the same thing for squares.
 */
import { roundHalfEven } from './round.js';

export interface ZoomAxisPlan {
  /** Crop length ceil(n/z). */
  readonly ch: number;
  /** Crop start. */
  readonly top: number;
  /** Zoomed length round_half_even(ch·z). */
  readonly zoomed: number;
  /** Trim start in the zoomed axis. */
  readonly trim: number;
  /** For each output index: the lower source index (absolute, in the uncropped axis), or −1 for scipy's cval = 0. */
  readonly lower: Int32Array;
  /** For each output index: the weight of lower + 1 (0 when the sample hits `lower` exactly). */
  readonly frac: Float64Array;
}

export function zoomAxisPlan(n: number, z: number): ZoomAxisPlan {
  const ch = Math.ceil(n / z);
  const top = Math.floor((n - ch) / 2);
  const zoomed = roundHalfEven(ch * z);
  const trim = Math.floor((zoomed - n) / 2);
  if (zoomed < n) throw new RangeError(`clippedZoom: factor ${z} shrinks an axis of ${n} to ${zoomed}`);
  const step = zoomed > 1 ? (ch - 1) / (zoomed - 1) : 1;
  const lower = new Int32Array(n);
  const frac = new Float64Array(n);
  for (let o = 0; o < n; o++) {
    const u = (o + trim) * step;
    if (u > ch - 1) {
      lower[o] = -1;
      continue;
    }
    const i0 = Math.floor(u);
    lower[o] = top + i0;
    frac[o] = u - i0;
  }
  return { ch, top, zoomed, trim, lower, frac };
}

/** clipped_zoom of one H×W plane. */
export function clippedZoomPlane(
  plane: Float64Array,
  height: number,
  width: number,
  rows: ZoomAxisPlan,
  cols: ZoomAxisPlan,
  out = new Float64Array(height * width),
): Float64Array {
  for (let y = 0; y < height; y++) {
    const y0 = rows.lower[y]!;
    const fy = rows.frac[y]!;
    for (let x = 0; x < width; x++) {
      const x0 = cols.lower[x]!;
      if (y0 < 0 || x0 < 0) {
        out[y * width + x] = 0;
        continue;
      }
      const fx = cols.frac[x]!;
      // scipy's order-1 spline weights (w0 = 1 − f, w1 = 1 − w0) and tap order; the +1 neighbour
      // is only read when its weight is non-zero (it may lie outside the crop otherwise)
      const wy0 = 1 - fy;
      const wy1 = 1 - wy0;
      const wx0 = 1 - fx;
      const wx1 = 1 - wx0;
      const y1 = fy > 0 ? y0 + 1 : y0;
      const x1 = fx > 0 ? x0 + 1 : x0;
      let t = plane[y0 * width + x0]! * wy0 * wx0;
      t += plane[y0 * width + x1]! * wy0 * wx1;
      t += plane[y1 * width + x0]! * wy1 * wx0;
      t += plane[y1 * width + x1]! * wy1 * wx1;
      out[y * width + x] = t;
    }
  }
  return out;
}

/**
 * The zoom factors of zoom_blur: numpy's `np.arange(1, stop, 0.01)` fills z_k = 1 + k·δ with
 * δ = (1 + 0.01) − 1 = 0.010000000000000009, not 1 + 0.01·k (spec P2: z_25 = 1.2500000000000002
 * zooms 26 → 33, where 1.25 would give 32).
 */
export function zoomBlurFactor(k: number): number {
  const delta = 1 + 0.01 - 1;
  return 1 + k * delta;
}
