/**
 * P7b (spec §2): `scipy.ndimage.map_coordinates(img, [rows, cols], order=1, mode='reflect')` for
 * one plane, following scipy's NI_GeometricTransform (≥ 1.6):
 *
 * 1. each coordinate outside [0, n−1] is first mapped into range by the half-sample-symmetric rule
 *    (`mapReflectCoordinate`, scipy's map_coordinate for NI_EXTEND_REFLECT);
 * 2. linear taps floor(c) and floor(c)+1, a tap outside the axis mapped by the same rule;
 * 3. weights w0 = 1 − f, w1 = 1 − w0 (f = c − floor c); value = Σ taps v·w_row·w_col in tap order.
 * No spline prefilter for order 1.
 */

/** scipy's map_coordinate(in, len, NI_EXTEND_REFLECT). */
export function mapReflectCoordinate(c: number, n: number): number {
  if (c < 0) {
    if (n <= 1) return 0;
    const sz2 = 2 * n;
    if (c < -sz2) c = sz2 * Math.trunc(-c / sz2) + c;
    return c < -n ? c + sz2 : (c > -1e-15 ? 1e-15 : -c) - 1;
  }
  if (c > n - 1) {
    if (n <= 1) return 0;
    const sz2 = 2 * n;
    c -= sz2 * Math.trunc(c / sz2);
    if (c >= n) c = sz2 - c - 1;
  }
  return c;
}

function tapIndex(i: number, n: number): number {
  return i < 0 || i >= n ? mapReflectCoordinate(i, n) : i;
}

/** Bilinear sample of the H×W plane at (row, col) with scipy's reflect rule. */
export function sampleReflectBilinear(plane: Float64Array, height: number, width: number, row: number, col: number): number {
  const r = mapReflectCoordinate(row, height);
  const c = mapReflectCoordinate(col, width);
  const r0 = Math.floor(r);
  const c0 = Math.floor(c);
  const wr0 = 1 - (r - r0);
  const wr1 = 1 - wr0;
  const wc0 = 1 - (c - c0);
  const wc1 = 1 - wc0;
  const ra = tapIndex(r0, height) * width;
  const rb = tapIndex(r0 + 1, height) * width;
  const ca = tapIndex(c0, width);
  const cb = tapIndex(c0 + 1, width);
  let t = plane[ra + ca]! * wr0 * wc0;
  t += plane[ra + cb]! * wr0 * wc1;
  t += plane[rb + ca]! * wr1 * wc0;
  t += plane[rb + cb]! * wr1 * wc1;
  return t;
}
