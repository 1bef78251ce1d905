/**
 * IJG standard quantisation tables scaled by quality (libjpeg jcparam.c, spec P9 step 5), as
 * Pillow requests them (`jpeg_set_quality(…, force_baseline = TRUE)`). Natural row-major order.
 */

export const BASE_LUMINANCE: readonly number[] = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51,
  87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101,
  72, 92, 95, 98, 112, 100, 103, 99,
];

export const BASE_CHROMINANCE: readonly number[] = [
  17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99,
];

/** jpeg_quality_scaling: q < 50 → floor(5000/q), else 200 − 2q (q clamped to 1..100 as libjpeg does). */
export function qualityScale(quality: number): number {
  const q = quality <= 0 ? 1 : quality > 100 ? 100 : quality;
  return q < 50 ? Math.floor(5000 / q) : 200 - q * 2;
}

/** jpeg_add_quant_table with force_baseline: clamp(floor((B·S + 50)/100), 1, 255). */
export function scaledTable(base: readonly number[], quality: number): Int32Array {
  const scale = qualityScale(quality);
  return Int32Array.from(base, (b) => Math.min(255, Math.max(1, Math.floor((b * scale + 50) / 100))));
}
