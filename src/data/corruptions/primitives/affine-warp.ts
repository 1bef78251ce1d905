/**
 * P7a (spec §2): OpenCV `getAffineTransform` + `warpAffine(img, M, (W, H), INTER_LINEAR,
 * BORDER_REFLECT_101)` on a float32 plane, following imgwarp.cpp:
 *
 * 1. M (2×3) solves M·[p_i; 1] = q_i for the three point pairs (6×6 LU with partial pivoting).
 * 2. warpAffine inverts M (no WARP_INVERSE_MAP): D = 1/(m0·m4 − m1·m3); A = [m4·D, −m1·D; −m3·D, m0·D];
 *    b = −A·[m2; m5]. Destination pixel (x, y) samples source A·(x, y) + b (integer pixel centres).
 * 3. The source coordinate is fixed point: X = (round(A01·y + b0)·1024 + 16 + round(A00·x·1024)) >> 5
 *    (rounds are round-half-even, `saturate_cast<int>`), i.e. 1/32-pixel steps; integer part X >> 5,
 *    fraction fx = (X & 31)/32 (same for Y).
 * 4. Bilinear with float32 table weights (1−fy)(1−fx), (1−fy)fx, fy(1−fx), fy·fx, summed left to
 *    right in float32; every tap outside the image is reflected with BORDER_REFLECT_101.
 * (Matches cv2.warpAffine of OpenCV 4.6 bit for bit on float32 images.)
 */
import { reflect101Index } from './boundary.js';
import { roundHalfEven } from './round.js';

const f32 = Math.fround;
const AB_BITS = 10;
const AB_SCALE = 1 << AB_BITS;
const INTER_BITS = 5;
const INTER_TAB_SIZE = 1 << INTER_BITS;
const ROUND_DELTA = AB_SCALE / INTER_TAB_SIZE / 2;

export type Point = readonly [number, number];

/** The 2×3 matrix [m0 m1 m2; m3 m4 m5] mapping the points `from` onto `to` (cv2.getAffineTransform). */
export function affineFromPoints(from: readonly Point[], to: readonly Point[]): Float64Array {
  const a = new Float64Array(36);
  const b = new Float64Array(6);
  for (let i = 0; i < 3; i++) {
    const j = i * 12;
    const k = i * 12 + 6;
    a[j] = a[k + 3] = from[i]![0];
    a[j + 1] = a[k + 4] = from[i]![1];
    a[j + 2] = a[k + 5] = 1;
    b[i * 2] = to[i]![0];
    b[i * 2 + 1] = to[i]![1];
  }
  return solveLinear(a, b, 6);
}

/** Solve A·x = b (A n×n row-major, destroyed) by Gaussian elimination with partial pivoting. */
function solveLinear(a: Float64Array, b: Float64Array, n: number): Float64Array {
  for (let i = 0; i < n; i++) {
    let p = i;
    for (let j = i + 1; j < n; j++) if (Math.abs(a[j * n + i]!) > Math.abs(a[p * n + i]!)) p = j;
    if (a[p * n + i] === 0) throw new RangeError('affineFromPoints: the three points are collinear');
    if (p !== i) {
      for (let j = i; j < n; j++) [a[i * n + j], a[p * n + j]] = [a[p * n + j]!, a[i * n + j]!];
      [b[i], b[p]] = [b[p]!, b[i]!];
    }
    const d = -1 / a[i * n + i]!;
    for (let j = i + 1; j < n; j++) {
      const alpha = a[j * n + i]! * d;
      for (let k = i + 1; k < n; k++) a[j * n + k] = a[j * n + k]! + alpha * a[i * n + k]!;
      b[j] = b[j]! + alpha * b[i]!;
    }
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < n; k++) s -= a[i * n + k]! * x[k]!;
    x[i] = s / a[i * n + i]!;
  }
  return x;
}

/** The inverse map of warpAffine (step 2): destination → source, as [a0 a1 a2; a3 a4 a5]. */
export function invertAffine(m: Float64Array): Float64Array {
  let d = m[0]! * m[4]! - m[1]! * m[3]!;
  d = d !== 0 ? 1 / d : 0;
  const a0 = m[4]! * d;
  const a1 = m[1]! * -d;
  const a3 = m[3]! * -d;
  const a4 = m[0]! * d;
  const a2 = -a0 * m[2]! - a1 * m[5]!;
  const a5 = -a3 * m[2]! - a4 * m[5]!;
  return Float64Array.of(a0, a1, a2, a3, a4, a5);
}

/** warpAffine of one H×W float32-valued plane with the forward matrix `m` (steps 2–4). */
export function warpAffinePlane(plane: Float64Array, height: number, width: number, m: Float64Array): Float64Array {
  const inv = invertAffine(m);
  const out = new Float64Array(height * width);
  const adelta = new Int32Array(width);
  const bdelta = new Int32Array(width);
  for (let x = 0; x < width; x++) {
    adelta[x] = roundHalfEven(inv[0]! * x * AB_SCALE);
    bdelta[x] = roundHalfEven(inv[3]! * x * AB_SCALE);
  }
  for (let y = 0; y < height; y++) {
    const x0 = roundHalfEven((inv[1]! * y + inv[2]!) * AB_SCALE) + ROUND_DELTA;
    const y0 = roundHalfEven((inv[4]! * y + inv[5]!) * AB_SCALE) + ROUND_DELTA;
    for (let x = 0; x < width; x++) {
      const X = (x0 + adelta[x]!) >> (AB_BITS - INTER_BITS);
      const Y = (y0 + bdelta[x]!) >> (AB_BITS - INTER_BITS);
      const sx = X >> INTER_BITS;
      const sy = Y >> INTER_BITS;
      const fx = f32((X & (INTER_TAB_SIZE - 1)) / INTER_TAB_SIZE);
      const fy = f32((Y & (INTER_TAB_SIZE - 1)) / INTER_TAB_SIZE);
      const w00 = f32(f32(1 - fy) * f32(1 - fx));
      const w01 = f32(f32(1 - fy) * fx);
      const w10 = f32(fy * f32(1 - fx));
      const w11 = f32(fy * fx);
      const xa = reflect101Index(sx, width);
      const xb = reflect101Index(sx + 1, width);
      const ya = reflect101Index(sy, height) * width;
      const yb = reflect101Index(sy + 1, height) * width;
      // float32 arithmetic, left to right, as OpenCV's remapBilinear<float>
      let v = f32(f32(plane[ya + xa]! * w00) + f32(plane[ya + xb]! * w01));
      v = f32(v + f32(plane[yb + xa]! * w10));
      out[y * width + x] = f32(v + f32(plane[yb + xb]! * w11));
    }
  }
  return out;
}
